/**
 * What drives ingest: one node-cron job per URL source (the first fetch runs at start when it is due), one
 * chokidar watcher per watched file or spool directory (shared by the sources on it), and
 * backoff after failures. Each poll of a source is independent: a failing source never delays
 * another. At most `maxConcurrent` url polls run at once (miniflux's worker pool, FreshRSS's
 * batches): a thousand sources on one schedule open a handful of connections, not a thousand, and
 * the pages in memory at a time stay few. The others wait their turn in the order they fell due;
 * a slow source holds one turn until its timeouts.
 */
import { realpathSync, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
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
  /**
   * The source must not be fetched before this moment (backoff, Retry-After); null: any time.
   * `first`: asked for the fetch at start, which may wait for what another instance fetched last (issue 17).
   */
  notBefore(sourceId: string, first: boolean): Date | null;
  /** url polls running at once (config http.maxConcurrent). */
  maxConcurrent: number;
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

/** At most `limit` calls of `run` at once; the others start in the order they came, as turns come free. */
class Turns {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = limit;
  }

  async run(fn: () => Promise<void>): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      await fn();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.free += 1;
      else next();
    }
  }
}

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

/** What an lstat says a spool entry is, in words for the log. */
function entryKind(st: Stats): string {
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isDirectory()) return 'directory';
  return 'device';
}

/**
 * The configured spool directory with its symlinks resolved: the operator chose it, so it is
 * followed, while the watcher follows no symlink below it. One that cannot be resolved (not there
 * yet, no access) stays as given: chokidar waits for it or reports what is wrong.
 */
function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** Each watched file or spool directory once, with the sources it drives. */
function watchedPaths(sources: readonly ScheduledSource[]): { kind: 'path' | 'dir'; target: string; sourceIds: string[] }[] {
  const byPath = new Map<string, { kind: 'path' | 'dir'; target: string; sourceIds: string[] }>();
  for (const source of sources) {
    if (source.kind === 'url') continue;
    const target = source.kind === 'path' ? source.path : source.dir;
    if (target === undefined) continue;
    const key = `${source.kind}\0${target}`;
    const w = byPath.get(key) ?? { kind: source.kind, target, sourceIds: [] };
    w.sourceIds.push(source.id);
    byPath.set(key, w);
  }
  return [...byPath.values()];
}

export function startScheduler(sources: readonly ScheduledSource[], deps: SchedulerDeps, opts: SchedulerOptions = {}): Scheduler {
  routeCronLogs(deps.log);
  const debounceMs = opts.debounceMs ?? 300;
  const tasks: ScheduledTask[] = [];
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  /** One poll per source (or spool file) at a time: the key is the source id or id + file. */
  const running = new Map<string, Promise<void>>();
  /** Spool entries that are not regular files, each logged once (until it goes away). */
  const skipped = new Set<string>();
  const turns = new Turns(deps.maxConcurrent);
  let stopped = false;

  /** Poll `sourceId` (its spool `file`) unless a poll of `key` is running or waiting; `limited`: wait for a turn (url sources). */
  const run = (key: string, sourceId: string, file?: string, limited = false): void => {
    if (stopped) return;
    if (running.has(key)) {
      deps.log.debug('poll skipped: previous one still running or waiting for its turn', { source: sourceId });
      return;
    }
    // A poll still waiting when the scheduler stops does not start.
    const poll = (): Promise<void> => (stopped ? Promise.resolve() : deps.poll(sourceId, file));
    const p = (limited ? turns.run(poll) : poll()).finally(() => running.delete(key));
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

  /** A spool entry: read when it is a regular file; anything else is skipped with one warning. */
  const onSpoolFile = async (sourceIds: readonly string[], file: string): Promise<void> => {
    let kind: string;
    try {
      kind = entryKind(await lstat(file));
    } catch (err) {
      // Gone again before we looked: its 'unlink' follows.
      deps.log.debug('spool entry vanished', { source: sourceIds.join(','), file, error: (err as Error).message });
      return;
    }
    if (kind !== 'file') {
      if (!skipped.has(file)) deps.log.warn('spool: skipped, not a regular file', { source: sourceIds.join(','), file: basename(file), kind });
      skipped.add(file);
      return;
    }
    skipped.delete(file);
    for (const id of sourceIds) debounced(`${id}\0${file}`, id, file);
  };

  const tickOf = (source: ScheduledSource) => (first = false): void => {
    const notBefore = deps.notBefore(source.id, first);
    if (notBefore !== null && notBefore.getTime() > deps.now().getTime()) {
      deps.log.debug('poll skipped: not due', { source: source.id, until: notBefore.toISOString() });
      return;
    }
    run(source.id, source.id, undefined, true);
  };

  // One cron job per distinct schedule and zone, ticking each of its sources: creating a job
  // parses its expression and walks dates through Intl to its next run, which for a hundred
  // sources on a handful of schedules was a tenth of the daemon's start. A tick only starts
  // polls, and `run` keeps one poll per source, so sharing a job changes no source's timing.
  const groups = new Map<string, ((first?: boolean) => void)[]>();
  for (const source of sources) {
    if (source.kind !== 'url') continue;
    const tick = tickOf(source);
    const key = `${source.schedule}\0${source.timezone}`;
    let group = groups.get(key);
    if (group === undefined) {
      const ticks: ((first?: boolean) => void)[] = [];
      group = ticks;
      groups.set(key, ticks);
      const tickAll = (): void => {
        for (const t of ticks) t();
      };
      tasks.push(cron.schedule(source.schedule, tickAll, { name: `${source.schedule} (${source.timezone})`, timezone: source.timezone, noOverlap: true }));
    }
    group.push(tick);
    // The first fetch runs at start, unless notBefore says it is not due yet.
    tick(true);
  }

  const readies: Promise<void>[] = [];
  for (const w of watchedPaths(sources)) {
    // chokidar shares its fs.watch handles between watchers of one path, and after a save by
    // rename set up only one of them again: the other sources never saw a later change. So one
    // watcher per path, and its events go to every source on it.
    const root = w.kind === 'dir' ? realDir(w.target) : w.target;
    const watcher = chokidar.watch(root, {
      ignoreInitial: w.kind === 'path',
      depth: 0,
      // A spool's entries are untrusted: a symlink in it is not followed (nor read, see onSpoolFile).
      followSymlinks: w.kind === 'path',
      usePolling: opts.usePolling ?? false,
      interval: 200,
      ignored: w.kind === 'dir' ? (p: string) => p !== root && SPOOL_IGNORE.test(basename(p)) : undefined,
      awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
    });
    watchers.push(watcher);
    const onFile =
      w.kind === 'path'
        ? () => {
            for (const id of w.sourceIds) debounced(id, id);
          }
        : (file: string) => void onSpoolFile(w.sourceIds, file);
    watcher.on('add', onFile).on('change', onFile);
    if (w.kind === 'dir') watcher.on('unlink', (file: string) => skipped.delete(file));
    watcher.on('error', (err) => deps.log.error('watch failed', { source: w.sourceIds.join(','), error: (err as Error).message }));
    readies.push(
      new Promise<void>((resolve) => {
        watcher.once('ready', () => resolve());
      }),
    );
    // A watched file is read once at start; a spool's existing files arrive as 'add' events.
    if (w.kind === 'path') for (const id of w.sourceIds) run(id, id);
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
