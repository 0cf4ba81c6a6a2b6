/**
 * What drives ingest: one node-cron job per URL source (the first fetch runs at start), a
 * chokidar watcher per watched file or spool directory, and backoff after failures. Each poll
 * of a source is independent: one slow or failing source never delays another.
 */
import { basename } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.js';

/** What the scheduler needs to know of a source. */
export interface ScheduledSource {
  id: string;
  kind: 'url' | 'path' | 'dir';
  schedule: string;
  timezone: string;
  /** Absolute path of the watched file or spool directory (path/dir sources). */
  path?: string | undefined;
  dir?: string | undefined;
}

export interface SchedulerDeps {
  log: Logger;
  now(): Date;
  /** Fetch and ingest a source (a spool file when `file` is given). Must not throw. */
  poll(sourceId: string, file?: string): Promise<void>;
  /** The source must not be fetched before this moment (backoff, Retry-After); null: any time. */
  notBefore(sourceId: string): Date | null;
}

export interface SchedulerOptions {
  /** Quiet time after the last file event before a watched file is read. Default 300 ms. */
  debounceMs?: number;
  /** chokidar polling instead of inotify (for file systems without events). Default false. */
  usePolling?: boolean;
}

export interface Scheduler {
  /** Resolves when the watchers are ready and the first polls have been started. */
  readonly ready: Promise<void>;
  /** Resolves when the watchers are ready and no poll is running (the first polls have finished). */
  idle(): Promise<void>;
  /** Stop every job and watcher; wait up to `graceMs` for polls in flight. */
  stop(graceMs: number): Promise<void>;
}

/** Files a spool writer leaves while still writing, or editors leave behind. */
const SPOOL_IGNORE = /(^\.|~$|\.(tmp|part|swp|crdownload)$)/i;

/** Milliseconds between two runs of a cron expression (the shortest of the next few gaps). */
export function scheduleIntervalMs(expr: string, timezone: string): number {
  const task = cron.createTask(expr, () => undefined, { timezone });
  try {
    const runs = task.getNextRuns(4).map((d) => d.getTime());
    let best = Infinity;
    for (let i = 1; i < runs.length; i++) best = Math.min(best, runs[i]! - runs[i - 1]!);
    return Number.isFinite(best) && best > 0 ? best : 5 * 60_000;
  } finally {
    void task.destroy();
  }
}

/**
 * Backoff after `failures` consecutive failures: the schedule's interval doubled per failure,
 * at most 8 × the interval; a server's Retry-After wins when it asks for longer (capped at a day).
 */
export function backoffMs(failures: number, intervalMs: number, retryAfterMs: number | null): number {
  if (failures <= 0) return 0;
  const wait = Math.min(intervalMs * 2 ** (failures - 1), 8 * intervalMs);
  return Math.max(wait, Math.min(retryAfterMs ?? 0, 86_400_000));
}

let cronLoggerInstalled: Logger | null = null;

/** node-cron writes its warnings (missed executions …) to the console; route them to our log. */
function routeCronLogs(log: Logger): void {
  if (cronLoggerInstalled === log) return;
  cronLoggerInstalled = log;
  cron.setLogger({
    info: (m) => log.debug(`schedule: ${m}`),
    warn: (m) => log.warn(`schedule: ${m}`),
    error: (m, e) => log.error(`schedule: ${m instanceof Error ? m.message : m}${e ? `: ${e.message}` : ''}`),
    debug: (m) => log.debug(`schedule: ${m instanceof Error ? m.message : m}`),
  });
}

export function startScheduler(sources: readonly ScheduledSource[], deps: SchedulerDeps, opts: SchedulerOptions = {}): Scheduler {
  routeCronLogs(deps.log);
  const debounceMs = opts.debounceMs ?? 300;
  const tasks: ScheduledTask[] = [];
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  /** One poll per source (or spool file) at a time: the key is the source id or id + file. */
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const run = (key: string, sourceId: string, file?: string): void => {
    if (stopped) return;
    if (running.has(key)) {
      deps.log.debug('poll skipped: previous one still running', { source: sourceId });
      return;
    }
    const p = deps.poll(sourceId, file).finally(() => running.delete(key));
    running.set(key, p);
  };

  const debounced = (key: string, sourceId: string, file?: string): void => {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        run(key, sourceId, file);
      }, debounceMs),
    );
  };

  const tickOf = (source: ScheduledSource) => (): void => {
    const notBefore = deps.notBefore(source.id);
    if (notBefore !== null && notBefore.getTime() > deps.now().getTime()) {
      deps.log.debug('poll skipped: backing off', { source: source.id, until: notBefore.toISOString() });
      return;
    }
    run(source.id, source.id);
  };

  // One cron job per distinct schedule and zone, ticking each of its sources: creating a job
  // parses its expression and walks dates through Intl to its next run, which for a hundred
  // sources on a handful of schedules was a tenth of the daemon's start. A tick only starts
  // polls, and `run` keeps one poll per source, so sharing a job changes no source's timing.
  const groups = new Map<string, (() => void)[]>();
  for (const source of sources) {
    if (source.kind !== 'url') continue;
    const tick = tickOf(source);
    const key = `${source.schedule}\0${source.timezone}`;
    let group = groups.get(key);
    if (group === undefined) {
      const ticks: (() => void)[] = [];
      group = ticks;
      groups.set(key, ticks);
      const tickAll = (): void => {
        for (const t of ticks) t();
      };
      tasks.push(cron.schedule(source.schedule, tickAll, { name: `${source.schedule} (${source.timezone})`, timezone: source.timezone, noOverlap: true }));
    }
    group.push(tick);
    // The first fetch runs at start.
    tick();
  }

  const readies: Promise<void>[] = [];
  for (const source of sources) {
    if (source.kind === 'url') continue;
    const target = source.kind === 'path' ? source.path : source.dir;
    if (target === undefined) continue;
    const watcher = chokidar.watch(target, {
      ignoreInitial: source.kind === 'path',
      depth: 0,
      usePolling: opts.usePolling ?? false,
      interval: 200,
      ignored: source.kind === 'dir' ? (p: string) => p !== target && SPOOL_IGNORE.test(basename(p)) : undefined,
      awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
    });
    watchers.push(watcher);
    const onFile = (file: string) => {
      if (source.kind === 'path') debounced(source.id, source.id);
      else debounced(`${source.id}\0${file}`, source.id, file);
    };
    watcher.on('add', onFile).on('change', onFile);
    watcher.on('error', (err) => deps.log.error('watch failed', { source: source.id, error: (err as Error).message }));
    readies.push(
      new Promise<void>((resolve) => {
        watcher.once('ready', () => resolve());
      }),
    );
    // A watched file is read once at start; a spool's existing files arrive as 'add' events.
    if (source.kind === 'path') run(source.id, source.id);
  }

  const ready = Promise.all(readies).then(() => undefined);
  return {
    ready,
    async idle(): Promise<void> {
      await ready;
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async stop(graceMs: number): Promise<void> {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.all([...tasks.map((t) => t.destroy()), ...watchers.map((w) => w.close())]);
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([Promise.allSettled([...running.values()]).then(() => 'done' as const), grace]);
      clearTimeout(timer);
      if (outcome === 'timeout') deps.log.warn('stopping with polls still in flight; their results are dropped', { polls: running.size });
    },
  };
}
