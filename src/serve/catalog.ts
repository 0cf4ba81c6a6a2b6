/**
 * The catalog index: the tables a request path is looked up in (feed by path, by id), built once
 * per catalog, and the token checks for private feeds. Apart from the server so that routing's
 * data can be read without the request handling around it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FeedFormat } from '../model.js';
import type { Representation } from './representation.js';
import type { CatalogFeed } from './types.js';

/** Cache-Control max-age bounds: readers should neither hammer us nor miss a whole day. */
const MAX_AGE_MIN_S = 60;
const MAX_AGE_MAX_S = 3600;
export const FEED_PREFIX = '/feeds/';

/** Formats by path extension; the index is the format's place in the feed cache. */
export const FORMATS: readonly { ext: string; format: FeedFormat; contentType: string }[] = [
  { ext: 'atom', format: 'atom', contentType: 'application/atom+xml; charset=utf-8' },
  { ext: 'rss', format: 'rss', contentType: 'application/rss+xml; charset=utf-8' },
  { ext: 'json', format: 'json', contentType: 'application/feed+json; charset=utf-8' },
];

export interface CatalogEntry {
  feed: CatalogFeed;
  /** SHA-256 of the token: comparing digests keeps timingSafeEqual constant-time for any length. */
  tokenDigest: Buffer | null;
  maxAge: number;
}

export interface FeedPath {
  entry: CatalogEntry;
  format: number;
}

export interface CatalogIndex {
  source: readonly CatalogFeed[];
  /** By path segment (`encodeURIComponent(id)`). */
  byId: Map<string, CatalogEntry>;
  /** By whole request path `/feeds/<segment>.<ext>`: one lookup routes a feed request. */
  byPath: Map<string, FeedPath>;
  publicFeeds: CatalogFeed[];
  privateIds: Set<string>;
  opml: Representation | null;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export function indexCatalog(source: readonly CatalogFeed[]): CatalogIndex {
  const byId = new Map<string, CatalogEntry>();
  const byPath = new Map<string, FeedPath>();
  for (const feed of source) {
    const maxAge = Math.min(MAX_AGE_MAX_S, Math.max(MAX_AGE_MIN_S, Math.round(feed.refreshSeconds)));
    // Keyed by the path segment render's feedUrl publishes (the id, percent-encoded), so the
    // raw request path is compared as it is, never decoded.
    const segment = encodeURIComponent(feed.id);
    const entry: CatalogEntry = { feed, tokenDigest: feed.token === null ? null : sha256(feed.token), maxAge };
    byId.set(segment, entry);
    FORMATS.forEach((f, format) => byPath.set(`${FEED_PREFIX}${segment}.${f.ext}`, { entry, format }));
  }
  return {
    source,
    byId,
    byPath,
    publicFeeds: source.filter((f) => f.token === null),
    privateIds: new Set(source.filter((f) => f.token !== null).map((f) => f.id)),
    opml: null,
  };
}

export function bearerToken(header: string | undefined): string | null {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

export function tokenMatches(digest: Buffer, given: string | null): boolean {
  return given !== null && timingSafeEqual(sha256(given), digest);
}
