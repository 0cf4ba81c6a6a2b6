/**
 * Rendered bytes ready to send, and the budgeted cache that holds them. Everything a response
 * needs is computed once, header arrays included, so that answering from the cache renders
 * nothing, hashes nothing and compresses nothing.
 *
 * A feed's validators (revision, content hash, Last-Modified, 304 headers) are kept apart from
 * its bytes: they are a few hundred bytes, stay while the revision holds, and let a conditional
 * request be answered 304 after the bytes were evicted, with no render at all.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import type { Encoding } from './negotiate.js';

/** One content coding of a representation, with its prebuilt 200 headers (the 304 ones are in Validators). */
export interface Variant {
  body: Buffer;
  /** Flat [name, value, …] array for `res.writeHead`. */
  headers200: readonly string[];
}

export interface RepresentationMeta {
  /** The feedRevision it was built from (-1 for pages that are not feeds). */
  revision: number;
  contentType: string;
  cacheControl: string;
  lastModified: Date | null;
  /** More headers of a 200 (name, value, …), such as the index page's Content-Security-Policy. */
  extraHeaders?: readonly string[];
}

/** What answers a conditional request: everything but the bytes. */
export interface Validators {
  revision: number;
  /** Last-Modified in ms, whole seconds; null: the page sends none. */
  lastModifiedMs: number | null;
  etag: Readonly<Record<Encoding, string>>;
  headers304: Readonly<Record<Encoding, readonly string[]>>;
  /** Headers of a 200 but Content-Length and Content-Encoding, by coding. */
  common: Readonly<Record<Encoding, readonly string[]>>;
}

/**
 * Strong ETag from the uncompressed bytes, so the same bytes get the same tag after any number of
 * evictions and re-renders; each coding's tag carries a suffix inside the quotes, since RFC 9110
 * §8.8.3 makes differently encoded bytes different representations.
 */
const ETAG_SUFFIX: Record<Encoding, string> = { identity: '', gzip: '-gz', br: '-br' };

