/**
 * The full-text step (issue 18), after a page's stories are committed: a source with `fullText`
 * has each new or changed story's own article fetched (the source's fetcher: same limits, redirect
 * rules, user agent), extracted and stored. Politely: one request at a time per host, a gap between
 * two requests to one host, at most `maxPerPoll` articles per poll, an entry never fetched twice
 * unless it changed, a failure retried with backoff up to MAX_ATTEMPTS times. A failure keeps the teaser.
 */
import { pathToFileURL } from 'node:url';
import type { SourceConfig } from '../config/schema.js';
import { describeError, WirefeedError } from '../errors.js';
import { decodeBody, FetchError, fetchHttp, type FetchContext } from '../fetch/index.js';
import { backoffMs } from '../schedule/index.js';
import type { ArticleValidators, Store } from '../store/index.js';
import { extractFullText, type ExtractOptions, type FullText } from './extract.js';

export { articleLines, type FullText } from './extract.js';

/** Attempts per entry version; then the teaser is all a feed shows until the entry changes. */
const MAX_ATTEMPTS = 3;

/** Gap between the end of one article request to a host and the start of the next (issue 18: at least 1 s). */
export const HOST_GAP_MS = 1000;

/** Serializes requests per host with a gap between them. */
export interface HostGate {
  /** Run `fn` when no other request to `host` runs and the last one ended at least the gap ago. */
  run<T>(host: string, fn: () => Promise<T>): Promise<T>;
  /** A request to `host` made outside the gate (the listing page itself) ended now: the next one through the gate keeps the gap to it. */
  noteRequest(host: string): void;
}

/** A gate of `gapMs` between the end of one request to a host and the start of the next; `clock` in ms. */
export function hostGate(gapMs: number, clock: () => number): HostGate {
  const tails = new Map<string, Promise<unknown>>();
  const ended = new Map<string, number>();
  return {
    run<T>(host: string, fn: () => Promise<T>): Promise<T> {
      const turn = (tails.get(host) ?? Promise.resolve()).then(async () => {
        const wait = (ended.get(host) ?? -Infinity) + gapMs - clock();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        try {
          return await fn();
        } finally {
          ended.set(host, clock());
        }
      });
      // The next request waits for this one's end, whatever it came to.
      const tail = turn.then(
        () => undefined,
        () => undefined,
      );
      tails.set(host, tail);
      void tail.then(() => {
        if (tails.get(host) === tail) tails.delete(host);
      });
      return turn;
    },
    noteRequest(host: string): void {
      ended.set(host, Math.max(ended.get(host) ?? -Infinity, clock()));
    },
  };
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** What one article fetch came to, as `/metrics` counts it: a small fixed set. */
export type ArticleResult = 'stored' | 'not_modified' | 'kept_teaser' | 'not_html' | 'http_error' | 'too_large' | 'timeout' | 'blocked' | 'unreachable' | 'error';

/**
 * Error code → result. `kept_teaser`: the page was read, but readability found no article or no
 * more text than the teaser (a paywall or consent stub). `blocked`: a redirect or link the fetcher
 * refuses (a private address, a scheme other than http(s)).
 * Any other code is an `error`.
 */
const RESULT_OF_CODE: Readonly<Record<string, ArticleResult>> = {
  E_NO_ARTICLE: 'kept_teaser',
  E_NOT_HTML: 'not_html',
  E_HTTP_STATUS: 'http_error',
  E_TOO_LARGE: 'too_large',
  E_TIMEOUT: 'timeout',
  E_PRIVATE_REDIRECT: 'blocked',
  E_REDIRECT_SCHEME: 'blocked',
  E_DNS: 'unreachable',
  E_REFUSED: 'unreachable',
  E_RESET: 'unreachable',
};

/** What reading one article needs. */
export interface ArticleDeps {
  /** The source's fetch context (limits, user agent, redirect rule). */
  fetch: FetchContext;
  /** The clock: an article comes after its page, and is dated when it comes. */
  now: () => Date;
  gate: HostGate;
  /** A monotonic clock in ms, for the extraction time. */
  clock: () => number;
  /** Aborted when the daemon stops: the article in flight ends at once (E_CANCELLED). */
  signal?: AbortSignal;
}

/** One article read: stored, unchanged since it was stored (`not_modified`), or why the teaser stays. */
export interface ArticleOutcome {
  link: string;
  result: ArticleResult;
  /** The article, when `result` is `stored`. */
  article: FullText | null;
  /** The response's validators, when `result` is `stored`. */
  validators: ArticleValidators | null;
  /** Why the teaser stays (a WirefeedError's message), null when stored. */
  reason: string | null;
  /** Seconds readability and sanitize-html took, when the page got that far. */
  extractSeconds: number | null;
}

/** True for the fetch error a cancelled article ends in: it is not an attempt. */
function cancelled(err: unknown): boolean {
  return err instanceof FetchError && err.code === 'E_CANCELLED';
}

/**
 * Fetch and extract one article through the host gate. `page` is the URL of the page that links
 * it: an article on another host may not be on a private address (HttpRequest.linkedFrom). Never
 * throws for the article's failure (that is an outcome); throws only when `deps.signal` cancelled it.
 */
export async function readArticle(link: string, page: string, opts: ExtractOptions, deps: ArticleDeps, stored: ArticleValidators | null = null): Promise<ArticleOutcome> {
  const ctx = deps.fetch;
  let extractSeconds: number | null = null;
  try {
    const res = await deps.gate.run(new URL(link).host, () =>
      fetchHttp(
        {
          url: link,
          etag: stored?.etag ?? null,
          lastModified: stored?.lastModified ?? null,
          userAgent: ctx.userAgent,
          now: deps.now(),
          allowPrivateRedirects: ctx.allowPrivateRedirects,
          linkedFrom: page,
          ...(deps.signal ? { signal: deps.signal } : {}),
        },
        ctx.http,
      ),
    );
    if (res.status === 'not-modified') {
      if (stored !== null) return { link, result: 'not_modified', article: null, validators: null, reason: null, extractSeconds };
      throw new WirefeedError('fetch', 'E_PROTOCOL', `E_PROTOCOL: GET ${link}: 304 to a request without validators`);
    }
    const type = res.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!HTML_TYPES.has(type)) throw new WirefeedError('extract', 'E_NOT_HTML', `E_NOT_HTML: ${res.finalUrl}: ${type || 'no content type'}, not an HTML page`);
    const t0 = deps.clock();
    let article: FullText | null;
    try {
      article = extractFullText(decodeBody(res.bytes, res.contentType).text, res.finalUrl, opts);
    } catch (err) {
      throw new WirefeedError('extract', 'E_EXTRACT', `E_EXTRACT: ${res.finalUrl}: the article could not be read`, { cause: err });
    } finally {
      extractSeconds = (deps.clock() - t0) / 1000;
    }
    if (article === null) throw new WirefeedError('extract', 'E_NO_ARTICLE', `E_NO_ARTICLE: ${res.finalUrl}: no article longer than the teaser`);
    return { link, result: 'stored', article, validators: { etag: res.etag, lastModified: res.lastModified }, reason: null, extractSeconds };
  } catch (err) {
    if (cancelled(err)) throw err;
    const code = err instanceof WirefeedError ? err.code : '';
    return { link, result: RESULT_OF_CODE[code] ?? 'error', article: null, validators: null, reason: describeError(err), extractSeconds };
  }
}

