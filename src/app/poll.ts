/**
 * The poll use case as the daemon runs it: refresh one source (src/refresh.ts), then tell the
 * feed caches, the index page's counts, the metrics, the log and WebSub what changed, and start
 * the source's full-text pass.
 */
import { pathToFileURL } from 'node:url';
import type { FetchHistory, FetchOutcome } from '../activity/index.js';
import { describeError } from '../errors.js';
import { userAgent, type FetchContext, type HttpOptions } from '../fetch/index.js';
import type { FullTextRun } from '../fulltext/index.js';
import { fullTextPasses } from '../fulltext/passes.js';
import type { Logger } from '../log.js';
import { refreshSource } from '../refresh.js';
import type { Metrics } from '../serve/index.js';
import type { Store } from '../store/index.js';
import type { SourceBook } from './book.js';
import type { Wiring } from './wiring.js';

export interface PollDeps {
  store: Store;
  book: SourceBook;
  metrics: Metrics;
  history: FetchHistory;
  log: Logger;
  version: string;
  now(): Date;
  wiring(): Wiring;
  baseUrl(): string;
  /** Extra HTTP client options (tests). */
  http: Partial<HttpOptions> | undefined;
  sliceMs: number;
  /** Feeds whose content changed (WebSub). */
  notifyChanged(feedIds: readonly string[]): void;
}

export interface Poller {
  /** Fetch and ingest one source (a spool file when `file` is given); never throws. */
  poll(sourceId: string, file?: string): Promise<void>;
  /** Why the state cannot be written (its directory was removed…), null while it can. */
  stateError(): string | null;
  /** No new poll or full-text article from now on; resolves when the full-text passes in flight have ended. */
  close(): Promise<void>;
}

export function createPoller(deps: PollDeps): Poller {
  const { store, book, log, metrics, history, now } = deps;
  let closing = false;
  let stateError: string | null = null;

  const feedsOfSource = (sourceId: string): string[] =>
    [...deps.wiring().specs.values()].filter((s) => s.sourceIds.includes(sourceId)).map((s) => s.id);

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

  // Full text (issue 18): a pass per source after its page's commit; what it did is counted here.
  const fullText = fullTextPasses({ store, now, clock: () => performance.now() });
  const recordFullText = (sourceId: string, run: FullTextRun): void => {
    for (const a of run.articles) {
      metrics.fullTextFetches.inc({ source: sourceId, result: a.result });
      if (a.extractSeconds !== null) metrics.fullTextExtract.observe({ source: sourceId }, a.extractSeconds);
      if (a.reason !== null) log.warn(`full text kept the teaser: ${a.reason}`, { source: sourceId });
    }
    const stored = run.articles.filter((a) => a.result === 'stored').length;
    if (stored === 0) return;
    book.changed([sourceId]);
    deps.notifyChanged(feedsOfSource(sourceId));
    log.info('full text stored', { source: sourceId, articles: stored });
  };

  const poll = async (sourceId: string, file?: string): Promise<void> => {
    const w = deps.wiring();
    const source = w.sources.get(sourceId);
    if (source === undefined || closing) return;
    const at = now();
    const t0 = performance.now();
    const fields: Record<string, string | number> = { source: sourceId };
    const fetch: FetchContext = { now: at, userAgent: userAgent(deps.version, deps.baseUrl()), http: { ...w.config.http, ...deps.http }, allowPrivateRedirects: source.allowPrivateRedirects };
    const r = await refreshSource(
      source,
      { store, scopeOf: w.scopeOf, fetch, intervalMs: w.intervals.get(sourceId) ?? 0, sliceMs: deps.sliceMs, closing: () => closing },
      file !== undefined ? { file: { path: file, spoolEntry: true } } : {},
    );
    if (r.outcome === 'cancelled') return;
    const result: FetchOutcome = r.outcome;
    if (result !== 'error') {
      void fullText.start(source, { fetch, intervalMs: w.intervals.get(sourceId) ?? 0, pageFetched: true })?.then(
        (run) => recordFullText(sourceId, run),
        (err: unknown) => log.error('full text failed', { source: sourceId, error: describeError(err) }),
      );
    }
    book.set(sourceId, r.state);
    if (r.ingest !== null) {
      Object.assign(fields, { new: r.ingest.new, updated: r.ingest.updated, unchanged: r.ingest.unchanged });
      if (r.ingest.dropped > 0) fields['dropped'] = r.ingest.dropped;
      book.changed(r.ingest.touched);
      await book.recount(r.ingest.touched.filter((id) => deps.wiring().sources.has(id)));
      if (r.ingest.changed > 0 || r.ingest.dropped > 0) deps.notifyChanged(feedsOfSource(sourceId));
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

  return {
    poll,
    stateError: () => stateError,
    async close() {
      closing = true;
      // The article in flight is cancelled and stays due for the next start.
      await fullText.stop();
    },
  };
}
