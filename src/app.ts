/**
 * The daemon, wired: config → store → scheduler (fetch → extract → parse → resolve → ingest)
 * and the HTTP server over the store. Everything here can be started in-process by a test;
 * signals, argv and exit codes belong to src/main.ts.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { FetchHistory, sourceActivity, type FetchOutcome } from './activity/index.js';
import { resolveStories } from './ages/index.js';
import type { LoadedConfig } from './config/load.js';
import type { SourceConfig } from './config/schema.js';
import { describeError, WirefeedError } from './errors.js';
import { sourceScope, type Scope } from './identity/index.js';
import { extractSteps } from './extract/index.js';
import { closeHttp, FetchError, fetchSource, userAgent, type FetchContext, type HttpOptions } from './fetch/index.js';
import type { Logger } from './log.js';
import type { DatedStory, Document, FeedView, Lang } from './model.js';
import { parseExtractedSteps } from './parse/index.js';
import type { FeedListing, Headline } from './render/index.js';
import { backoffMs, scheduleIntervalMs, startScheduler, type Scheduler, type SchedulerOptions } from './schedule/index.js';
import { buildFeedView, feedStories, type FeedSpec, type SourceInfo } from './select/index.js';
import { createMetrics, startServer, type CatalogFeed, type Metrics, type RunningServer } from './serve/index.js';
import { ingestStories, separateScopes, type IngestResult } from './store/ingest.js';
import { openStore, type Store } from './store/index.js';
import { applyRetention, newestFirst } from './store/retention.js';
import { runSteps, runStepsSliced, type Steps } from './steps.js';

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
  /** Milliseconds between state writes (default 2000). */
  flushEveryMs?: number;
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
  /** Fetch one source now, whatever its schedule (tests, `ingest`). */
  pollNow(sourceId: string, file?: string): Promise<void>;
  /** Swap in a new config: sources, feeds and schedules change; server address and state dir need a restart. */
  reload(config: LoadedConfig): Promise<void>;
  /** Write pending state now. */
  flush(): Promise<void>;
  /** Stop schedules and watchers, wait for polls (≤ graceMs), close the server, flush, unlock. */
  stop(graceMs?: number): Promise<void>;
}

/** A parsed page that yields no story is a failure: a site redesign must not look like a quiet day. */
class NoStoriesError extends WirefeedError {
  constructor(url: string, warnings: readonly string[]) {
    // The parser's own "no stories found" would only repeat the message; its other warnings say why.
    const why = warnings.filter((w) => w !== 'no stories found');
    super('parse', 'E_NO_STORIES', `E_NO_STORIES: ${url}: no stories found${why.length ? ` (${why.join('; ')})` : ''}`);
  }
}

/** A page read and dated, not yet stored. */
interface ReadPage {
  stories: DatedStory[];
  lang: Lang;
  warnings: string[];
}

/** Stories dated per step. */
const DATED_PER_STEP = 1000;

/**
 * One document of one source, read: extract → parse → the first stories the source takes from a
 * page → resolve ages. A step per chunk of work (see steps.ts). Throws E_NO_STORIES when the page
 * yields nothing.
 *
 * A source takes at most `maxStoriesPerPage` stories from one page (more is a broken or hostile
 * page: one warning), and no more than it keeps: stories past `keep` would be stored only to be
 * dropped by retention. The first ones in page order are taken: the top of a page is the newest.
 */
function* readPageSteps(source: SourceConfig, doc: Document, at: Date): Steps<ReadPage> {
  const max = source.maxStoriesPerPage;
  const extracted = yield* extractSteps(doc, { format: source.format, ...(source.selectors ? { selectors: source.selectors } : {}), maxItems: max });
  const parsed = yield* parseExtractedSteps(extracted, { lang: source.lang });
  if (parsed.stories.length === 0) throw new NoStoriesError(doc.url, parsed.warnings);
  const warnings = [...parsed.warnings];
  // Items past the cap were counted, not read: each would have been a story.
  const found = parsed.stories.length + (extracted.kind === 'items' ? (extracted.unread ?? 0) : 0);
  if (found > max) warnings.push(`page has ${found} stories, more than maxStoriesPerPage (${max}): kept the first ${max}`);
  const taken = parsed.stories.slice(0, Math.min(max, source.keep));
  const stories: DatedStory[] = [];
  for (let i = 0; i < taken.length; i += DATED_PER_STEP) {
    if (i > 0) yield;
    const dated = resolveStories(taken.slice(i, i + DATED_PER_STEP), { now: at, timeZone: source.timezone, lang: parsed.lang });
    for (const story of dated.stories) stories.push(story);
    warnings.push(...dated.warnings);
  }
  return { stories, lang: parsed.lang, warnings };
}

/** `scopeOf`: every configured source's scope (sourceScopes), so that stories merge only within a scope. */
function storePage(store: Store, source: SourceConfig, page: ReadPage, at: Date, scopeOf: (sourceId: string) => Scope | null): IngestResult {
  const result = ingestStories(store, page.stories, { sourceId: source.id, at, lang: page.lang, scopeOf });
  return { ...result, warnings: [...page.warnings, ...result.warnings] };
}

