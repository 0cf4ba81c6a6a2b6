/**
 * Request header logic that decides which bytes to send: content coding (Accept-Encoding,
 * RFC 9110 §12.5.3) and conditional requests (If-None-Match / If-Modified-Since, §13).
 */

/** Codings the server can send, in the order it prefers them when q-values tie. */
export const ENCODINGS = ['br', 'gzip', 'identity'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Parsed Accept-Encoding values by header text: readers send the same few strings again and again. */
const acceptCache = new Map<string, Encoding | null>();
const ACCEPT_CACHE_MAX = 256;
/** Below the smallest q a client can write (0.001). */
const IMPLICIT_IDENTITY_Q = 0.0005;

/**
 * The coding to send for an Accept-Encoding header: the highest q among br, gzip and identity,
 * ties broken by ENCODINGS order; null when none is acceptable (`identity;q=0` with nothing else).
 * No header at all: identity.
 */
export function chooseEncoding(header: string | undefined): Encoding | null {
  if (header === undefined) return 'identity';
  const cached = acceptCache.get(header);
  if (cached !== undefined) return cached;
  const chosen = parseAcceptEncoding(header);
  if (acceptCache.size >= ACCEPT_CACHE_MAX) acceptCache.clear();
  acceptCache.set(header, chosen);
  return chosen;
}

function parseAcceptEncoding(header: string): Encoding | null {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!coding) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([01](?:\.\d{0,3})?)$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    // `x-gzip` is gzip (RFC 9110 §8.4.1.3).
    q.set(coding === 'x-gzip' ? 'gzip' : coding, Math.min(weight, 1));
  }
  const star = q.get('*');
  const weightOf = (enc: Encoding): number => {
    const explicit = q.get(enc);
    if (explicit !== undefined) return explicit;
    if (star !== undefined) return star;
    // identity is acceptable unless excluded (§12.5.3), but a coding the client names beats it;
    // other codings only when listed.
    return enc === 'identity' ? IMPLICIT_IDENTITY_Q : 0;
  };
  let best: Encoding | null = null;
  let bestQ = 0;
  for (const enc of ENCODINGS) {
    const w = weightOf(enc);
    if (w > bestQ) {
      best = enc;
      bestQ = w;
    }
  }
  return best;
}

/**
 * If-None-Match against the selected representation's ETag, with the weak comparison that
 * §13.1.2 prescribes (a `W/` prefix is ignored); `*` matches any current representation.
 */
export function etagMatches(header: string, etag: string): boolean {
  if (header === etag) return true;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return true;
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}

/** If-Modified-Since: true when the resource has not changed since the date (whole seconds). */
export function notModifiedSince(header: string, lastModifiedMs: number): boolean {
  const since = Date.parse(header);
  return !Number.isNaN(since) && lastModifiedMs <= since;
}
