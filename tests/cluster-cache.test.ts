/**
 * Caches across instances (issue 17): what the scheduler commits reaches every other instance's
 * rendered feeds within 1 s (PostgreSQL LISTEN/NOTIFY), and every instance serves a feed with the
 * same bytes and the same ETag, so a reader moved between instances gets a 304.
 */
import { describe, expect, it } from 'vitest';
import { NEW_HEADLINE, PAGE_2, clusterYaml, health, startWireSite } from './helpers/cluster.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { pgClusterPerFile } from './helpers/postgres-file.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const cluster = pgClusterPerFile();

const PATHS = ['/feeds/wire.atom', '/feeds/wire.rss', '/feeds/wire.json', '/feeds/all.atom', '/feeds/all.json'];
/** A source whose page is not there: its feed stays empty, and an empty feed's bytes must not carry the moment it was rendered. */
const EMPTY = ['/feeds/quiet.atom', '/feeds/quiet.rss', '/feeds/quiet.json'];

async function instance(yaml: string, databaseUrl: string): Promise<TestDaemon> {
  // The schedule is hourly: the test fetches with pollNow, the only fetch besides the scheduler's first.
  const d = await startDaemon(await tempDir(), yaml.replace(/schedule: "[^"]*"/, 'schedule: "0 * * * *"').replace(/state: \{ dir: "[^"]*" \}/, `state: { url: "${databaseUrl}" }`));
  afterThisTest(() => d.app.stop(1000));
  return d;
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; etag: string | null; body: string }> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, etag: res.headers.get('etag'), body: await res.text() };
}

describe('caches across instances', () => {
  it('a story the scheduler ingests is served by the other instances within 1 s, with the same bytes and ETag; B answers 304 to the ETag A gave', async () => {
    const site = await startWireSite();
    const db = await cluster.database();
    const yaml = clusterYaml(site, await tempDir()).replace('feeds:', `  - { id: quiet, title: Stil, url: "${site.url}/quiet", lang: nl, schedule: "0 * * * *" }\nfeeds:`);
    const a = await instance(yaml, db);
    await a.app.settled;
    const b = await instance(yaml, db);
    const c = await instance(yaml, db);
    expect([(await health(a.app.url)).body.role, (await health(b.app.url)).body.role, (await health(c.app.url)).body.role]).toEqual(['scheduler', 'standby', 'standby']);
    expect(site.requests).toHaveLength(1);

    // Empty feeds rendered a second apart by different instances: the same bytes and ETag.
    const empty = await Promise.all(EMPTY.map((path) => get(a.app.url, path)));
    await new Promise((r) => setTimeout(r, 1100));
    for (const [i, path] of EMPTY.entries()) {
      expect(empty[i]!.status).toBe(200);
      for (const other of [b, c]) expect(await get(other.app.url, path)).toEqual(empty[i]);
    }

    // Every instance renders and caches the feeds of the first page: the same bytes, the same ETag.
    for (const path of PATHS) {
      const fromA = await get(a.app.url, path);
      expect(fromA.status).toBe(200);
      for (const other of [b, c]) expect(await get(other.app.url, path)).toEqual(fromA);
    }

    // The scheduler ingests a new story; the others' cached feeds must not be served past 1 s.
    site.page = PAGE_2;
    await a.app.pollNow('wire');
    const committed = performance.now();
    const delays: number[] = [];
    for (const other of [b, c]) {
      while (!(await get(other.app.url, '/feeds/wire.atom')).body.includes(NEW_HEADLINE)) {
        if (performance.now() - committed > 10_000) throw new Error('the new story never reached another instance');
        await new Promise((r) => setTimeout(r, 5));
      }
      delays.push(performance.now() - committed);
    }
    console.log(`invalidation: the new story served by the other instances ${delays.map((d) => `${d.toFixed(0)} ms`).join(', ')} after the scheduler's commit`);
    for (const d of delays) expect(d).toBeLessThan(1000);

    for (const path of PATHS) {
      const fromA = await get(a.app.url, path);
      expect(fromA.body).toContain('aanlegsteiger');
      for (const other of [b, c]) {
        expect(await get(other.app.url, path)).toEqual(fromA);
        // A reader sent to another instance with the validator this one gave: 304.
        const again = await get(other.app.url, path, { 'If-None-Match': fromA.etag! });
        expect({ path, status: again.status, body: again.body }).toEqual({ path, status: 304, body: '' });
      }
    }
    // The other instances re-read the scheduler's bookkeeping and counts for /healthz.
    const leader = (await health(a.app.url)).body.sources['wire']!;
    expect(leader.stories).toBe(4);
    for (const other of [b, c]) expect((await health(other.app.url)).body.sources['wire']).toEqual(leader);
  }, 120_000);
});