/** Compressors by coding. Brotli quality 9 stays fast on a 500-entry feed; it runs once per change or eviction. */
const ENCODE: Record<Encoding, (b: Buffer) => Buffer> = {
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

/** Decoders: a cached coding turned back into the plain bytes costs far less than a render. */
const DECODE: Record<Encoding, (b: Buffer) => Buffer> = {
  identity: (b) => b,
  gzip: (b) => gunzipSync(b),
  br: (b) => brotliDecompressSync(b),
};

const CODINGS: readonly Encoding[] = ['identity', 'gzip', 'br'];

export function validatorsFor(plain: Buffer, meta: RepresentationMeta): Validators {
  const hash = createHash('sha256').update(plain).digest('base64url').slice(0, 27);
  const lastModifiedMs = meta.lastModified ? Math.floor(meta.lastModified.getTime() / 1000) * 1000 : null;
  const lastModified = lastModifiedMs === null ? null : new Date(lastModifiedMs).toUTCString();
  const etag = {} as Record<Encoding, string>;
  const headers304 = {} as Record<Encoding, readonly string[]>;
  const common = {} as Record<Encoding, readonly string[]>;
  for (const enc of CODINGS) {
    etag[enc] = `"${hash}${ETAG_SUFFIX[enc]}"`;
    const h = ['ETag', etag[enc], 'Cache-Control', meta.cacheControl, 'Vary', 'Accept-Encoding'];
    if (lastModified) h.push('Last-Modified', lastModified);
    headers304[enc] = h;
    common[enc] = ['Content-Type', meta.contentType, ...h, 'X-Content-Type-Options', 'nosniff', ...(meta.extraHeaders ?? [])];
  }
  return { revision: meta.revision, lastModifiedMs, etag, headers304, common };
}

/**
 * The bytes as their own allocation. zlib's sync calls return a small output as a view into
 * their 16 KB output chunk (and a short Buffer.from is a view into an 8 KB pool): cached as it
 * is, a 9 KB gzipped feed would hold the whole chunk, and the cache's byte budget would count
 * half of what it keeps (measured: 31 MB held for a 16 MB budget, every feed served once).
 */
function owned(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
  bytes.copy(copy);
  return copy;
}

/** The `enc` variant of the plain bytes `plain` (compressed here when enc is not identity). */
export function variantFor(v: Validators, enc: Encoding, plain: Buffer): Variant {
  const body = owned(ENCODE[enc](plain));
  const headers200 = [...v.common[enc], 'Content-Length', String(body.length)];
  if (enc !== 'identity') headers200.push('Content-Encoding', enc);
  return { body, headers200 };
}

/** A page built per catalog or per request (index, OPML): its codings made on first use. */
export interface Representation {
  validators: Validators;
  variant(enc: Encoding): Variant;
}

export function buildRepresentation(plain: Buffer, meta: RepresentationMeta): Representation {
  const validators = validatorsFor(plain, meta);
  const variants: Partial<Record<Encoding, Variant>> = {};
  return { validators, variant: (enc) => (variants[enc] ??= variantFor(validators, enc, plain)) };
}

/** One cached coding: a node of the cache's least-recently-used list. */
class Held {
  prev: Held | null = null;
  next: Held | null = null;

  constructor(
    readonly slot: FeedSlot,
    readonly enc: Encoding,
    readonly variant: Variant,
  ) {}
}

/**
 * One (feed, format, limit): its validators, and whichever codings are cached now. The server
 * asks for a few fixed limits only, so a feed has a bounded number of slots.
 */
export class FeedSlot {
  validators: Validators | null = null;
  readonly held: Record<Encoding, Held | null> = { identity: null, gzip: null, br: null };
}

/**
 * Feed bytes under a byte budget (the sum of cached body lengths, every coding counted), least
 * recently used evicted first. Slots are found by id, then format, then limit: nested maps rather
 * than a joined string key, so a hit allocates nothing; a hit moves its node to the list's head
 * with four pointer writes.
 */
export class FeedCache {
  private readonly feeds = new Map<string, Map<number, FeedSlot>[]>();
  /** Most recently used first. */
  private head: Held | null = null;
  private tail: Held | null = null;
  private heldBytes = 0;
  private heldCount = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes of every cached coding. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Cached codings (one feed in gzip and identity is two). */
  get entries(): number {
    return this.heldCount;
  }

  slot(id: string, format: number, limit: number): FeedSlot {
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
    let slot = byLimit.get(limit);
    if (slot) return slot;
    slot = new FeedSlot();
    byLimit.set(limit, slot);
    return slot;
  }

  /** The cached coding, marked most recently used; undefined when not cached. */
  get(slot: FeedSlot, enc: Encoding): Variant | undefined {
    const h = slot.held[enc];
    if (h === null) return undefined;
    if (h !== this.head) {
      this.unlink(h);
      this.pushHead(h);
    }
    return h.variant;
  }

  /** Any cached coding of the slot, for deriving another one without a render. */
  plainFromHeld(slot: FeedSlot): Buffer | undefined {
    for (const enc of CODINGS) {
      const h = slot.held[enc];
      if (h !== null) return DECODE[enc](h.variant.body);
    }
    return undefined;
  }

  /**
   * Keeps `variant` as the slot's `enc` coding, then evicts least recently used codings until the
   * budget holds. A coding larger than the whole budget is not kept (it is sent, then dropped).
   */
  put(slot: FeedSlot, enc: Encoding, variant: Variant): void {
    const old = slot.held[enc];
    if (old !== null) this.remove(old);
    if (variant.body.length > this.budgetBytes) return;
    const h = new Held(slot, enc, variant);
    slot.held[enc] = h;
    this.pushHead(h);
    this.heldBytes += variant.body.length;
    this.heldCount += 1;
    while (this.heldBytes > this.budgetBytes && this.tail !== null) this.remove(this.tail);
  }

  /** Drops every cached coding of the slot and its validators (the feed changed). */
  forget(slot: FeedSlot): void {
    for (const enc of CODINGS) {
      const h = slot.held[enc];
      if (h !== null) this.remove(h);
    }
    slot.validators = null;
  }

  clear(): void {
    this.feeds.clear();
    this.head = null;
    this.tail = null;
    this.heldBytes = 0;
    this.heldCount = 0;
  }

  private remove(h: Held): void {
    this.unlink(h);
    h.slot.held[h.enc] = null;
    this.heldBytes -= h.variant.body.length;
    this.heldCount -= 1;
  }

  private unlink(h: Held): void {
    if (h.prev) h.prev.next = h.next;
    else this.head = h.next;
    if (h.next) h.next.prev = h.prev;
    else this.tail = h.prev;
    h.prev = null;
    h.next = null;
  }

  private pushHead(h: Held): void {
    h.next = this.head;
    if (this.head) this.head.prev = h;
    this.head = h;
    this.tail ??= h;
  }
}
