/**
 * The daemon, wired: config → store → scheduler (fetch → extract → parse → resolve → ingest)
 * and the HTTP server over the store. Everything here can be started in-process by a test;
 * signals, argv and exit codes belong to src/main.ts.
 */
import { pathToFileURL } from 'node:url';
import { FetchHistory, HOURS, sourceActivity, type FetchOutcome } from './activity/index.js';
import type { LoadedConfig } from './config/load.js';
import type { SourceConfig } from './config/schema.js';
import { describeError } from './errors.js';
import { sourceScope, type Scope } from './identity/index.js';
import { closeHttp, userAgent, type FetchContext, type HttpOptions } from './fetch/index.js';
import type { HostGate } from './fulltext/index.js';
import { forgetLastPage, separateScopes } from './ingest/index.js';
import type { Logger } from './log.js';
import type { FeedView, Lang, SourceState } from './model.js';
import { refreshSource } from './refresh.js';
import type { FeedListing, Headline } from './render/index.js';
import { scheduleIntervalMs, startScheduler, type Scheduler, type SchedulerOptions } from './schedule/index.js';
import { buildFeedView, selectStories, type FeedSpec, type SourceInfo } from './select/index.js';
import { createMetrics, startServer, type CatalogFeed, type Metrics, type RunningServer } from './serve/index.js';
import { emptySourceState, openStore, type Store } from './store/index.js';

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

/** Headlines a feed shows on the index page. */
const INDEX_HEADLINES = 3;

/**
 * A feed's failing sources as anyone who can open the index may see them: a public source's
 * error as it is, a private one's only as a count, since its error names its URL (which may hold
 * an API key) and its id. Null when none fails.
 */
export function publicError(sources: readonly { private: boolean; error: string | null }[]): string | null {
  const failing = sources.filter((s) => s.error !== null);
  const hidden = failing.filter((s) => s.private).length;
  const shown = failing.flatMap((s) => (s.private || s.error === null ? [] : [s.error]));
  if (hidden > 0) shown.push(hidden === 1 ? 'a private source failing' : `${hidden} private sources failing`);
  return shown.length === 0 ? null : shown.join('; ');
}

/** Each configured source's visibility scope (a token makes a source a scope of its own); null for others. */
export function sourceScopes(sources: readonly SourceConfig[]): (sourceId: string) => Scope | null {
  const scopes = new Map(sources.map((s) => [s.id, sourceScope(s.id, s.token !== undefined)]));
  return (sourceId) => scopes.get(sourceId) ?? null;
}

function concreteLang(lang: SourceConfig['lang']): Lang | null {
  return lang === 'auto' ? null : lang;
}

interface Wiring {
  config: LoadedConfig;
  sources: Map<string, SourceConfig>;
  intervals: Map<string, number>;
  specs: Map<string, FeedSpec>;
  catalog: readonly CatalogFeed[];
  sourceInfo: Map<string, SourceInfo>;
  scopeOf: (sourceId: string) => Scope | null;
}

