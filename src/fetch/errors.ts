import { WirefeedError } from '../errors.js';

/** Why a fetch failed. The scheduler keys backoff and /healthz text on these. */
export type FetchCode =
  | 'E_DNS'
  | 'E_REFUSED'
  | 'E_RESET'
  | 'E_TIMEOUT'
  | 'E_HTTP_STATUS'
  | 'E_TOO_LARGE'
  | 'E_REDIRECT_LOOP'
  | 'E_TOO_MANY_REDIRECTS'
  | 'E_REDIRECT_SCHEME'
  | 'E_PRIVATE_REDIRECT'
  | 'E_DECOMPRESS'
  | 'E_EMPTY'
  | 'E_BINARY'
  | 'E_PROTOCOL'
  | 'E_FILE'
  | 'E_NOT_REGULAR'
  /** The caller's AbortSignal ended the fetch (shutdown): not a failure of the page. */
  | 'E_CANCELLED';

/**
 * A failed fetch. Message: `fetch: E_TIMEOUT: GET https://…: no response headers within 15000 ms`
 * (`READ file:///…` for files); the underlying undici, zlib or fs error is the `cause`.
 */
export class FetchError extends WirefeedError {
  declare readonly code: FetchCode;
  readonly url: string;
  /** HTTP status for E_HTTP_STATUS, else null. */
  readonly status: number | null;
  /** Delay the server asked for with Retry-After, in ms from the fetch's `now`; null when none. */
  readonly retryAfterMs: number | null;

  constructor(
    code: FetchCode,
    target: { verb: 'GET' | 'READ'; url: string },
    detail: string,
    extra: { cause?: unknown; status?: number; retryAfterMs?: number | null } = {},
  ) {
    super('fetch', code, `${code}: ${target.verb} ${target.url}: ${detail}`, { cause: extra.cause });
    this.name = 'FetchError';
    this.url = target.url;
    this.status = extra.status ?? null;
    this.retryAfterMs = extra.retryAfterMs ?? null;
  }
}