/**
 * One document of one source into the store: extract → parse → resolve ages → ingest, all at
 * once (`wirefeed ingest`, tests; the daemon reads a page in slices, see `poll`).
 * Throws E_NO_STORIES when the page yields nothing.
 */
export function ingestDocument(
  store: Store,
  source: SourceConfig,
  doc: Document,
  at: Date,
  // Safe without the config's scopes: stories of sources it does not name are joined by none.
  scopeOf: (sourceId: string) => Scope | null = sourceScopes([source]),
): IngestResult {
  return storePage(store, source, runSteps(readPageSteps(source, doc, at)), at, scopeOf);
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

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('hex');
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
  const store = await openStore(opts.config.state.dir, {
    onMigrate: (file, from, backup) => log.warn('state migrated', { file, from, backup }),
  });
  // Before any feed shows a story: no story may span visibility scopes (ingest.ts separateScopes).
  const separate = (): void => {
    const split = separateScopes(store, w.sources.keys(), w.scopeOf);
    if (split > 0) log.warn('stories listed under sources of different visibility split; their bodies return at the next fetch', { stories: split });
  };
  separate();
  for (const id of w.sources.keys()) metrics.storiesStored.set({ source: id }, store.countOf(id));

  let closing = false;
  let server: RunningServer | null = null;

  const feedsOfSource = (sourceId: string): string[] =>
    [...w.specs.values()].filter((s) => s.sourceIds.includes(sourceId)).map((s) => s.id);

  const recordFailure = (source: SourceConfig, err: unknown, at: Date): void => {
    const state = store.source(source.id);
    const failures = state.consecutiveFailures + 1;
    const retryAfter = err instanceof FetchError ? err.retryAfterMs : null;
    const interval = w.intervals.get(source.id) || 60_000;
    const wait = backoffMs(failures, interval, retryAfter);
    store.updateSource(source.id, {
      lastAttempt: at.toISOString(),
      lastError: describeError(err),
      consecutiveFailures: failures,
      nextAttemptAfter: source.kind === 'url' ? new Date(at.getTime() + wait).toISOString() : null,
    });
  };

  const poll = async (sourceId: string, file?: string): Promise<void> => {
    const source = w.sources.get(sourceId);
    if (source === undefined || closing) return;
    const at = now();
    const t0 = performance.now();
    const state = store.source(sourceId);
    const fields: Record<string, string | number> = { source: sourceId };
    let result: FetchOutcome = 'ok';
    try {
      const ctx: FetchContext = {
        now: at,
        userAgent: userAgent(opts.version, baseUrlOf(w.config)),
        http: { ...w.config.http, ...opts.http },
        allowPrivateRedirects: source.allowPrivateRedirects,
      };
      const spec = file !== undefined ? { id: sourceId, path: file, spoolEntry: true } : { id: sourceId, url: source.url, path: source.path };
      const outcome = await fetchSource(spec, { etag: state.etag, lastModified: state.lastModified }, ctx);
      if (closing) return;
      const ok = { lastAttempt: at.toISOString(), lastSuccess: at.toISOString(), lastError: null, consecutiveFailures: 0, nextAttemptAfter: null };
      if (outcome.kind === 'not-modified') {
        result = 'not-modified';
        store.updateSource(sourceId, ok);
      } else {
        const hash = hashText(outcome.document.text);
        if (source.kind !== 'dir' && hash === state.contentHash) {
          // Same bytes as last time: its ages refer to the same moment, so nothing to learn.
          result = 'unchanged-page';
          store.updateSource(sourceId, { ...ok, etag: outcome.etag, lastModified: outcome.lastModified });
        } else {
          // Read in slices, so that the server and timers get turns; stored at once, so that no
          // feed ever shows half a page.
          const page = await runStepsSliced(readPageSteps(source, outcome.document, at), sliceMs, () => closing);
          if (closing) return;
          const r = storePage(store, source, page, at, w.scopeOf);
          store.updateSource(sourceId, { ...ok, etag: outcome.etag, lastModified: outcome.lastModified, contentHash: hash, lastPageAt: at.toISOString() });
          const dropped = applyRetention(store, sourceId, { keep: source.keep, maxAgeDays: source.maxAgeDays }, at);
          Object.assign(fields, { new: r.new, updated: r.updated, unchanged: r.unchanged });
          if (dropped > 0) fields['dropped'] = dropped;
          for (const warning of [...outcome.warnings, ...r.warnings]) log.warn(warning, { source: sourceId });
          metrics.storiesStored.set({ source: sourceId }, store.countOf(sourceId));
          if (r.changed > 0 || dropped > 0) server?.notifyChanged(feedsOfSource(sourceId));
        }
      }
    } catch (err) {
      if (closing) return;
      result = 'error';
      recordFailure(source, err, at);
      fields['error'] = describeError(err);
      const next = store.source(sourceId).nextAttemptAfter;
      if (next !== null) fields['retryAfter'] = next;
    }
    const ms = performance.now() - t0;
    metrics.fetches.inc({ source: sourceId, result });
    history.record(sourceId, result, at);
    metrics.fetchDuration.observe({ source: sourceId }, ms / 1000);
    fields['ms'] = Math.round(ms);
    if (file !== undefined) fields['file'] = file;
    (result === 'error' ? log.error : log.info)(`fetch ${result}`, { ...fields, url: source.url ?? pathToFileURL(file ?? source.path ?? source.dir ?? '').href });
  };

  const startSchedules = (): Scheduler =>
    startScheduler(
      [...w.sources.values()].map((s) => ({ id: s.id, kind: s.kind, schedule: s.schedule, timezone: s.timezone, path: s.path, dir: s.dir })),
      {
        log,
        now,
        poll,
        notBefore: (id) => {
          const t = store.source(id).nextAttemptAfter;
          return t === null ? null : new Date(t);
        },
      },
      opts.scheduler,
    );

  const flushEveryMs = opts.flushEveryMs ?? 2000;
  let flushFailing = false;
  const flush = async (): Promise<void> => {
    try {
      await store.flush();
      if (flushFailing) log.info('state written again', { dir: store.dir });
      flushFailing = false;
    } catch (err) {
      // Serving goes on from memory; the pending changes stay and the next tick retries.
      if (!flushFailing) log.error('state write failed; will retry', { dir: store.dir, error: describeError(err) });
      flushFailing = true;
      throw err;
    }
  };
  const flushTimer = setInterval(() => {
    if (store.dirty()) flush().catch(() => undefined); // logged inside flush(); the timer retries
  }, flushEveryMs);

  const health = (at: Date): { ok: boolean; body: unknown } => {
    let ok = true;
    const sources: Record<string, unknown> = {};
    let privateN = 0;
    for (const s of w.sources.values()) {
      const st = store.source(s.id);
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
        stories: store.countOf(s.id),
      };
    }
    return { ok, body: { status: ok ? 'ok' : 'failing', sources } };
  };

  const feedRevision = (id: string): number => {
    let rev = 0;
    for (const s of w.specs.get(id)?.sourceIds ?? []) rev += store.revision(s);
    return rev;
  };

  // A combined feed's count applies its words to every body (read from disk): counted once per change.
  const counts = new Map<string, { spec: FeedSpec; rev: number; n: number; top: Headline[] }>();
  const storyCount = (spec: FeedSpec): { n: number; top: Headline[] } => {
    const rev = feedRevision(spec.id);
    const held = counts.get(spec.id);
    if (held?.spec === spec && held.rev === rev) return held;
    const stories = feedStories(store, spec).sort(newestFirst);
    // The story's own link, never its source's page (the feeds' fallback): that may be a private source's URL.
    const top = stories.slice(0, INDEX_HEADLINES).map((s) => ({ title: s.headline, link: s.link, published: s.publishedLatest }));
    const n = Math.min(stories.length, spec.limit);
    counts.set(spec.id, { spec, rev, n, top });
    return { n, top };
  };

  const feedStatus = (id: string): FeedListing['status'] => {
    const spec = w.specs.get(id);
    const sources = (spec?.sourceIds ?? []).map((s) => w.sources.get(s)).filter((s): s is SourceConfig => s !== undefined);
    const states = sources.map((s) => store.source(s.id));
    const lastFetch = states.map((s) => s.lastAttempt).filter((t): t is string => t !== null).sort().at(-1) ?? null;
    const lastError = publicError(sources.map((s, i) => ({ private: s.token !== undefined, error: states[i]?.lastError ?? null })));
    // What the feed holds: a combined feed's include/exclude words apply.
    const { n: stories, top: headlines } = spec === undefined ? { n: 0, top: [] } : storyCount(spec);
    // Ids are unique across sources and feeds: a spec with a source's id is that source's own feed.
    const own = spec === undefined ? undefined : w.sources.get(spec.id);
    return {
      lastFetch,
      lastError,
      stories,
      headlines,
      timeZone: sources[0]?.timezone ?? 'UTC',
      activity: own === undefined ? null : sourceActivity(own.id, Array.from(store.ofSource(own.id), (s) => s.firstSeen), history, now()),
    };
  };

  const feedView = (id: string, limit: number): FeedView | null => {
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
    clearInterval(flushTimer);
    await store.close();
    throw err;
  }
  const running = server;
  boundUrl = running.url;
  w = wire(w.config, baseUrlOf(w.config));

  let scheduler = startSchedules();
  log.info('wirefeed listening', { url: running.url, sources: w.sources.size, stories: store.size(), state: store.dir });

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
      for (const id of before.keys()) if (!w.sources.has(id)) store.lastPages.forget(id);
      separate();
      // Counts are per spec; the new wiring made new ones, and a feed that left keeps none.
      counts.clear();
      history.retain(new Set(w.sources.keys()));
      scheduler = startSchedules();
      log.info('config reloaded', { sources: w.sources.size, feeds: config.feeds.length });
    },
    flush,
    async stop(graceMs = 10_000): Promise<void> {
      await scheduler.stop(graceMs);
      closing = true;
      clearInterval(flushTimer);
      await running.close();
      await closeHttp();
      await store.close();
    },
  };
}
