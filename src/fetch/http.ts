/**
 * HTTP GET with every limit a fetcher on the open internet needs: connect/headers/body timeouts
 * plus a total deadline, a cap on the decompressed body, redirects followed by hand so that each
 * hop is checked (scheme, loops, and every address its host resolves to, resolved once and
 * connected to as checked), and conditional GET.
 */
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { header, readBody } from './body.js';
import { FetchError, type FetchCode } from './errors.js';
import type { Lookup } from './address.js';
import { agentFor, checkedAddresses } from './pinned.js';

export { closeHttp } from './pinned.js';

/** One fetch of one source. */
export interface HttpRequest {
  url: string;
  /** Stored validators from the last 200, sent as If-None-Match / If-Modified-Since. */
  etag: string | null;
  lastModified: string | null;
  /** `wirefeed/<version> (+<baseUrl>)`, see `userAgent()`. */
  userAgent: string;
  /** Fetch time; Retry-After dates are measured from it. */
  now: Date;
  /** Follow redirects to special-purpose addresses (loopback, private, link-local, …) other than the source's own. */
  allowPrivateRedirects: boolean;
  /** Aborting it ends the fetch at once with E_CANCELLED (a daemon stopping does not wait for a slow page). */
  signal?: AbortSignal;
  /**
   * The page that linked this URL (a full-text article's listing, or a file source's file: URL).
   * A URL on another host is checked as a redirect from that page is — no special-purpose address
   * unless `allowPrivateRedirects` — so that a page cannot send the fetcher into the local network;
   * a URL on the page's own host may use any address, as the page itself may.
   */
  linkedFrom?: string;
}

/** Limits; every field has a default (DEFAULT_HTTP). */
export interface HttpOptions {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  /** Longest pause between two body chunks (undici's bodyTimeout is an idle timeout). */
  bodyTimeoutMs?: number;
  /** Deadline for the whole fetch, redirects included, so a 1 byte/s trickle cannot hold it. */
  totalTimeoutMs?: number;
  /** Cap on the decompressed body. */
  maxBytes?: number;
  maxRedirects?: number;
  /**
   * Treat the source URL's host as public even when it is a loopback or private address.
   * Only for tests, which must serve their "public" source from 127.0.0.1 to exercise the
   * private-redirect rule.
   */
  sourceIsPublic?: boolean;
  /** Resolves host names (default: the system resolver). Tests answer for names with it. */
  lookup?: Lookup;
}

export const DEFAULT_HTTP = {
  connectTimeoutMs: 15_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
} as const;

export type HttpResult =
  | { status: 'not-modified' }
  | {
      status: 'ok';
      bytes: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** URL after redirects. */
      finalUrl: string;
    };

export function userAgent(version: string, baseUrl: string): string {
  return `wirefeed/${version} (+${baseUrl})`;
}

const ACCEPT = 'text/html, text/plain;q=0.9, */*;q=0.5';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type Limits = Required<Omit<HttpOptions, 'sourceIsPublic' | 'lookup'>>;

/** Library error codes → our code and a message. First match along the cause chain wins. */
const ERROR_CODES: Record<string, (l: Limits, url: URL) => [FetchCode, string]> = {
  ENOTFOUND: (_l, u) => ['E_DNS', `cannot resolve ${u.hostname}`],
  EAI_AGAIN: (_l, u) => ['E_DNS', `cannot resolve ${u.hostname} (temporary DNS failure)`],
  EAI_FAIL: (_l, u) => ['E_DNS', `cannot resolve ${u.hostname}`],
  ECONNREFUSED: () => ['E_REFUSED', 'connection refused'],
  EHOSTUNREACH: () => ['E_REFUSED', 'host unreachable'],
  ENETUNREACH: () => ['E_REFUSED', 'network unreachable'],
  ECONNRESET: () => ['E_RESET', 'connection reset'],
  EPIPE: () => ['E_RESET', 'connection reset'],
  UND_ERR_SOCKET: () => ['E_RESET', 'connection closed before the response was complete'],
  UND_ERR_CONNECT_TIMEOUT: (l) => ['E_TIMEOUT', `no connection within ${l.connectTimeoutMs} ms`],
  ETIMEDOUT: (l) => ['E_TIMEOUT', `no connection within ${l.connectTimeoutMs} ms`],
  UND_ERR_HEADERS_TIMEOUT: (l) => ['E_TIMEOUT', `no response headers within ${l.headersTimeoutMs} ms`],
  UND_ERR_BODY_TIMEOUT: (l) => ['E_TIMEOUT', `no body data for ${l.bodyTimeoutMs} ms`],
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: () => ['E_PROTOCOL', 'body length does not match Content-Length'],
  UND_ERR_HEADERS_OVERFLOW: () => ['E_PROTOCOL', 'response headers too large'],
  Z_DATA_ERROR: () => ['E_DECOMPRESS', 'corrupt compressed body'],
  Z_BUF_ERROR: () => ['E_DECOMPRESS', 'truncated compressed body'],
};

function errorCode(err: unknown): string | null {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code in ERROR_CODES) return code;
      // zlib's Brotli errors are named after the decoder state (ERR__ERROR_FORMAT_…).
      if (code.startsWith('ERR__ERROR') || code.startsWith('ERR_BROTLI')) return 'Z_DATA_ERROR';
      if (code.startsWith('HPE_')) return code;
    }
    cur = cur.cause;
  }
  return null;
}