export interface FullTextDeps extends ArticleDeps {
  store: Store;
  /** Backoff unit after a failure (the source's interval; 60 s when it has none). */
  intervalMs: number;
}

export interface FullTextRun {
  /** Every article attempted, in order; one cancelled by the signal is not among them (it stays due). */
  articles: ArticleOutcome[];
}

/** Fetch and store the articles due for one source; never throws for an article's failure. */
export async function fetchFullTexts(source: SourceConfig, deps: FullTextDeps): Promise<FullTextRun> {
  const run: FullTextRun = { articles: [] };
  if (source.fullText === null) return run;
  const due = await deps.store.fullTextDue(source.id, deps.now().toISOString(), MAX_ATTEMPTS, source.fullText.maxPerPoll);
  const selector = source.fullText.selector;
  // A file or spool source's page has no host: every article's address is checked.
  const page = source.url ?? pathToFileURL(source.path ?? source.dir ?? '/').href;
  for (const story of due) {
    if (deps.signal?.aborted) break;
    if (story.link === source.url) {
      // The listing page itself: no article of its own, never worth a request.
      await deps.store.putFullText(story.id, { entry: story.entry, html: null, attempts: MAX_ATTEMPTS, after: null, at: deps.now().toISOString() });
      continue;
    }
    let outcome: ArticleOutcome;
    try {
      // An updated story whose link stayed asks with the stored article's validators: a 304 keeps it.
      outcome = await readArticle(story.link, page, { teaser: story.body.join(' '), ...(selector ? { selector } : {}) }, deps, story.validators ?? null);
    } catch (err) {
      // Cancelled (the daemon stops): no attempt is recorded, so the article is due at the next start.
      if (cancelled(err)) break;
      throw err;
    }
    run.articles.push(outcome);
    const at = deps.now();
    if (outcome.result === 'not_modified') {
      // The stored article stands for this entry version too: done, and the story is not changed by it.
      await deps.store.putFullText(story.id, { entry: story.entry, html: null, attempts: 0, after: null, at: at.toISOString() });
      continue;
    }
    const attempts = story.attempts + 1;
    // Stored with the moment the attempt ended: that is when the story changed, and backoff counts from it.
    const after = outcome.article === null ? new Date(at.getTime() + backoffMs(attempts, deps.intervalMs || 60_000, null)).toISOString() : null;
    const validators = outcome.validators === null ? {} : { validators: { link: story.link, ...outcome.validators } };
    await deps.store.putFullText(story.id, { entry: story.entry, html: outcome.article?.html ?? null, attempts, after, at: at.toISOString(), ...validators });
  }
  return run;
}
