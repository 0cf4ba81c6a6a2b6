/**
 * Issue 17's figures: two wirefeed instances on one PostgreSQL database against one — the same
 * cached 100-entry Atom feed under autocannon, 50 connections in all (split between the two
 * instances, one load generator process each) — and the time from a commit to every instance
 * serving the new bytes (LISTEN/NOTIFY → revision → re-render), p50 and p99. All on this
 * machine's cores, which the instances, PostgreSQL and the load generators share.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { startPgCluster } from '../tests/helpers/postgres.js';
import { autocannon, datedStory, rng, sleep, startDaemon, startUpstream, tempDir, type AutocannonResult, type Daemon, type Figure } from './lib.js';

const CONNECTIONS = 50;
const SECONDS = 10;
const ROUNDS = 60;
const FEED = '/feeds/bench.atom?limit=100';

async function clusterConfig(dir: string, name: string, databaseUrl: string, upstream: string): Promise<string> {
  const yaml = [
    'server:',
    '  host: 127.0.0.1',
    '  port: 0',
    '  baseUrl: http://127.0.0.1:8080',
    'state:',
    `  url: ${JSON.stringify(databaseUrl)}`,
    'sources:',
    '  - id: bench',
    '    title: Bench bench',
    `    url: ${upstream}/bench`,
    '    format: text',
    '    lang: nl',
    '    schedule: "0 0 1 1 *"',
  ].join('\n');
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml + '\n');
  return file;
}

async function etagOf(url: string): Promise<string> {
  const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  await res.arrayBuffer();
  const etag = res.headers.get('etag');
  if (res.status !== 200 || etag === null) throw new Error(`bench: ${url} answered ${res.status} without ETag`);
  return etag;
}

/** 50 connections split over `urls`, one autocannon each, at once; the summed rate and the worst p99. */
async function load(urls: readonly string[]): Promise<{ rate: number; p99: number }> {
  const per = CONNECTIONS / urls.length;
  await Promise.all(urls.map((u) => autocannon(u, { connections: per, seconds: 2 })));
  const runs: AutocannonResult[] = await Promise.all(urls.map((u) => autocannon(u, { connections: per, seconds: SECONDS })));
  for (const r of runs) if (r.errors > 0 || r.non2xx > 0) throw new Error(`bench: cluster load saw errors=${r.errors} non2xx=${r.non2xx}`);
  return { rate: runs.reduce((n, r) => n + r.requests.average, 0), p99: Math.max(...runs.map((r) => r.latency.p99)) };
}

/** Commit one new story ROUNDS times; each time, ms until every instance serves new bytes. */
async function invalidation(store: Store, instances: readonly Daemon[]): Promise<number[]> {
  const r = rng(17);
  const delays: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const urls = instances.map((d) => `${d.url}${FEED}`);
    const before = await Promise.all(urls.map(etagOf));
    const at = new Date(Date.UTC(2026, 10, 28, 13, i));
    const story = { ...datedStory(r, `n${i}`, at), publishedLatest: at, publishedEarliest: new Date(at.getTime() - 60_000) };
    await ingestPage(store, [story], { sourceId: 'bench', at, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    const t0 = performance.now();
    await Promise.all(
      urls.map(async (u, k) => {
        while ((await etagOf(u)) === before[k]) {
          if (performance.now() - t0 > 5000) throw new Error(`bench: ${u} still serves the old feed 5 s after the commit`);
        }
      }),
    );
    delays.push(performance.now() - t0);
    await sleep(50);
  }
  return delays;
}

function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function clusterFigures(): Promise<Figure[]> {
  const tmp = await tempDir('cluster');
  const pg = await startPgCluster();
  const upstream = await startUpstream();
  const instances: Daemon[] = [];
  try {
    const db = await pg.database();
    const store = await openStore({ dir: join(tmp.dir, 'unused'), url: db });
    try {
      const r = rng(13);
      const at = new Date('2026-11-28T12:00:00Z');
      await ingestPage(store, Array.from({ length: 100 }, (_, i) => datedStory(r, `s${i}`, at)), { sourceId: 'bench', at, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
      for (const name of ['a', 'b']) instances.push(await startDaemon(await clusterConfig(tmp.dir, name, db, upstream.url)));
      const urls = instances.map((d) => `${d.url}${FEED}`);
      const etags = await Promise.all(urls.map(etagOf));
      if (etags[0] !== etags[1]) throw new Error(`bench: the instances serve different feeds (${etags.join(' vs ')})`);
      const one = await load(urls.slice(0, 1));
      const two = await load(urls);
      const delays = await invalidation(store, instances);
      return [
        { name: 'cluster-1-200', value: one.rate, unit: 'req/s', target: null, note: `one instance, ${CONNECTIONS} connections` },
        { name: 'cluster-2-200', value: two.rate, unit: 'req/s', target: null, note: `two instances on one database, ${CONNECTIONS / 2} connections each` },
        { name: 'cluster-2-ratio', value: two.rate / one.rate, unit: '× one', target: null, note: `p99 ${one.p99} ms one, ${two.p99} ms two` },
        { name: 'invalidate-p50', value: percentile(delays, 50), unit: 'ms', target: null, note: `commit → both instances serve new bytes, ${ROUNDS} commits` },
        { name: 'invalidate-p99', value: percentile(delays, 99), unit: 'ms', target: null },
      ];
    } finally {
      await store.close();
    }
  } finally {
    for (const d of instances) await d.stop();
    await upstream.stop();
    await pg.stop();
    await tmp.remove();
  }
}
