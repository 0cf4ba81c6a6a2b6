/**
 * Load: 200 concurrent readers fetch feeds for 30 s, half of them conditionally (If-None-Match),
 * while the daemon (a child process, so readers and daemon do not share an event loop) fetches
 * 50 sources from a local site every 10 seconds. Zero failed requests, no poll skipped (counted
 * on the site's side), and the run prints requests served and the p50/p99 latency.
 * `LOAD_SECONDS` shortens or lengthens the run.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'undici';
import { expect, it } from 'vitest';
import { startDaemonProcess, waitFor, writeConfig } from './helpers/daemon.js';
import { startFaultSite, textPage, wirePage, type Handler } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { processAlive } from '../src/store/lock.js';

const SECONDS = Number(process.env['LOAD_SECONDS'] ?? 30);
const READERS = 200;
const SOURCES = 50;
const EVERY_S = 10;
const FORMATS = ['atom', 'rss', 'json'];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

it(`${READERS} readers for ${SECONDS} s while ${SOURCES} sources are fetched every ${EVERY_S} s: no failed request, no skipped poll`, async () => {
  const ids = Array.from({ length: SOURCES }, (_, i) => `bron-${i}`);
  const pages: Record<string, Handler> = {};
  for (const id of ids) pages[id] = textPage(wirePage(id));
  const site = await startFaultSite(pages);
  afterThisTest(() => site.close());

  const dir = await tempDir();
  const yaml = [
    'server: { port: 0 }',
    'state: { dir: ./state }',
    'sources:',
    ...ids.map((id) => `  - { id: ${id}, title: Bron ${id}, url: ${site.url}/${id}, lang: nl, schedule: "*/${EVERY_S} * * * * *" }`),
  ].join('\n');
  // A cron expression with seconds must pass config validation.
  expect((await writeConfig(dir, yaml)).sources[0]!.schedule).toBe(`*/${EVERY_S} * * * * *`);
  const configFile = join(dir, 'wirefeed.yaml');
  await writeFile(configFile, yaml);
  const daemon = await startDaemonProcess(['--config', configFile]);
  afterThisTest(async () => void (await daemon.kill('SIGTERM')));
  await waitFor('every source to be fetched once', () => ids.every((id) => site.hits(id) >= 1), 30_000);
  await waitFor('every feed to have its stories', async () => {
    const res = await fetch(`${daemon.url}/healthz`);
    const body = (await res.json()) as { sources: Record<string, { stories: number }> };
    return ids.every((id) => body.sources[id]?.stories === 3);
  });

  const pool = new Pool(daemon.url, { connections: READERS, pipelining: 1 });
  afterThisTest(() => pool.close());
  const paths = ids.flatMap((id) => FORMATS.map((f) => `/feeds/${id}.${f}`));
  const etags = new Map<string, string>();
  for (const path of paths) {
    const res = await pool.request({ path, method: 'GET' });
    await res.body.dump();
    etags.set(path, String(res.headers['etag']));
  }

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  const hitsBefore = new Map(ids.map((id) => [id, site.hits(id)]));
  const start = Date.now();
  const until = start + SECONDS * 1000;
  let firstFailureMs: number | null = null;
  const reader = async (n: number): Promise<void> => {
    for (let k = n; Date.now() < until; k += READERS) {
      const path = paths[k % paths.length]!;
      const conditional = k % 2 === 0;
      const headers: Record<string, string> = conditional ? { 'if-none-match': etags.get(path)! } : {};
      const t0 = performance.now();
      try {
        const res = await pool.request({ path, method: 'GET', headers, headersTimeout: 30_000, bodyTimeout: 30_000 });
        await res.body.dump();
        latencies.push(performance.now() - t0);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const expected = conditional ? 304 : 200;
        if (res.statusCode !== expected) failures.push(`${path} (${conditional ? 'conditional' : 'plain'}): ${res.statusCode}`);
      } catch (err) {
        firstFailureMs ??= Date.now() - start;
        failures.push(`${path}: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: READERS }, (_, n) => reader(n)));
  const fetched = ids.map((id) => site.hits(id) - hitsBefore.get(id)!);

  latencies.sort((a, b) => a - b);
  const served = latencies.length;
  console.log(
    `load: ${READERS} readers, ${SECONDS} s: ${served} requests served (${Math.round(served / SECONDS)}/s; ` +
      `${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}), latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ` +
      `polls per source in the window: min ${Math.min(...fetched)}, max ${Math.max(...fetched)} (expected ${Math.floor(SECONDS / EVERY_S)} ± 1), ${failures.length} failures`,
  );
  if (failures.length > 0) console.log(`first failure after ${firstFailureMs} ms; daemon ${processAlive(daemon.pid) ? 'still running' : 'gone'}; log tail:\n${daemon.lines.slice(-15).join('\n')}`);
  expect(failures.slice(0, 10)).toEqual([]);
  expect(served).toBeGreaterThan(0);
  // Every poll ran: each source was fetched once per tick in the window (the window's edges may add or drop one).
  const expected = Math.floor(SECONDS / EVERY_S);
  expect(fetched.filter((n) => n < expected - 1 || n > expected + 1)).toEqual([]);
  // The daemon logged no failed fetch and no missed cron run.
  expect(daemon.lines.filter((l) => / (warn|error) /.test(l) || l.includes('schedule:'))).toEqual([]);
});