function wire(config: LoadedConfig, baseUrl: string): Wiring {
  const sources = new Map(config.sources.map((s) => [s.id, s]));
  // Computing a cron interval walks dates through Intl: once per distinct schedule, not per source.
  const byExpr = new Map<string, number>();
  const intervalOf = (s: SourceConfig): number => {
    if (s.kind !== 'url') return 0;
    const key = `${s.schedule}\n${s.timezone}`;
    let ms = byExpr.get(key);
    if (ms === undefined) byExpr.set(key, (ms = scheduleIntervalMs(s.schedule, s.timezone)));
    return ms;
  };
  const intervals = new Map(config.sources.map((s) => [s.id, intervalOf(s)]));
  const pageOf = (s: SourceConfig) => s.link ?? s.url ?? `${baseUrl}/`;
  const sourceInfo = new Map(config.sources.map((s) => [s.id, { title: s.title, pageUrl: pageOf(s) }]));
  const specs = new Map<string, FeedSpec>();
  const catalog: CatalogFeed[] = [];
  const refreshSeconds = (ids: readonly string[]) => {
    const ms = ids.map((id) => intervals.get(id) ?? 0).filter((n) => n > 0);
    return ms.length > 0 ? Math.round(Math.min(...ms) / 1000) : 300;
  };
  for (const s of config.sources) {
    specs.set(s.id, { id: s.id, title: s.title, sourceIds: [s.id], include: [], exclude: [], limit: 500, alternateUrl: pageOf(s), lang: concreteLang(s.lang) });
    catalog.push({ id: s.id, title: s.title, kind: 'source', token: s.token ?? null, htmlUrl: pageOf(s), refreshSeconds: refreshSeconds([s.id]), maxEntries: 500 });
  }
  for (const f of config.feeds) {
    // Nothing a private source contributed reaches a reader who has not shown a token: a public
    // combined feed leaves its private sources out (`wirefeed check` warns about such a config).
    const shown = f.token !== undefined ? f.sources : f.sources.filter((id) => sources.get(id)?.token === undefined);
    // A combined feed has a configured language when all its sources have the same one.
    const langs = new Set(shown.map((id) => sources.get(id)?.lang ?? 'auto'));
    const lang = langs.size === 1 ? concreteLang([...langs][0]!) : null;
    specs.set(f.id, {
      id: f.id,
      title: f.title,
      sourceIds: shown,
      include: f.include ?? [],
      exclude: f.exclude ?? [],
      limit: f.limit,
      alternateUrl: `${baseUrl}/`,
      lang,
    });
    catalog.push({ id: f.id, title: f.title, kind: 'feed', token: f.token ?? null, htmlUrl: `${baseUrl}/`, refreshSeconds: refreshSeconds(shown), maxEntries: f.limit });
  }
  return { config, sources, intervals, specs, catalog, sourceInfo, scopeOf: sourceScopes(config.sources) };
}

const emptySource = emptySourceState();

