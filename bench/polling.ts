/**
 * Figure 9: CPU the daemon spends polling 500 sources against a local server answering 304.
 * The schedule is sped up to every 10 s; the daemon's CPU time (from /proc) over a window is
 * divided by the polls the server counted in it, and scaled to 500 sources × 12 rounds an hour
 * (every 5 minutes).
 */
import { join } from 'node:path';
import { atMost, cpuSeconds, sleep, startDaemon, startUpstream, tempDir, writeDaemonConfig, type Figure } from './lib.js';

const SOURCES = 500;
const ROUNDS_PER_HOUR = 12;
const WINDOW_MS = 30_000;

export async function pollingFigures(): Promise<Figure[]> {
  const tmp = await tempDir('polling');
  const upstream = await startUpstream();
  try {
    const sources = Array.from({ length: SOURCES }, (_, i) => ({ id: `p-${i}`, url: `${upstream.url}/p/${i}`, schedule: '*/10 * * * * *' }));
    const config = await writeDaemonConfig(tmp.dir, join(tmp.dir, 'state'), sources);
    const daemon = await startDaemon(config);
    try {
      // Let the start-up round and one scheduled round pass: connections are open, code is warm.
      const deadline = performance.now() + 30_000;
      while ((await upstream.count()) < 2 * SOURCES && performance.now() < deadline) await sleep(200);
      const cpu0 = await cpuSeconds(daemon.pid);
      const n0 = await upstream.count();
      await sleep(WINDOW_MS);
      const cpu1 = await cpuSeconds(daemon.pid);
      const n1 = await upstream.count();
      const polls = n1 - n0;
      if (polls < SOURCES) throw new Error(`bench: only ${polls} polls in ${WINDOW_MS} ms`);
      const perPoll = (cpu1 - cpu0) / polls;
      const errors = daemon.lines.filter((l) => l.includes('fetch error')).length;
      return [
        {
          name: 'polling-cpu',
          value: perPoll * SOURCES * ROUNDS_PER_HOUR,
          unit: 'CPU s/hour',
          target: atMost(60),
          note: `${polls} polls in ${WINDOW_MS / 1000} s, ${((perPoll * 1e6) | 0)} µs CPU each${errors ? `, ${errors} fetch errors` : ''}`,
        },
      ];
    } finally {
      await daemon.stop();
    }
  } finally {
    await upstream.stop();
    await tmp.remove();
  }
}
