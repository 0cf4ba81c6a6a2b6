/**
 * PostgreSQL down for 20 s under two instances (issue 17): neither exits, feeds are served from
 * what each has rendered, /healthz is 503 and names the cause, fetching pauses; once the server is
 * back the feeds render anew, fetching resumes, and nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { health, leaderOf, NEW_HEADLINE, PAGE_2, startInstance, startWireSite } from './helpers/cluster.js';
import { waitFor } from './helpers/daemon.js';
import { pgClusterPerFile } from './helpers/postgres-file.js';
import { storiesOf } from './helpers/state.js';
import { tempDir } from './helpers/tmp.js';

const cluster = pgClusterPerFile();

const PATHS = ['/feeds/wire.atom', '/feeds/all.json'];
const OUTAGE_MS = 20_000;

describe('PostgreSQL down', () => {
  it('for 20 s: no instance exits, feeds come from the rendered cache, /healthz 503 names the cause, fetching pauses and resumes, nothing lost', async () => {
    const site = await startWireSite();
    const db = await cluster.database();
    const instances = [await startInstance(site, db), await startInstance(site, db)];
    await leaderOf(instances);
    await waitFor('a first fetch', () => site.requests.length >= 1, 30_000);
    await waitFor('three stories on both', async () => (await Promise.all(instances.map(async (d) => (await health(d.url)).body.sources['wire']!.stories))).every((n) => n === 3), 20_000);

    // What every instance has rendered before the outage.
    const rendered = new Map<string, { body: string; etag: string }>();
    for (const d of instances) {
      for (const path of PATHS) {
        const res = await fetch(`${d.url}${path}`);
        expect(res.status).toBe(200);
        rendered.set(`${d.url}${path}`, { body: await res.text(), etag: res.headers.get('etag')! });
      }
    }

    await cluster.halt();
    const haltedAt = Date.now();
    site.page = PAGE_2;
    const causes = new Set<string>();
    let rounds = 0;
    while (Date.now() - haltedAt < OUTAGE_MS) {
      for (const d of instances) {
        expect(d.alive()).toBe(true);
        for (const path of PATHS) {
          const held = rendered.get(`${d.url}${path}`)!;
          const plain = await fetch(`${d.url}${path}`);
          expect({ path, status: plain.status, body: await plain.text() }).toEqual({ path, status: 200, body: held.body });
          expect((await fetch(`${d.url}${path}`, { headers: { 'If-None-Match': held.etag } })).status).toBe(304);
        }
        const h = await health(d.url);
        // The session ends with the server at once; a moment later every instance knows.
        if (Date.now() - haltedAt > 3000) {
          expect(h.status).toBe(503);
          expect(h.body.role).toBe('standby');
          causes.add(h.body.state!.replace(/:.*/, ''));
        }
      }
      rounds++;
      await new Promise((r) => setTimeout(r, 1000));
    }
    // Fetching paused: no request reached the source after the first seconds of the outage.
    const fetchedDuring = site.requests.filter((t) => t > haltedAt + 3000).length;
    await cluster.start();
    const startedAt = Date.now();
    // The session's end first, then the refused connections: each names its cause.
    expect([...causes].filter((c) => c !== 'database session lost')).toEqual(['database unreachable']);
    expect(fetchedDuring).toBe(0);
    expect(rounds).toBeGreaterThan(5);

    // Back: one instance schedules again, the new story is fetched and every instance serves it.
    await leaderOf(instances);
    for (const d of instances) {
      await waitFor(`the new story at ${d.url}`, async () => (await (await fetch(`${d.url}/feeds/wire.atom`)).text()).includes(NEW_HEADLINE), 30_000);
      expect((await health(d.url)).status).toBe(200);
      expect(d.alive()).toBe(true);
    }
    console.log(`outage: fetching resumed ${site.requests.find((t) => t > startedAt)! - startedAt} ms after PostgreSQL was back`);
    const store = await openStore({ dir: await tempDir(), url: db });
    try {
      expect((await storiesOf(store, 'wire')).map((s) => s.place).sort()).toEqual(['DEN HAAG', 'GRONINGEN', 'UTRECHT', 'ZWOLLE']);
    } finally {
      await store.close();
    }
  }, 180_000);
});