export async function startApp(opts: AppOptions): Promise<App> {
  const log = opts.log;
  const now = opts.now ?? (() => new Date());
  const sliceMs = opts.sliceMs ?? 20;
  const metrics = createMetrics();
  const startedAt = now();
  // The index page's fetch charts; in memory only, so it starts empty with each process.
  const history = new FetchHistory(startedAt);
  // Port 0 asks for an ephemeral port; a base URL derived from it (`…:0`) follows the bound one.
  let boundUrl: string | null = null;
  const baseUrlOf = (config: LoadedConfig) => (boundUrl !== null && /:0$/.test(config.server.baseUrl) ? boundUrl : config.server.baseUrl);
  let w = wire(opts.config, baseUrlOf(opts.config));
  const store = await openStore(opts.config.state, {
    now,
    onImport: ({ stories, backup }) => log.warn('state imported from JSON files', { stories, backup }),
    onCheckpointError: (err) => log.warn('state checkpoint failed; tried again after the next write', { state: opts.config.state.dir, error: describeError(err) }),
  });
  // Per configured source, in memory: its bookkeeping and story count, which /healthz, the
  // scheduler's backoff and the index page read on every call. One entry per source: flat in
  // history. Kept as committed (or as meant, when a write failed: backoff holds either way).
  const book = new Map<string, SourceState>();
  const counts = new Map<string, number>();
  // Per source, a number that changes whenever a story listed under it changes (feed caches).
  const revisions = new Map<string, number>();
  const changed = (touched: readonly string[]): void => {
    for (const s of touched) revisions.set(s, (revisions.get(s) ?? 0) + 1);
  };
  const recount = async (ids: Iterable<string>): Promise<void> => {
    for (const id of ids) {
      if (!w.sources.has(id)) continue;
      const n = await store.countOf(id);
      counts.set(id, n);
      metrics.storiesStored.set({ source: id }, n);
    }
  };
  const learn = async (): Promise<void> => {
    const states = await store.sources();
    // Every source's count in one query, not one per source.
    const stored = await store.counts();
    for (const id of w.sources.keys()) {
      if (!book.has(id)) book.set(id, states[id] ?? emptySourceState());
      const n = stored[id] ?? 0;
      counts.set(id, n);
      metrics.storiesStored.set({ source: id }, n);
    }
  };
  // Before any feed shows a story: no story may span visibility scopes (ingest separateScopes).
  const separate = async (): Promise<void> => {
    const { split, touched } = await separateScopes(store, w.sources.keys(), w.scopeOf);
    changed(touched);
    if (split > 0) log.warn('stories listed under sources of different visibility split; their bodies return at the next fetch', { stories: split });
  };
  try {
    await separate();
    await learn();
  } catch (err) {
    await store.close();
    throw err;
  }

  let closing = false;
  let server: RunningServer | null = null;
  /** Why the state cannot be written (its directory was removed…), null while it can. */
  let stateError: string | null = null;

  const feedsOfSource = (sourceId: string): string[] =>
    [...w.specs.values()].filter((s) => s.sourceIds.includes(sourceId)).map((s) => s.id);

  /** Found at every poll: a state directory removed under the daemon must not go unnoticed (nothing is written into a deleted file). */
  const checkState = async (): Promise<void> => {
    try {
      await store.check();
      if (stateError !== null) log.info('state writable again', { state: store.location });
      stateError = null;
    } catch (err) {
      if (stateError === null) log.error('state lost: nothing is written until it is back; restart wirefeed', { state: store.location, error: describeError(err) });
      stateError = describeError(err);
    }
  };

  const poll = async (sourceId: string, file?: string): Promise<void> => {
    const source = w.sources.get(sourceId);
    if (source === undefined || closing) return;
    const at = now();
    const t0 = performance.now();
    const fields: Record<string, string | number> = { source: sourceId };
    const fetch: FetchContext = { now: at, userAgent: userAgent(opts.version, baseUrlOf(w.config)), http: { ...w.config.http, ...opts.http }, allowPrivateRedirects: source.allowPrivateRedirects };
    const r = await refreshSource(
      source,
      {
        store,
        scopeOf: w.scopeOf,
        fetch,
        intervalMs: w.intervals.get(sourceId) ?? 0,
        sliceMs,
        closing: () => closing,
      },
      file !== undefined ? { file: { path: file, spoolEntry: true } } : {},
    );
    if (r.outcome === 'cancelled') return;
    const result: FetchOutcome = r.outcome;
    if (result !== 'error') fullText(source, fetch);
    book.set(sourceId, r.state);
    if (r.ingest !== null) {
      Object.assign(fields, { new: r.ingest.new, updated: r.ingest.updated, unchanged: r.ingest.unchanged });
      if (r.ingest.dropped > 0) fields['dropped'] = r.ingest.dropped;
      changed(r.ingest.touched);
      await recount(r.ingest.touched);
      if (r.ingest.changed > 0 || r.ingest.dropped > 0) server?.notifyChanged(feedsOfSource(sourceId));
    }
    for (const warning of r.warnings) log.warn(warning, { source: sourceId });
    if (result === 'error') {
      fields['error'] = describeError(r.error);
      if (r.state.nextAttemptAfter !== null) fields['retryAfter'] = r.state.nextAttemptAfter;
    }
    await checkState();
    const ms = performance.now() - t0;
    metrics.fetches.inc({ source: sourceId, result });
    history.record(sourceId, result, at);
    metrics.fetchDuration.observe({ source: sourceId }, ms / 1000);
    fields['ms'] = Math.round(ms);
    if (file !== undefined) fields['file'] = file;
    (result === 'error' ? log.error : log.info)(`fetch ${result}`, { ...fields, url: source.url ?? pathToFileURL(file ?? source.path ?? source.dir ?? '').href });
  };

  // Full text (issue 18): after the page's own commit, not in its way — feeds show the teaser
  // first. One pass per source at a time; one gate for all sources, so a host shared by two
  // sources still gets one request at a time. Loaded on first use: readability, linkedom and
  // sanitize-html are a large part of the bundle that a daemon without full text never needs.
  let gate: HostGate | null = null;
  const fullTextPasses = new Map<string, Promise<void>>();
  const fullText = (source: SourceConfig, fetch: FetchContext): void => {
    if (source.fullText === null || fullTextPasses.has(source.id)) return;
    const pass = import('./fulltext/index.js')
      .then(({ fetchFullTexts, hostGate }) => {
        gate ??= hostGate(1000, () => performance.now());
        return fetchFullTexts(source, { store, fetch, now, gate, intervalMs: w.intervals.get(source.id) ?? 0, closing: () => closing });
      })
      .then(
        (run) => {
          for (const why of run.failed) log.warn(`full text kept the teaser: ${why}`, { source: source.id });
          if (run.stored === 0) return;
          changed([source.id]);
          server?.notifyChanged(feedsOfSource(source.id));
          log.info('full text stored', { source: source.id, articles: run.stored });
        },
        (err: unknown) => log.error('full text failed', { source: source.id, error: describeError(err) }),
      )
      .finally(() => fullTextPasses.delete(source.id));
    fullTextPasses.set(source.id, pass);
  };

  const stateOf = (id: string): SourceState => book.get(id) ?? emptySource;

  const startSchedules = (): Scheduler =>
    startScheduler(
      [...w.sources.values()].map((s) => ({ id: s.id, kind: s.kind, schedule: s.schedule, timezone: s.timezone, path: s.path, dir: s.dir })),
      {
        log,
        now,
        poll,
        notBefore: (id) => {
          const t = stateOf(id).nextAttemptAfter;
          return t === null ? null : new Date(t);
        },
      },
      opts.scheduler,
    );

  const health = (at: Date): { ok: boolean; body: unknown } => {
    let ok = stateError === null;
    const sources: Record<string, unknown> = {};
    let privateN = 0;
    for (const s of w.sources.values()) {
      const st = stateOf(s.id);
      const interval = w.intervals.get(s.id) ?? 0;
      const since = Date.parse(st.lastSuccess ?? startedAt.toISOString());
      const healthy = s.kind === 'url' ? at.getTime() - since <= 3 * interval : st.consecutiveFailures === 0;
      ok &&= healthy;
      // A private source's name is not for anyone who can reach /healthz.
      const key = s.token === undefined ? s.id : `private-${++privateN}`;
      sources[key] = {
        ok: healthy,
        lastSuccess: st.lastSuccess,
        lastAttempt: st.lastAttempt,
        lastError: s.token === undefined ? st.lastError : st.lastError === null ? null : 'failing',
        consecutiveFailures: st.consecutiveFailures,
        stories: counts.get(s.id) ?? 0,
      };
    }
    const body = { status: ok ? 'ok' : 'failing', ...(stateError === null ? {} : { state: stateError }), sources };
    return { ok, body };
  };

  const feedRevision = (id: string): number => {
    let rev = 0;
    for (const s of w.specs.get(id)?.sourceIds ?? []) rev += revisions.get(s) ?? 0;
    return rev;
  };

  // A combined feed's count applies its words to the bodies of its stories: counted once per change.
  const listed = new Map<string, { spec: FeedSpec; rev: number; n: number; top: Headline[] }>();
  const storyCount = async (spec: FeedSpec): Promise<{ n: number; top: Headline[] }> => {
    const rev = feedRevision(spec.id);
    const held = listed.get(spec.id);
    if (held?.spec === spec && held.rev === rev) return held;
    const stories = await selectStories(store, spec, spec.limit);
    // The story's own link, never its source's page (the feeds' fallback): that may be a private source's URL.
    const top = stories.slice(0, INDEX_HEADLINES).map((s) => ({ title: s.headline, link: s.link, published: s.publishedLatest }));
    listed.set(spec.id, { spec, rev, n: stories.length, top });
    return { n: stories.length, top };
  };

  const feedStatus = async (id: string): Promise<FeedListing['status']> => {
    const spec = w.specs.get(id);
    const sources = (spec?.sourceIds ?? []).map((s) => w.sources.get(s)).filter((s): s is SourceConfig => s !== undefined);
    const states = sources.map((s) => stateOf(s.id));
    const lastFetch = states.map((s) => s.lastAttempt).filter((t): t is string => t !== null).sort().at(-1) ?? null;
    const lastError = publicError(sources.map((s, i) => ({ private: s.token !== undefined, error: states[i]?.lastError ?? null })));
    // What the feed holds: a combined feed's include/exclude words apply.
    const { n: stories, top: headlines } = spec === undefined ? { n: 0, top: [] } : await storyCount(spec);
    // Ids are unique across sources and feeds: a spec with a source's id is that source's own feed.
    const own = spec === undefined ? undefined : w.sources.get(spec.id);
    const at = now();
    // The chart's window, an hour wider: storiesPerHour cuts it exactly.
    const since = new Date(at.getTime() - (HOURS + 1) * 3_600_000).toISOString();
    return {
      lastFetch,
      lastError,
      stories,
      headlines,
      timeZone: sources[0]?.timezone ?? 'UTC',
      activity: own === undefined ? null : sourceActivity(own.id, await store.firstSeenSince(own.id, since), history, at),
    };
  };

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
        feedRevision,
        feedView,
        feedStatus,
        health,
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
  boundUrl = running.url;
  w = wire(w.config, baseUrlOf(w.config));

  let scheduler = startSchedules();
  // Listed per source, as counted anyway (a count of every story would read the whole table).
  let listedStories = 0;
  for (const n of counts.values()) listedStories += n;
  log.info('wirefeed listening', { url: running.url, sources: w.sources.size, stories: listedStories, state: store.location });

  return {
    url: running.url,
    store,
    metrics,
    settled: scheduler.idle(),
    pollNow: (id, file) => poll(id, file),
    async reload(config: LoadedConfig): Promise<void> {
      const old = w.config;
      if (config.server.host !== old.server.host || config.server.port !== old.server.port) {
        log.warn('server.host/port changed: restart wirefeed to listen on the new address');
      }
      if (config.state.dir !== old.state.dir) log.warn('state.dir changed: restart wirefeed to use the new state directory');
      if (config.server.feedCacheMb !== old.server.feedCacheMb) log.warn('server.feedCacheMb changed: restart wirefeed to resize the feed cache');
      await scheduler.stop(10_000);
      const before = w.sources;
      w = wire(config, baseUrlOf(config));
      // A source that left the config is not polled again: its last page need not be remembered.
      for (const id of before.keys()) if (!w.sources.has(id)) forgetLastPage(store, id);
      await separate();
      for (const id of book.keys()) if (!w.sources.has(id)) book.delete(id);
      await learn();
      // Counts are per spec; the new wiring made new ones, and a feed that left keeps none.
      listed.clear();
      history.retain(new Set(w.sources.keys()));
      scheduler = startSchedules();
      log.info('config reloaded', { sources: w.sources.size, feeds: config.feeds.length });
    },
    async stop(graceMs = 10_000): Promise<void> {
      await scheduler.stop(graceMs);
      closing = true;
      // A pass stops before its next article; the one in flight ends within the http timeouts, as a poll's page does.
      await Promise.all(fullTextPasses.values());
      await running.close();
      await closeHttp();
      await store.close();
    },
  };
}
