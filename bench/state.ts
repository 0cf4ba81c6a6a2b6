/**
 * State figures (issue 16) at 50,000, 250,000 and 1,000,000 stories (100-char headlines,
 * ~600-char bodies) over 100, 250 and 1,000 sources, built straight into the database
 * (store.commit, 5,000 stories a transaction): for each size the daemon's resident memory
 * after start and after serving every feed once (atom, rss, json; the default feed cache), the
 * time from spawn to /healthz, and the database's size. `BENCH_STATE_SIZES=50000,1000000@100`
 * picks sizes (stories@sources). Memory follows the sources (their feeds, caches, config) more
 * than the stories, so whether it is flat in history is read off two states of the same 100
 * sources: 50,000 and 1,000,000 stories.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredStory } from '../src/model.js';
import { openStore } from '../src/store/index.js';
import { atMost, median, rng, rssMb, sleep, startDaemon, startUpstream, syntheticBody, tempDir, writeDaemonConfig, type Figure } from './lib.js';

/** The sources a size has when none is given: 100 to 1,000, as the issue builds them. */
const DEFAULT_SOURCES: Record<number, number> = { 50_000: 100, 250_000: 250, 1_000_000: 1000 };
const AT = Date.parse('2026-11-28T12:00:00Z');
const sourceId = (i: number) => `src-${String(i).padStart(4, '0')}`;
/** stories@sources, as the issue asks: 100 to 1,000 sources; and 1M over 100 sources beside 50k over 100. */
const SIZES = ['50000@100', '250000@250', '1000000@1000', '1000000@100'];

/** Builds `stories` stories over `sources` sources in `dir`. */
export async function buildState(dir: string, stories: number, sources: number): Promise<void> {
  const store = await openStore(dir);
  const r = rng(7);
  const perSource = stories / sources;
  let batch: StoredStory[] = [];
  for (let s = 0; s < sources; s++) {
    for (let i = 0; i < perSource; i++) {
      const tag = `${s}-${i}`;
      const { place, agencies, body } = syntheticBody(r, tag, 600);
      const at = new Date(AT - (perSource - i) * 600_000).toISOString();
      const id = `${s.toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`;
      batch.push({
        id, keys: [id], leadKey: `lead-${id}`, sources: [sourceId(s)],
        headline: `${body[0]!.slice(0, 90)} (${tag})`.slice(0, 100), headlineDerived: false, place, agencies, section: null,
        body, bodyHash: `h-${id}`, link: null, author: null, image: null, lang: 'nl',
        firstSeen: at, lastSeen: at, publishedEarliest: null, publishedLatest: at, updated: at,
      });
      if (batch.length === 5000) {
        await store.commit({ put: batch });
        batch = [];
      }
    }
  }
  if (batch.length > 0) await store.commit({ put: batch });
  if ((await store.size()) !== stories) throw new Error(`bench: built ${await store.size()} stories, not ${stories}`);
  await store.close();
}

async function healthzWithin(url: string, untilMs: number): Promise<boolean> {
  while (performance.now() < untilMs) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      return true;
    } catch {
      // Not listening yet: the daemon is still starting; try again shortly.
      await sleep(5);
    }
  }
  return false;
}

async function oneSize(stories: number, sourceCount: number, upstreamUrl: string): Promise<Figure[]> {
  const tmp = await tempDir('state');
  try {
    const stateDir = join(tmp.dir, 'state');
    const t0 = performance.now();
    await buildState(stateDir, stories, sourceCount);
    const buildMs = performance.now() - t0;
    const dbMb = (await stat(join(stateDir, 'wirefeed.db'))).size / 2 ** 20;
    const sources = Array.from({ length: sourceCount }, (_, i) => ({ id: sourceId(i), url: `${upstreamUrl}/${sourceId(i)}` }));
    // A fixed port, so that the start figure can poll /healthz before the daemon says where it listens.
    const port = 20_000 + (process.pid % 20_000);
    const config = await writeDaemonConfig(tmp.dir, stateDir, sources, port);
    const starts: number[] = [];
    let rssStarted = 0;
    let rssServed = 0;
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      const daemonP = startDaemon(config);
      const answered = await healthzWithin(`http://127.0.0.1:${port}`, t + 60_000);
      const daemon = await daemonP;
      try {
        if (!answered) throw new Error('bench: /healthz never answered');
        starts.push(performance.now() - t);
        if (run === 0) {
          await sleep(1500); // first polls done (304s), lazy parts settled
          rssStarted = await rssMb(daemon.pid);
          for (const s of sources) {
            for (const ext of ['atom', 'rss', 'json']) {
              const res = await fetch(`${daemon.url}/feeds/${s.id}.${ext}`);
              if (res.status !== 200) throw new Error(`bench: ${s.id}.${ext}: HTTP ${res.status}`);
              await res.arrayBuffer();
            }
          }
          await sleep(500);
          rssServed = await rssMb(daemon.pid);
        }
      } finally {
        await daemon.stop();
      }
    }
    const n = `${stories / 1000}k${sourceCount === DEFAULT_SOURCES[stories] ? '' : `-${sourceCount}src`}`;
    const what = `${stories.toLocaleString('en')} stories, ${sourceCount} sources`;
    return [
      { name: `rss-started-${n}`, value: rssStarted, unit: 'MB', target: null, note: `${what}: daemon RSS after start` },
      { name: `rss-served-${n}`, value: rssServed, unit: 'MB', target: atMost(80), note: 'after every feed once, atom+rss+json' },
      { name: `start-${n}`, value: median(starts), unit: 'ms', target: stories >= 1_000_000 ? atMost(300) : null, note: 'spawn until /healthz answers, median of 3' },
      { name: `db-size-${n}`, value: dbMb, unit: 'MB', target: null, note: `wirefeed.db (built in ${Math.round(buildMs / 1000)} s)` },
    ];
  } finally {
    await tmp.remove();
  }
}

export async function stateFigures(): Promise<Figure[]> {
  const sizes = (process.env['BENCH_STATE_SIZES'] ?? SIZES.join(',')).split(',').map((spec) => {
    const [stories, sources] = spec.split('@').map(Number);
    return { stories: stories!, sources: sources ?? DEFAULT_SOURCES[stories!] ?? 100 };
  });
  const upstream = await startUpstream();
  try {
    const figures: Figure[] = [];
    for (const size of sizes) figures.push(...(await oneSize(size.stories, size.sources, upstream.url)));
    const flat = (a: string, b: string) => [figures.find((f) => f.name === a)?.value, figures.find((f) => f.name === b)?.value];
    const [small, large] = flat('rss-served-50k', 'rss-served-1000k-100src');
    if (small !== undefined && large !== undefined) {
      figures.push({ name: 'rss-flat-100src', value: (large / small - 1) * 100, unit: '%', target: atMost(10), note: '1,000,000 against 50,000 stories over the same 100 sources, after serving' });
    }
    return figures;
  } finally {
    await upstream.stop();
  }
}
