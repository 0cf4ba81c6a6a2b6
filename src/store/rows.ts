/**
 * What both backends read and write, named once: the story columns ingest writes and the row
 * shapes a query gives back. A column added to one backend and not the other is a type error here,
 * not a story that reads back differently. Only the boolean column's type differs (SQLite has none).
 */
import { WirefeedError } from '../errors.js';
import type { Lang, SourceState, StoredStory } from '../model.js';
import type { ExportedStory, FullTextDue, ListedStory } from './index.js';

/** Columns ingest's upsert writes, in parameter order; the full-text columns are written by putFullText only. */
export const STORY_COLUMNS = 'id, keys, lead_key, sources, origin, headline, headline_derived, place, agencies, section, body, body_hash, link, author, image, lang, first_seen, last_seen, published_earliest, published_latest, updated';

/** A `stories` row as read, full text included; `B` is how the backend gives a boolean. */
export interface StoryRow<B> {
  id: string;
  keys: string;
  lead_key: string | null;
  sources: string;
  origin: string | null;
  headline: string;
  headline_derived: B;
  place: string | null;
  agencies: string;
  section: string | null;
  body: string;
  body_hash: string;
  link: string | null;
  author: string | null;
  image: string | null;
  lang: string;
  first_seen: string;
  last_seen: string;
  published_earliest: string | null;
  published_latest: string;
  updated: string;
  full_text: string | null;
}

/** A `sources` row: one source's fetch bookkeeping. */
export interface SourceRow {
  id: string;
  etag: string | null;
  last_modified: string | null;
  last_attempt: string | null;
  last_success: string | null;
  last_error: string | null;
  consecutive_failures: number;
  next_attempt_after: string | null;
  content_hash: string | null;
  last_page_at: string | null;
}

/** The full-text bookkeeping columns export reads beside a story row. */
export interface FullTextRow {
  full_text_for: string | null;
  full_text_attempts: number;
  full_text_after: string | null;
}

/** The story with what the full-text step recorded, when it tried (full_text_for is set by every attempt). */
export function withFullTextTried(story: ListedStory, r: FullTextRow): ExportedStory {
  return r.full_text_for === null ? story : { ...story, fullTextTried: { entry: r.full_text_for, attempts: r.full_text_attempts, after: r.full_text_after } };
}

/** A row of the full-text due query (both backends). */
export interface DueRow {
  id: string;
  link: string;
  body: string;
  entry: string;
  attempts: number;
  etag: string | null;
  modified: string | null;
  stored: number;
}

/** The due query's columns for the stored article's validators: only while its link is the story's link. */
export const DUE_VALIDATORS = `CASE WHEN full_text_link = link THEN full_text_etag END AS etag, CASE WHEN full_text_link = link THEN full_text_modified END AS modified,
  CASE WHEN full_text IS NOT NULL AND full_text_link = link THEN 1 ELSE 0 END AS stored`;

export function dueOf(r: DueRow): FullTextDue {
  const validators = r.stored === 1 && (r.etag !== null || r.modified !== null) ? { validators: { etag: r.etag, lastModified: r.modified } } : {};
  return { id: r.id, link: r.link, body: JSON.parse(r.body) as string[], entry: r.entry, attempts: r.attempts, ...validators };
}

/** A text column as the backend gives it → the text it holds (PostgreSQL unescapes U+0000; SQLite holds text as is). */
export type ReadText = <T extends string | null>(t: T) => T;

/** A `stories` row → the story (`text` reads each text column; JSON columns are parsed as they are). */
export function toStory<B>(r: StoryRow<B>, text: ReadText): ListedStory {
  const sources = JSON.parse(r.sources) as string[];
  return {
    id: text(r.id),
    keys: JSON.parse(r.keys) as string[],
    leadKey: text(r.lead_key),
    sources,
    headline: text(r.headline),
    // SQLite gives 0/1, PostgreSQL a boolean.
    headlineDerived: Boolean(r.headline_derived),
    place: text(r.place),
    agencies: JSON.parse(r.agencies) as string[],
    section: text(r.section),
    body: JSON.parse(r.body) as string[],
    bodyHash: text(r.body_hash),
    link: text(r.link),
    author: text(r.author),
    image: text(r.image),
    lang: text(r.lang) as Lang,
    firstSeen: text(r.first_seen),
    lastSeen: text(r.last_seen),
    publishedEarliest: text(r.published_earliest),
    publishedLatest: text(r.published_latest),
    updated: text(r.updated),
    origin: r.origin === null ? sources[0]! : text(r.origin),
    ...(r.full_text === null ? {} : { fullText: text(r.full_text) }),
  };
}

/** A `sources` row → the source's bookkeeping. */
export function toSource(r: SourceRow, text: ReadText): SourceState {
  return {
    etag: text(r.etag),
    lastModified: text(r.last_modified),
    lastAttempt: text(r.last_attempt),
    lastSuccess: text(r.last_success),
    lastError: text(r.last_error),
    consecutiveFailures: r.consecutive_failures,
    nextAttemptAfter: text(r.next_attempt_after),
    contentHash: text(r.content_hash),
    lastPageAt: text(r.last_page_at),
  };
}

/** What is held of a story that a write moves between sources: its sources and its origin (text as read). */
export interface HeldListing {
  sources: readonly string[];
  origin: string | null;
}

/** `counts[source]` moved by `delta`. */
function bump(counts: Map<string, number>, source: string, delta: number): void {
  counts.set(source, (counts.get(source) ?? 0) + delta);
}

/**
 * A story put over what is held of it (undefined: a new story), in both backends' bookkeeping:
 * every source it was or is listed under is touched, and each source's listing count moves by
 * the listing it gains (+1) or loses (−1). Returns the story's origin: the first home it moved
 * away from stays its origin.
 */
export function relisted(story: StoredStory, held: HeldListing | undefined, touched: Set<string> | null, counts: Map<string, number>): string | null {
  const home = story.sources[0];
  if (home === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
  const before = new Set(held?.sources ?? []);
  const after = new Set(story.sources);
  for (const s of before) touched?.add(s);
  for (const s of after) touched?.add(s);
  for (const s of after) if (!before.has(s)) bump(counts, s, 1);
  for (const s of before) if (!after.has(s)) bump(counts, s, -1);
  if (held === undefined) return null;
  return held.origin ?? (held.sources[0] !== home ? held.sources[0]! : null);
}

/**
 * `sourceId` lets a held story go (retention): its sources touched, the source's count down one.
 * Returns the sources it keeps (none: the story goes) and its origin then, or null when it was
 * not listed under `sourceId`.
 */
export function unlisted(held: HeldListing, sourceId: string, touched: Set<string>, counts: Map<string, number>): { sources: string[]; origin: string | null } | null {
  if (!held.sources.includes(sourceId)) return null;
  for (const s of held.sources) touched.add(s);
  bump(counts, sourceId, -1);
  const sources = held.sources.filter((s) => s !== sourceId);
  return { sources, origin: held.origin ?? (sources[0] !== held.sources[0] ? held.sources[0]! : null) };
}
