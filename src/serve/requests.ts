/**
 * Small request helpers: the fixed (canned) answers and the `?limit=` parsing and stepping.
 * Apart from the server because they are plain values and pure functions, readable on their own.
 */

const DEFAULT_LIMIT = 50;
/**
 * The representations a feed is rendered at: `?limit=n` is served the first step of at least n
 * (capped at the feed's own maximum), so any number of distinct limits costs at most six renders
 * per format and revision, and the same (feed, format, limit) is the same bytes and ETag on
 * every instance. A reader gets at least what it asked for.
 */
const LIMIT_STEPS = [10, 25, 50, 100, 250, 500] as const;
const MAX_LIMIT = 500;

const TEXT = 'text/plain; charset=utf-8';
const ALLOW = 'GET, HEAD';

/** Fixed answers (404, 405, …): one body and header set each, built once. */
export interface Canned {
  status: number;
  body: Buffer;
  headers: readonly string[];
}

function canned(status: number, text: string, extra: readonly string[] = []): Canned {
  const body = Buffer.from(text + '\n');
  return { status, body, headers: ['Content-Type', TEXT, 'Content-Length', String(body.length), 'Cache-Control', 'no-store', ...extra] };
}

export const NOT_FOUND = canned(404, 'not found');
export const METHOD_NOT_ALLOWED = canned(405, 'method not allowed', ['Allow', ALLOW]);
export const BAD_LIMIT = canned(400, 'limit must be a positive whole number');
export const NOT_ACCEPTABLE = canned(406, 'no acceptable content coding (offered: br, gzip, identity)');
export const SERVER_ERROR = canned(500, 'internal error');

/**
 * `?limit=`: absent → default; a positive whole number → the number, more than MAX_LIMIT counting
 * as MAX_LIMIT (as other feed servers cap it); anything else → null (400).
 */
export function parseLimit(raw: string | null): number | null {
  if (raw === null) return DEFAULT_LIMIT;
  if (!/^[1-9]\d*$/.test(raw)) return null;
  return raw.length > 3 ? MAX_LIMIT : Math.min(Number(raw), MAX_LIMIT);
}

/** The entries a request for `limit` is rendered with: the next step up, at most the feed's maximum. */
export function limitStep(limit: number, maxEntries: number): number {
  const step = LIMIT_STEPS.find((s) => s >= limit) ?? MAX_LIMIT;
  return Math.min(step, maxEntries);
}
