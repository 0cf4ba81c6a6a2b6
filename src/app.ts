/**
 * The daemon, wired: config → store → scheduler (fetch → extract → parse → resolve → ingest)
 * and the HTTP server over the store. Everything here can be started in-process by a test;
 * signals, argv and exit codes belong to src/main.ts. The pieces live in src/app/: the config
 * as looked up (wiring.ts), the instance's view of its sources (book.ts), the poll use case
 * (poll.ts), health and the index page's status (status.ts), the instance among several on one
 * PostgreSQL state: which one schedules, what the others committed (cluster.ts).
 */
import { FetchHistory } from './activity/index.js';
import { SourceBook } from './app/book.js';
import { joinCluster, type Cluster } from './app/cluster.js';
import { createPoller } from './app/poll.js';
import { createStatus } from './app/status.js';
import { wire, type Wiring } from './app/wiring.js';
import type { LoadedConfig } from './config/load.js';
import { describeError } from './errors.js';
import { closeHttp, type HttpOptions } from './fetch/index.js';
import { forgetLastPage, separateScopes } from './ingest/index.js';
import type { Logger } from './log.js';
import type { FeedView } from './model.js';
import { startScheduler, type Scheduler, type SchedulerOptions } from './schedule/index.js';
import { buildFeedView } from './select/index.js';
import { createMetrics, startServer, type Metrics, type RunningServer } from './serve/index.js';
import { openStore, type Store } from './store/index.js';

export { publicError, sourceScopes } from './app/wiring.js';

export interface AppOptions {
  config: LoadedConfig;
  log: Logger;
  version: string;
  now?: () => Date;
  scheduler?: SchedulerOptions;
  /** Extra HTTP client options (tests: `sourceIsPublic`, short timeouts). */
  http?: Partial<HttpOptions>;
  /** Server overrides (tests: port 0). */
  port?: number;
  websubRetryDelaysMs?: readonly number[];
  /** One debug line per HTTP request (only worth it at log level debug). */
  accessLog?: boolean;
  /** Longest stretch of a page's extract/parse/ages work between turns of the event loop, ms (default 20; 0: a turn at every step). */
  sliceMs?: number;
}

export interface App {
  readonly url: string;
  readonly store: Store;
  readonly metrics: Metrics;
  /** Resolves when watchers are ready and the first polls have finished. */
  readonly settled: Promise<void>;
  /** Fetch one source now, whatever its schedule (tests). */
  pollNow(sourceId: string, file?: string): Promise<void>;
  /** Swap in a new config: sources, feeds and schedules change; server address and state dir need a restart. */
  reload(config: LoadedConfig): Promise<void>;
  /** Stop schedules and watchers, wait for polls (≤ graceMs), close the server and the store. */
  stop(graceMs?: number): Promise<void>;
}

