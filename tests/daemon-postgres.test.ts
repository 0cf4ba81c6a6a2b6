/** The daemon on a PostgreSQL state (a real cluster): a loopback source ingested and served, and kept across a restart. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newestFirst } from '../src/store/index.js';
import { startDaemon, startSite } from './helpers/daemon.js';
import { pgClusterPerFile } from './helpers/postgres-file.js';
import { storiesOf } from './helpers/state.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const FIX = join(import.meta.dirname, 'fixtures');
const T0 = new Date('2026-11-28T12:00:00Z');

const cluster = pgClusterPerFile();

describe('daemon on PostgreSQL', () => {
  it('ingests a page from a loopback site into the database, serves its feed, and serves the same feed after a restart', async () => {
    const text = await readFile(join(FIX, 'daemon/nl-buitenland-t1.txt'));
    const news = await startSite({ '/anp': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text) });
    afterThisTest(() => news.close());
    const url = await cluster.database();
    const yaml = `
state: { url: "${url}" }
sources:
  - { id: anp, title: ANP, url: "${news.url}/anp", lang: nl }
`;
    const first = await startDaemon(await tempDir(), yaml, { now: () => T0 });
    await first.app.settled;
    const stories = (await storiesOf(first.app.store, 'anp')).sort(newestFirst);
    expect(stories.length).toBeGreaterThan(5);
    expect(stories.map((s) => s.headline)).toContain('VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000');
    const feed = await fetch(`${first.app.url}/feeds/anp.json`);
    expect(feed.status).toBe(200);
    const body = await feed.text();
    expect((JSON.parse(body) as { items: unknown[] }).items).toHaveLength(stories.length);
    await first.app.stop();

    // The stories are in PostgreSQL, not in the state directory: a second instance in another directory has them.
    const client = new pg.Client(url);
    await client.connect();
    expect(Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM stories')).rows[0]!.n)).toBe(stories.length);
    await client.end();
    const second = await startDaemon(await tempDir(), yaml, { now: () => T0 });
    afterThisTest(() => second.app.stop(1000));
    expect(JSON.stringify((await storiesOf(second.app.store, 'anp')).sort(newestFirst))).toBe(JSON.stringify(stories));
    const again = await fetch(`${second.app.url}/feeds/anp.json`);
    expect(await again.text()).toBe(body);
  });
});
