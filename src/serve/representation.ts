/**
 * Rendered bytes ready to send: one per (feed, format, limit) and revision. Everything a
 * response needs is computed once here, header arrays included, so that answering a request
 * from the cache renders nothing, hashes nothing and compresses nothing.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Encoding } from './negotiate.js';

/** One content coding of a representation, with its prebuilt header arrays. */
export interface Variant {
  body: Buffer;
  etag: string;
  /** Flat [name, value, …] arrays for `res.writeHead`. */
  headers200: readonly string[];
  headers304: readonly string[];
}

export interface Representation {
  /** The feedRevision it was built from (-1 for pages that are not feeds). */
  revision: number;
  /** Last-Modified in ms, whole seconds; null: the page sends none. */
  lastModifiedMs: number | null;
  variant(enc: Encoding): Variant;
}

export interface RepresentationMeta {
  revision: number;
  contentType: string;
  cacheControl: string;
  lastModified: Date | null;
}

/**
 * Strong ETag from the uncompressed bytes; each coding's tag carries a suffix inside the quotes,
 * since RFC 9110 §8.8.3 makes differently encoded bytes different representations.
 */
const ETAG_SUFFIX: Record<Encoding, string> = { identity: '', gzip: '-gz', br: '-br' };

/** Compressors by coding. Brotli quality 9 stays fast on a 500-entry feed; it runs once per change. */
const COMPRESS: Record<Encoding, (b: Buffer) => Buffer> = {
  identity: (b) => b,
  gzip: (b) => gzipSync(b, { level: 9 }),
  br: (b) =>
    brotliCompressSync(b, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: b.length,
      },
    }),
};

export function buildRepresentation(plain: Buffer, meta: RepresentationMeta): Representation {
  const hash = createHash('sha256').update(plain).digest('base64url').slice(0, 27);
  const lastModifiedMs = meta.lastModified ? Math.floor(meta.lastModified.getTime() / 1000) * 1000 : null;
  const lastModified = lastModifiedMs === null ? null : new Date(lastModifiedMs).toUTCString();
  // Compressed copies are made on the first request that asks for them, then kept.
  const variants: Partial<Record<Encoding, Variant>> = {};
  const make = (enc: Encoding): Variant => {
    const body = COMPRESS[enc](plain);
    const etag = `"${hash}${ETAG_SUFFIX[enc]}"`;
    const common = ['ETag', etag, 'Cache-Control', meta.cacheControl, 'Vary', 'Accept-Encoding'];
    if (lastModified) common.push('Last-Modified', lastModified);
    const headers200 = ['Content-Type', meta.contentType, 'Content-Length', String(body.length), ...common];
    headers200.push('X-Content-Type-Options', 'nosniff');
    if (enc !== 'identity') headers200.push('Content-Encoding', enc);
    return { body, etag, headers200, headers304: common };
  };
  return {
    revision: meta.revision,
    lastModifiedMs,
    variant: (enc) => (variants[enc] ??= make(enc)),
  };
}

/**
 * Representations of every feed, by id, then format, then limit. Nested maps rather than a
 * joined string key, so a cache hit allocates nothing. A feed keeps at most LIMITS_PER_FORMAT
 * distinct limits per format (oldest dropped), so `?limit=1..500` cannot fill the memory.
 */
const LIMITS_PER_FORMAT = 8;

export class FeedCache {
  private readonly feeds = new Map<string, Map<number, Representation>[]>();

  get(id: string, format: number, limit: number): Representation | undefined {
    return this.feeds.get(id)?.[format]?.get(limit);
  }

  set(id: string, format: number, limit: number, rep: Representation): void {
    let formats = this.feeds.get(id);
    if (!formats) {
      formats = [];
      this.feeds.set(id, formats);
    }
    let byLimit = formats[format];
    if (!byLimit) {
      byLimit = new Map();
      formats[format] = byLimit;
    }
    byLimit.delete(limit);
    byLimit.set(limit, rep);
    if (byLimit.size > LIMITS_PER_FORMAT) {
      const oldest = byLimit.keys().next();
      if (!oldest.done) byLimit.delete(oldest.value);
    }
  }

  clear(): void {
    this.feeds.clear();
  }
}