export async function startApp(opts: AppOptions): Promise<App> {
  const log = opts.log;
  const now = opts.now ?? (() => new Date());
  const metrics = createMetrics();
  const startedAt = now();
  // The index page's fetch charts; in memory only, so it starts empty with each process.
  const history = new FetchHistory(startedAt);
  // Port 0 asks for an ephemeral port; a base URL derived from it (`…:0`) follows the bound one.
  let boundUrl: string | null = null;
  const baseUrlOf = (config: LoadedConfig) => (boundUrl !== null && /:0$/.test(config.server.baseUrl) ? boundUrl : config.server.baseUrl);
  let w: Wiring = wire(opts.config, baseUrlOf(opts.config));
  const store = await openStore(opts.config.state, {
    now,
    onImport: ({ stories, backup }) => log.warn('state imported from JSON files', { stories, backup }),
    onMigrated: ({ from, to, seconds }) => log.info('state schema migrated', { from, to, seconds: Math.round(seconds * 10) / 10 }),
    onCheckpointError: (err) => log.warn('state checkpoint failed; tried again after the next write', { state: opts.config.state.dir, error: describeError(err) }),
  });
  const book = new SourceBook(store, metrics);
  // Before any feed shows a story: no story may span visibility scopes (ingest separateScopes).
  const separate = async (): Promise<void> => {
    const { split, touched } = await separateScopes(store, w.sources.keys(), w.scopeOf);
    book.changed(touched);
    if (split > 0) log.warn('stories listed under sources of different visibility split; their bodies return at the next fetch', { stories: split });
  };
  try {
    await separate();
    await book.learn([...w.sources.keys()], false);
  } catch (err) {
    await store.close();
    throw err;
  }

  let server: RunningServer | null = null;
  const poller = createPoller({
    store,
    book,
    metrics,
    history,
    log,
    version: opts.version,
    now,
    wiring: () => w,
    baseUrl: () => baseUrlOf(w.config),
    http: opts.http,
    sliceMs: opts.sliceMs ?? 20,
    notifyChanged: (feedIds) => server?.notifyChanged(feedIds),
  });
  let cluster: Cluster | null = null;
  const status = createStatus({
    store,
    book,
    history,
    wiring: () => w,
    now,
    startedAt,
    stateError: () => poller.stateError() ?? cluster?.unreachable() ?? null,
    role: () => cluster?.role() ?? 'standby',
  });

  const startSchedules = (resume: boolean): Scheduler =>
    startScheduler(
      [...w.sources.values()].map((s) => ({ id: s.id, kind: s.kind, schedule: s.schedule, timezone: s.timezone, path: s.path, dir: s.dir })),
      {
        log,
        now,
        poll: poller.poll,
        maxConcurrent: w.config.http.maxConcurrent,
        notBefore: (id, first) => {
          const st = book.stateOf(id);
          let t = st.nextAttemptAfter === null ? null : Date.parse(st.nextAttemptAfter);
          // A new scheduler among several instances does not fetch again at start what the last
          // one fetched less than an interval ago: no poll is doubled by a takeover (issue 17).
          if (first && resume && st.lastAttempt !== null) t = Math.max(t ?? 0, Date.parse(st.lastAttempt) + (w.intervals.get(id) ?? 0));
          return t === null ? null : new Date(t);
        },
      },
      opts.scheduler,
    );

  const feedView = async (id: string, limit: number): Promise<FeedView | null> => {
    const spec = w.specs.get(id);
    if (spec === undefined) return null;
    return buildFeedView(store, spec, limit, { baseUrl: baseUrlOf(w.config), hub: w.config.server.websubHub ?? null, sources: w.sourceInfo });
  };

  try {
    server = await startServer(
      {
        get baseUrl() {
          return baseUrlOf(w.config);
        },
        title: 'wirefeed',
        version: opts.version,
        log,
        metrics,
        // Read at each notification: a reload that adds or changes the hub takes effect at once,
        // as feedView's <link rel="hub"> does.
        get websubHub() {
          return w.config.server.websubHub ?? null;
        },
        catalog: () => w.catalog,
        feedRevision: (id) => book.revision(w.specs.get(id)?.sourceIds ?? []),
        feedView,
        feedStatus: status.feedStatus,
        health: status.health,
        now,
      },
      {
        host: w.config.server.host,
        port: opts.port ?? w.config.server.port,
        maxConnections: w.config.server.maxConnections,
        feedCacheBytes: w.config.server.feedCacheMb * 1024 * 1024,
        accessLog: opts.accessLog ?? false,
        ...(opts.websubRetryDelaysMs ? { websubRetryDelaysMs: opts.websubRetryDelaysMs } : {}),
      },
    );
  } catch (err) {
    await store.close();
    throw err;
  }
  const running = server;
  const wiredFor = baseUrlOf(w.config);
  boundUrl = running.url;
  // Only a base URL that follows the bound port (`…:0`) changes here: wire again for it alone.
  if (baseUrlOf(w.config) !== wiredFor) w = wire(w.config, baseUrlOf(w.config));

  try {
    cluster = await joinCluster({ store, book, metrics, log, wiring: () => w, startSchedules });
  } catch (err) {
    await running.close();
    await store.close();
    throw err;
  }
  const joined = cluster;
  // Listed per source, as counted anyway (a count of every story would read the whole table).
  log.info('wirefeed listening', { url: running.url, sources: w.sources.size, stories: book.listed(), state: store.location });

  return {
    url: running.url,
    store,
    metrics,
    settled: joined.idle(),
    pollNow: (id, file) => poller.poll(id, file),
    async reload(config: LoadedConfig): Promise<void> {
      const old = w.config;
      if (config.server.host !== old.server.host || config.server.port !== old.server.port) {
        log.warn('server.host/port changed: restart wirefeed to listen on the new address');
      }
      if (config.state.dir !== old.state.dir) log.warn('state.dir changed: restart wirefeed to use the new state directory');
      if (config.server.feedCacheMb !== old.server.feedCacheMb) log.warn('server.feedCacheMb changed: restart wirefeed to resize the feed cache');
      await joined.reschedule(async () => {
        const before = w.sources;
        w = wire(config, baseUrlOf(config));
        // A source that left the config is not polled again: its last page need not be remembered.
        for (const id of before.keys()) if (!w.sources.has(id)) forgetLastPage(store, id);
        await separate();
        book.retain(new Set(w.sources.keys()));
        await book.learn([...w.sources.keys()], false);
        // Counts are per spec; the new wiring made new ones, and a feed that left keeps none.
        status.reset();
        history.retain(new Set(w.sources.keys()));
      });
      log.info('config reloaded', { sources: w.sources.size, feeds: config.feeds.length });
    },
    async stop(graceMs = 10_000): Promise<void> {
      await joined.stop(graceMs);
      await poller.close();
      await running.close();
      await closeHttp();
      await store.close();
    },
  };
}