/** Raised through the abort signal when the total deadline passes. */
class DeadlineExceeded extends Error {}

/** Raised through the abort signal when the caller's signal aborts. */
class Cancelled extends Error {}

function toFetchError(err: unknown, url: URL, limits: Limits): FetchError {
  if (err instanceof FetchError) return err;
  const target = { verb: 'GET' as const, url: url.href };
  if (err instanceof DeadlineExceeded) {
    return new FetchError('E_TIMEOUT', target, `not complete within ${limits.totalTimeoutMs} ms`, { cause: err });
  }
  if (err instanceof Cancelled) return new FetchError('E_CANCELLED', target, 'cancelled', { cause: err });
  const code = errorCode(err);
  if (code?.startsWith('HPE_')) return new FetchError('E_PROTOCOL', target, `malformed HTTP response (${code})`, { cause: err });
  const map = code ? ERROR_CODES[code] : undefined;
  if (map) {
    const [fetchCode, detail] = map(limits, url);
    return new FetchError(fetchCode, target, detail, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new FetchError('E_PROTOCOL', target, detail, { cause: err });
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as ms after `now`. */
function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

export async function fetchHttp(req: HttpRequest, opts: HttpOptions = {}): Promise<HttpResult> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_HTTP.connectTimeoutMs;
  const headersTimeoutMs = opts.headersTimeoutMs ?? DEFAULT_HTTP.headersTimeoutMs;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? DEFAULT_HTTP.bodyTimeoutMs;
  const limits: Limits = {
    connectTimeoutMs,
    headersTimeoutMs,
    bodyTimeoutMs,
    totalTimeoutMs: opts.totalTimeoutMs ?? connectTimeoutMs + headersTimeoutMs + bodyTimeoutMs,
    maxBytes: opts.maxBytes ?? DEFAULT_HTTP.maxBytes,
    maxRedirects: opts.maxRedirects ?? DEFAULT_HTTP.maxRedirects,
  };
  const source = new URL(req.url);
  const headers: Record<string, string> = {
    'user-agent': req.userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, br',
  };
  if (req.etag !== null) headers['if-none-match'] = req.etag;
  if (req.lastModified !== null) headers['if-modified-since'] = req.lastModified;

  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new DeadlineExceeded('total deadline')), limits.totalTimeoutMs);
  deadline.unref();
  const cancel = (): void => controller.abort(new Cancelled('cancelled by the caller'));
  if (req.signal?.aborted) cancel();
  req.signal?.addEventListener('abort', cancel);
  const visited = new Set<string>([source.href]);
  /** Special-purpose addresses of the source's own host, which its redirects may reach. */
  const own = new Set<string>();
  let url = source;
  const linker = req.linkedFrom === undefined ? null : new URL(req.linkedFrom);
  let from: URL | null = linker !== null && linker.host !== source.host ? linker : null;
  try {
    for (let hops = 0; ; hops++) {
      let res: Dispatcher.ResponseData;
      try {
        const addresses = await checkedAddresses({ url, from, link: hops === 0 }, own, req, opts, controller.signal);
        const dispatcher = await agentFor(limits.connectTimeoutMs, url.hostname.replace(/^\[|\]$/g, ''), addresses);
        res = await dispatcher.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'GET',
          headers,
          headersTimeout: limits.headersTimeoutMs,
          bodyTimeout: limits.bodyTimeoutMs,
          signal: controller.signal,
        });
      } catch (err) {
        throw toFetchError(controller.signal.aborted ? controller.signal.reason : err, url, limits);
      }
      const target = { verb: 'GET' as const, url: url.href };

      if (REDIRECT_STATUSES.has(res.statusCode)) {
        await res.body.dump();
        const location = header(res.headers, 'location');
        if (location === null) throw new FetchError('E_PROTOCOL', target, `${res.statusCode} redirect without Location`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (err) {
          throw new FetchError('E_PROTOCOL', target, `redirect to invalid URL "${location}"`, { cause: err });
        }
        if (visited.has(next.href)) throw new FetchError('E_REDIRECT_LOOP', target, `redirect loop back to ${next.href}`);
        if (hops + 1 > limits.maxRedirects) {
          throw new FetchError('E_TOO_MANY_REDIRECTS', target, `more than ${limits.maxRedirects} redirects`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new FetchError('E_REDIRECT_SCHEME', target, `redirect to ${next.protocol} URL ${next.href} refused (only http and https)`);
        }
        visited.add(next.href);
        from = url;
        url = next;
        continue;
      }

      if (res.statusCode === 304) {
        await res.body.dump();
        return { status: 'not-modified' };
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        await res.body.dump();
        const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'), req.now);
        const text = `${res.statusCode} ${STATUS_CODES[res.statusCode] ?? ''}`.trim();
        const wait = retryAfterMs === null ? '' : ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`;
        throw new FetchError('E_HTTP_STATUS', target, text + wait, { status: res.statusCode, retryAfterMs });
      }

      let bytes: Uint8Array;
      try {
        bytes = await readBody(res, url, limits);
      } catch (err) {
        throw toFetchError(controller.signal.aborted ? controller.signal.reason : err, url, limits);
      }
      return {
        status: 'ok',
        bytes,
        contentType: header(res.headers, 'content-type'),
        etag: header(res.headers, 'etag'),
        lastModified: header(res.headers, 'last-modified'),
        finalUrl: url.href,
      };
    }
  } finally {
    clearTimeout(deadline);
    req.signal?.removeEventListener('abort', cancel);
  }
}
