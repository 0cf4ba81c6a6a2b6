/**
 * The full-text step (issue 18), after a page's stories are committed: a source with `fullText`
 * has each new or changed story's own article fetched (the source's fetcher: same limits, redirect
 * rules, user agent), extracted and stored. Politely: one request at a time per host, a gap between
 * two requests to one host, at most `maxPerPoll` articles per poll, an entry never fetched twice
 * unless it changed, a failure retried with backoff up to MAX_ATTEMPTS times. A failure keeps the teaser.
 */
import type { SourceConfig } from '../config/schema.js';
import { describeError, WirefeedError } from '../errors.js';
import { decodeBody, fetchHttp, type FetchContext } from '../fetch/index.js';
import { backoffMs } from '../schedule/index.js';
import type { FullTextDue, Store } from '../store/index.js';
import { extractFullText } from './extract.js';

/** Attempts per entry version; then the teaser is all a feed shows until the entry changes. */
const MAX_ATTEMPTS = 3;

/** Serializes requests per host with a gap between them. */
export interface HostGate {
  /** Run `fn` when no other request to `host` runs and the last one ended at least the gap ago. */
  run<T>(host: string, fn: () => Promise<T>): Promise<T>;
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
  };
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

export interface FullTextDeps {
  store: Store;
  /** The source's fetch context (limits, user agent, redirect rule). */
  fetch: FetchContext;
  /** The clock: an article comes after its page, and is dated when it comes. */
  now: () => Date;
  gate: HostGate;
  /** Backoff unit after a failure (the source's interval; 60 s when it has none). */
  intervalMs: number;
  /** True once the daemon is stopping: no further article is fetched. */
  closing?: () => boolean;
}

export interface FullTextRun {
  /** Articles stored. */
  stored: number;
  /** Attempts that kept the teaser, with why. */
  failed: string[];
}

/** One article: its sanitized HTML, or a WirefeedError saying why not. */
async function fetchArticle(due: FullTextDue, source: SourceConfig, deps: FullTextDeps): Promise<string> {
  const ctx = deps.fetch;
  const res = await deps.gate.run(new URL(due.link).host, () =>
    fetchHttp({ url: due.link, etag: null, lastModified: null, userAgent: ctx.userAgent, now: deps.now(), allowPrivateRedirects: ctx.allowPrivateRedirects }, ctx.http),
  );
  if (res.status !== 'ok') throw new WirefeedError('fetch', 'E_PROTOCOL', `E_PROTOCOL: GET ${due.link}: 304 to a request without validators`);
  const type = res.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!HTML_TYPES.has(type)) throw new WirefeedError('extract', 'E_NOT_HTML', `E_NOT_HTML: ${res.finalUrl}: ${type || 'no content type'}, not an HTML page`);
  const decoded = decodeBody(res.bytes, res.contentType);
  const article = extractFullText(decoded.text, res.finalUrl, { teaser: due.body.join(' '), ...(source.fullText?.selector ? { selector: source.fullText.selector } : {}) });
  if (article === null) throw new WirefeedError('extract', 'E_NO_ARTICLE', `E_NO_ARTICLE: ${res.finalUrl}: no article longer than the teaser`);
  return article.html;
}

/** Fetch and store the articles due for one source; never throws for an article's failure. */
export async function fetchFullTexts(source: SourceConfig, deps: FullTextDeps): Promise<FullTextRun> {
  const run: FullTextRun = { stored: 0, failed: [] };
  if (source.fullText === null) return run;
  const due = await deps.store.fullTextDue(source.id, deps.now().toISOString(), MAX_ATTEMPTS, source.fullText.maxPerPoll);
  for (const story of due) {
    if (deps.closing?.()) break;
    if (story.link === source.url) {
      // The listing page itself: no article of its own, never worth a request.
      await deps.store.putFullText(story.id, { entry: story.entry, html: null, attempts: MAX_ATTEMPTS, after: null, at: deps.now().toISOString() });
      continue;
    }
    const attempts = story.attempts + 1;
    // Stored with the moment the attempt ended: that is when the story changed, and backoff counts from it.
    try {
      const html = await fetchArticle(story, source, deps);
      await deps.store.putFullText(story.id, { entry: story.entry, html, attempts, after: null, at: deps.now().toISOString() });
      run.stored++;
    } catch (err) {
      const at = deps.now();
      const after = new Date(at.getTime() + backoffMs(attempts, deps.intervalMs || 60_000, null)).toISOString();
      await deps.store.putFullText(story.id, { entry: story.entry, html: null, attempts, after, at: at.toISOString() });
      run.failed.push(describeError(err));
    }
  }
  return run;
}
