/**
 * Figures 6, 7 and 8 over one state of 100 sources × 500 stories (50,000 stories, ~600-char
 * bodies), built once with openStore + ingestStories and flushed:
 *   - state write: store.flush() with every shard dirty (one story changed in each), first after
 *     loading and then warm, the longest event-loop stall, and the same flush with every story
 *     changed;
 *   - memory: RSS of a daemon process holding that state, then after serving every feed once;
 *   - start: ms from spawning the daemon until /healthz answers.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { ingestStories } from '../src/store/ingest.js';
import { openStore } from '../src/store/index.js';
import {
  atMost,
  datedStory,
  median,
  rng,
  rssMb,
  sleep,
  startDaemon,
  startUpstream,
  tempDir,
  writeDaemonConfig,
  type Figure,
} from './lib.js';

const SOURCES = 100;
const PER_SOURCE = 500;
const AT = new Date('2026-11-28T12:00:00Z');
const sourceId = (i: number) => `src-${String(i).padStart(3, '0')}`;

/** Builds the 50,000-story state in `dir` (ten fetches of 50 stories per source). */
export async function buildState(dir: string): Promise<void> {
  const store = await openStore(dir);
  const r = rng(7);
  for (let s = 0; s < SOURCES; s++) {
    for (let page = 0; page < PER_SOURCE / 50; page++) {
      const at = new Date(AT.getTime() - (PER_SOURCE / 50 - page) * 3600_000);
      const stories = Array.from({ length: 50 }, (_, i) => datedStory(r, `${s}-${page}-${i}`, at));
      ingestStories(store, stories, { sourceId: sourceId(s), at, lang: 'nl' });
    }
  }
  if (store.size() !== SOURCES * PER_SOURCE) throw new Error(`bench: built ${store.size()} stories, not ${SOURCES * PER_SOURCE}`);
  await store.close();
}

/**
 * flush() with every shard dirty (one story changed in each, so the other rows are copied):
 * the first after loading (cold code, the load's garbage still to collect) on its own, then the
 * median of three and the longest event-loop stall while they run; the same with every story
 * changed (every row serialised again, as the first write after an upgrade does); and one
 * shard dirty.
 */
async function stateWrite(dir: string): Promise<{ firstMs: number; ms: number; stallMs: number; wholeMs: number; oneShardMs: number }> {
  const runs: { ms: number; stallMs: number }[] = [];
  const whole: number[] = [];
  const oneShard: number[] = [];
  const store = await openStore(dir);
  try {
    for (let run = 0; run < 4; run++) {
      for (let s = 0; s < SOURCES; s++) {
        const first = store.ofSource(sourceId(s))[Symbol.iterator]().next();
        if (!first.done) store.touchSeen(first.value);
      }
      store.updateSource(sourceId(0), { lastAttempt: AT.toISOString() });
      await sleep(50);
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const t0 = performance.now();
      await store.flush();
      const ms = performance.now() - t0;
      // One more tick so that a stall at the very end is sampled too.
      await sleep(5);
      h.disable();
      runs.push({ ms, stallMs: h.max / 1e6 });
    }
    for (let run = 0; run < 3; run++) {
      for (let s = 0; s < SOURCES; s++) for (const story of store.ofSource(sourceId(s))) store.touchSeen(story);
      await sleep(50);
      const t0 = performance.now();
      await store.flush();
      whole.push(performance.now() - t0);
    }
    // The common case: one source's page changed since the last flush.
    for (let run = 0; run < 5; run++) {
      const first = store.ofSource(sourceId(run))[Symbol.iterator]().next();
      if (!first.done) store.touchSeen(first.value);
      const t0 = performance.now();
      await store.flush();
      oneShard.push(performance.now() - t0);
    }
  } finally {
    await store.close();
  }
  const [first, ...warm] = runs;
  return {
    firstMs: first!.ms,
    ms: median(warm.map((r) => r.ms)),
    stallMs: Math.max(...runs.map((r) => r.stallMs)),
    wholeMs: median(whole),
    oneShardMs: median(oneShard),
  };
}

async function healthzWithin(url: string, untilMs: number): Promise<boolean> {
  while (performance.now() < untilMs) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      return true;
    } catch {
      // Not listening yet: the daemon is still loading; try again shortly.
      await sleep(5);
    }
  }
  return false;
}

export async function stateFigures(): Promise<Figure[]> {
  const tmp = await tempDir('state');
  const upstream = await startUpstream();
  try {
    const stateDir = join(tmp.dir, 'state');
    const t0 = performance.now();
    await buildState(stateDir);
    const buildMs = performance.now() - t0;
    const write = await stateWrite(stateDir);

    const sources = Array.from({ length: SOURCES }, (_, i) => ({ id: sourceId(i), url: `${upstream.url}/${sourceId(i)}` }));
    // A fixed port, so that the start figure can poll /healthz before the daemon says where it listens.
    const port = 20_000 + (process.pid % 20_000);
    const config = await writeDaemonConfig(tmp.dir, stateDir, sources, port);

    const starts: number[] = [];
    let rssLoaded = 0;
    let rssServed = 0;
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      const daemonP = startDaemon(config);
      const answered = await healthzWithin(`http://127.0.0.1:${port}`, t + 30_000);
      const daemon = await daemonP;
      try {
        if (!answered) throw new Error('bench: /healthz never answered');
        starts.push(performance.now() - t);
        if (run === 0) {
          await sleep(1500); // first polls done, lazy parts settled
          rssLoaded = await rssMb(daemon.pid);
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
    return [
      { name: 'memory-loaded', value: rssLoaded, unit: 'MB', target: atMost(120), note: '50,000 stories, daemon RSS' },
      { name: 'memory-served', value: rssServed, unit: 'MB', target: atMost(120), note: 'after every feed once, atom+rss+json' },
      { name: 'start', value: median(starts), unit: 'ms', target: atMost(1000), note: 'spawn until /healthz answers, median of 3' },
      { name: 'state-write', value: write.ms, unit: 'ms', target: atMost(150), note: `flush, all 100 files rewritten, one story changed in each; median of 3 (state built in ${Math.round(buildMs)} ms)` },
      { name: 'state-write-first', value: write.firstMs, unit: 'ms', target: null, note: 'the same, first after loading the state' },
      { name: 'state-write-whole', value: write.wholeMs, unit: 'ms', target: null, note: 'flush, every story changed: every row serialised' },
      { name: 'state-write-one', value: write.oneShardMs, unit: 'ms', target: null, note: 'flush after one source changed (500 stories)' },
      { name: 'state-write-stall', value: write.stallMs, unit: 'ms', target: atMost(50), note: 'max event-loop delay during those four flushes' },
    ];
  } finally {
    await upstream.stop();
    await tmp.remove();
  }
}
