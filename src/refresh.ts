/**
 * The refresh use case: one source, once — fetch → extract → parse → resolve ages → ingest, and
 * the source's bookkeeping. The scheduler (through app.ts), `wirefeed ingest` and the tests all
 * call `refreshSource`. A page's stories, what retention lets go and the source's validators are
 * one transaction (ingest): never a validator for stories that are not stored, and nothing a
 * feed shows before it is on disk.
 */
import { createHash } from 'node:crypto';
import { resolveStories } from './ages/index.js';
import type { FetchOutcome as Outcome } from './activity/index.js';
import type { SourceConfig } from './config/schema.js';
import { describeError, WirefeedError } from './errors.js';
import { extractSteps } from './extract/index.js';
import { FetchError, fetchSource, type FetchContext } from './fetch/index.js';
import type { Scope } from './identity/index.js';
import { ingestPage, type IngestResult } from './ingest/index.js';
import type { DatedStory, Document, Lang, SourceState } from './model.js';
import { parseExtractedSteps } from './parse/index.js';
import { backoffMs } from './schedule/index.js';
import { runSteps, runStepsSliced, type Steps } from './steps.js';
import { emptySourceState, type Store } from './store/index.js';

/** A parsed page that yields no story is a failure: a site redesign must not look like a quiet day. */
class NoStoriesError extends WirefeedError {
  constructor(url: string, warnings: readonly string[]) {
    // The parser's own "no stories found" would only repeat the message; its other warnings say why.
    const why = warnings.filter((w) => w !== 'no stories found');
    super('parse', 'E_NO_STORIES', `E_NO_STORIES: ${url}: no stories found${why.length ? ` (${why.join('; ')})` : ''}`);
  }
}

/** A page read and dated, not yet stored. */
export interface ReadPage {
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
export function* readPageSteps(source: SourceConfig, doc: Document, at: Date): Steps<ReadPage> {
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

/** A page read at once (tests, tools). */
export function readPage(source: SourceConfig, doc: Document, at: Date): ReadPage {
  return runSteps(readPageSteps(source, doc, at));
}

function hashText(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export interface RefreshDeps {
  store: Store;
  /** Every configured source's visibility scope (app.ts sourceScopes). */
  scopeOf: (sourceId: string) => Scope | null;
  /** Fetch context; its `now` is the fetch time. */
  fetch: FetchContext;
  /** The source's schedule interval (backoff), 0 when it has none. */
  intervalMs: number;
  /** Read the page in slices of this many ms with turns of the event loop between (the daemon); absent: at once. */
  sliceMs?: number;
  /** True once the daemon is stopping: the refresh ends without writing. */
  closing?: () => boolean;
}

export interface RefreshOptions {
  /** Read this file instead of the source's url/path (a spool entry, or `wirefeed ingest <file>`). */
  file?: { path: string; spoolEntry: boolean };
  /** Fetch without validators and read the page even when its text is unchanged (`wirefeed ingest`). */
  force?: boolean;
}

export interface Refreshed {
  /** 'cancelled': the daemon began stopping meanwhile; nothing was written. */
  outcome: Outcome | 'cancelled';
  ingest: IngestResult | null;
  /** Fetch, parse, ages and ingest warnings. */
  warnings: string[];
  /** What failed ('error'), with the failure to record it when that failed too. */
  error: unknown;
  /** The source's bookkeeping as it is now (as meant, when writing it failed). */
  state: SourceState;
}

/** Fetch one source once and store what it shows; never throws for a failure of the source or the store (outcome 'error'). */
export async function refreshSource(source: SourceConfig, deps: RefreshDeps, opts: RefreshOptions = {}): Promise<Refreshed> {
  const { store } = deps;
  const at = deps.fetch.now;
  const closing = deps.closing ?? (() => false);
  const cancelled = (state: SourceState): Refreshed => ({ outcome: 'cancelled', ingest: null, warnings: [], error: null, state });
  let state = emptySourceState();
  try {
    state = await store.source(source.id);
    const spec = opts.file !== undefined ? { id: source.id, path: opts.file.path, spoolEntry: opts.file.spoolEntry } : { id: source.id, url: source.url, path: source.path };
    const validators = opts.force ? { etag: null, lastModified: null } : { etag: state.etag, lastModified: state.lastModified };
    const outcome = await fetchSource(spec, validators, deps.fetch);
    if (closing()) return cancelled(state);
    const ok = { lastAttempt: at.toISOString(), lastSuccess: at.toISOString(), lastError: null, consecutiveFailures: 0, nextAttemptAfter: null };
    if (outcome.kind === 'not-modified') {
      await store.commit({ sources: { [source.id]: ok } });
      return { outcome: 'not-modified', ingest: null, warnings: [], error: null, state: { ...state, ...ok } };
    }
    const hash = hashText(outcome.document.text);
    const validated = { ...ok, etag: outcome.etag, lastModified: outcome.lastModified };
    if (!opts.force && source.kind !== 'dir' && hash === state.contentHash) {
      // Same bytes as last time: its ages refer to the same moment, so nothing to learn.
      await store.commit({ sources: { [source.id]: validated } });
      return { outcome: 'unchanged-page', ingest: null, warnings: outcome.warnings, error: null, state: { ...state, ...validated } };
    }
    // Read in slices when asked, so that the server and timers get turns; stored at once, so
    // that no feed ever shows half a page.
    const steps = readPageSteps(source, outcome.document, at);
    const page = deps.sliceMs === undefined ? runSteps(steps) : await runStepsSliced(steps, deps.sliceMs, closing);
    if (closing()) return cancelled(state);
    const after = { ...validated, contentHash: hash, lastPageAt: at.toISOString() };
    const r = await ingestPage(store, page.stories, {
      sourceId: source.id,
      at,
      lang: page.lang,
      scopeOf: deps.scopeOf,
      retention: { keep: source.keep, maxAgeDays: source.maxAgeDays },
      source: after,
    });
    return { outcome: 'ok', ingest: r, warnings: [...outcome.warnings, ...page.warnings, ...r.warnings], error: null, state: { ...state, ...after } };
  } catch (err) {
    if (closing()) return cancelled(state);
    const failures = state.consecutiveFailures + 1;
    const retryAfter = err instanceof FetchError ? err.retryAfterMs : null;
    const wait = backoffMs(failures, deps.intervalMs || 60_000, retryAfter);
    const failed = {
      lastAttempt: at.toISOString(),
      lastError: describeError(err),
      consecutiveFailures: failures,
      nextAttemptAfter: source.kind === 'url' ? new Date(at.getTime() + wait).toISOString() : null,
    };
    let error: unknown = err;
    try {
      await store.commit({ sources: { [source.id]: failed } });
    } catch (writeErr) {
      error = new AggregateError([err, writeErr], `${describeError(err)}; and recording it failed: ${describeError(writeErr)}`);
    }
    return { outcome: 'error', ingest: null, warnings: [], error, state: { ...state, ...failed } };
  }
}
