/**
 * The instance among others on one state (issue 17): every instance serves; the one the store's
 * coordination lets lead runs the scheduler, the others stand by. When this instance comes to
 * lead it first re-reads every source's bookkeeping from the state, so that the backoff and the
 * last fetch another instance recorded hold (scheduler's notBefore). What another instance
 * commits reaches this one as a notice: the feeds of the sources it touched render anew, and the
 * bookkeeping /healthz and the index page show is read again.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule/index.js';
import type { Metrics } from '../serve/index.js';
import type { ChangeNotice, Coordination, Store } from '../store/index.js';
import type { SourceBook } from './book.js';
import type { Wiring } from './wiring.js';

/** The longest a standby waits before it tries to take over, whatever the schedules. */
const MAX_TAKEOVER_MS = 30_000;

export type Role = 'scheduler' | 'standby';

export interface ClusterDeps {
  store: Store;
  book: SourceBook;
  metrics: Metrics;
  log: Logger;
  wiring(): Wiring;
  /** Start the schedules and watchers; `resume`: the first fetch of each source waits for what another instance fetched last. */
  startSchedules(resume: boolean): Scheduler;
}

export interface Cluster {
  role(): Role;
  /** Why the database cannot be reached now (PostgreSQL), null while it can. */
  unreachable(): string | null;
  /** Resolves when the role is settled and the scheduler, if this instance runs it, has finished its first polls. */
  idle(): Promise<void>;
  /** Stop the schedules, run `change` (a reload's rewiring), start them again when this instance leads. */
  reschedule(change: () => Promise<void>): Promise<void>;
  /** Stop the schedules (waiting ≤ graceMs for polls) and give up the lead. */
  stop(graceMs: number): Promise<void>;
}

/**
 * How often a standby tries to take over: a quarter of the bound the issue sets for a takeover
 * (2 × the shortest schedule, at most 30 s), between 0.5 s and 5 s. A new scheduler's first fetch
 * of a source then follows at its next scheduled time.
 */
function takeoverRetryMs(intervals: Iterable<number>): number {
  let shortest = Infinity;
  for (const ms of intervals) if (ms > 0) shortest = Math.min(shortest, ms);
  const bound = Math.min(2 * shortest, MAX_TAKEOVER_MS);
  return Math.min(5000, Math.max(500, Math.round(bound / 4)));
}

export async function joinCluster(deps: ClusterDeps): Promise<Cluster> {
  const { book, log, metrics } = deps;
  let role: Role = 'standby';
  let unreachable: string | null = null;
  let scheduler: Scheduler | null = null;
  let stopped = false;
  // Role changes and reloads one after another, and the re-reads notices ask for one after
  // another: none sees another half done. Apart, so that a notice waits for no scheduler's stop.
  // Role steps wait for the coordination itself: whether the state is shared decides how to lead.
  let joined: () => void = () => undefined;
  const roles = serialQueue(new Promise<void>((resolve) => (joined = resolve)));
  const reads = serialQueue(Promise.resolve());
  /** A step on an event of the coordination: nobody awaits it, so a failure is logged here. */
  const enqueue = (queue: SerialQueue, what: string, step: () => Promise<void>): void => {
    queue.run(step).catch((err: unknown) => log.error(`${what} failed`, { error: describeError(err) }));
  };
  const sourceIds = (): string[] => [...deps.wiring().sources.keys()];
  metrics.schedulerLeader.set({}, 0);

  /** Feeds render anew at once; what /healthz and the index page show is read after. */
  const heard = (notice: ChangeNotice | null): void => {
    const known = deps.wiring().sources;
    book.changed(notice === null ? known.keys() : notice.touched);
    enqueue(reads, 'reading what another instance committed', () => reread(notice));
  };
  const reread = async (notice: ChangeNotice | null): Promise<void> => {
    const known = deps.wiring().sources;
    if (notice === null) {
      await book.learn(sourceIds(), true);
      return;
    }
    await book.recount(notice.touched.filter((id) => known.has(id)));
    for (const id of notice.sources) if (known.has(id)) book.set(id, await deps.store.source(id));
  };

  let coordination: Coordination | null = null;
  const shared = (): boolean => coordination?.shared ?? false;
  coordination = await deps.store.coordinate(
    {
      lead: () =>
        enqueue(roles, 'taking the lead', async () => {
          if (stopped) return;
          // What the last scheduler recorded (when another instance was it) is what backoff and the first fetches go by.
          if (shared()) await book.learn(sourceIds(), true);
          role = 'scheduler';
          metrics.schedulerLeader.set({}, 1);
          scheduler = deps.startSchedules(shared());
          if (shared()) log.info('scheduler: this instance fetches the sources');
        }),
      standby: (why) =>
        enqueue(roles, 'standing by', async () => {
          role = 'standby';
          metrics.schedulerLeader.set({}, 0);
          const running = scheduler;
          scheduler = null;
          if (running === null) return;
          log.warn('scheduler: lock lost, this instance stops fetching', { why });
          await running.stop(10_000);
        }),
      changed: heard,
      unreachable: (why) => {
        if (why === null) log.info('database reachable again');
        else if (unreachable === null) log.error('database unreachable: feeds are served from what is rendered, fetches wait', { why });
        unreachable = why;
      },
    },
    { retryMs: takeoverRetryMs(deps.wiring().intervals.values()), log },
  );
  joined();

  return {
    role: () => role,
    unreachable: () => unreachable,
    async idle() {
      await roles.idle();
      await scheduler?.idle();
    },
    reschedule: (change) =>
      roles.run(async () => {
        const running = scheduler;
        scheduler = null;
        await running?.stop(10_000);
        try {
          await change();
        } finally {
          if (role === 'scheduler' && !stopped) scheduler = deps.startSchedules(shared());
        }
      }),
    async stop(graceMs) {
      stopped = true;
      await roles.idle();
      await reads.idle();
      await scheduler?.stop(graceMs);
      scheduler = null;
      await coordination?.stop();
    },
  };
}

interface SerialQueue {
  /** Run `step` after every step queued before it; its outcome is the caller's. */
  run(step: () => Promise<void>): Promise<void>;
  /** Resolves when every step queued so far has ended. */
  idle(): Promise<void>;
}

/** Steps one after another, the first once `start` resolves. */
function serialQueue(start: Promise<void>): SerialQueue {
  let tail = start;
  return {
    run(step) {
      const run = tail.then(step);
      // The next step waits for this one whatever its outcome: the caller of this one has it.
      tail = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
    idle: () => tail,
  };
}
