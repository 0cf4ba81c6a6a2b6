/**
 * The SQLite statements, prepared once per connection, and the rows they read and write (sqlite.ts
 * runs them). Lists (keys, sources, agencies, body) are JSON columns read with the row;
 * `story_keys` (the keys other than the id) and `listings` index the first two for lookups and feeds.
 */
import type Database from 'better-sqlite3';
import type { Lang, SourceState, StoredStory } from '../model.js';
import { wellFormed, type HeldStory, type ListedStory } from './index.js';
import { DUE_VALIDATORS, STORY_COLUMNS, toSource as sourceOf, toStory as storyOf, type DueRow, type FullTextRow, type ReadText, type SourceRow, type StoryRow as Row } from './rows.js';

export type StoryRow = Row<number>;

/** SQLite holds text as it was written. */
const asIs: ReadText = (t) => t;

export function toStory(r: StoryRow): ListedStory {
  return storyOf(r, asIs);
}

/**
 * A row of a page's lookups, read as an array (better-sqlite3's raw mode: an object per row costs
 * more than the query itself) of the rowid and STORY_COLUMNS, without the article: ingest has no
 * use for it, and it can be tens of kB.
 */
export type HeldRow = [
  rowid: number, id: string, keys: string, leadKey: string | null, sources: string, origin: string | null, headline: string,
  headlineDerived: number, place: string | null, agencies: string, section: string | null, body: string, bodyHash: string,
  link: string | null, author: string | null, image: string | null, lang: string, firstSeen: string, lastSeen: string,
  publishedEarliest: string | null, publishedLatest: string, updated: string,
];

const HELD_COLUMNS = `s.rowid, ${STORY_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}`;

/** Lookup rows in row order (SQLite's ORDER BY would copy every row into a sorter) → stories. */
export function heldStories(rows: HeldRow[]): HeldStory[] {
  return rows.sort((a, b) => a[0] - b[0]).map((r) => {
    const sources = JSON.parse(r[4]) as string[];
    return {
      id: r[1],
      keys: JSON.parse(r[2]) as string[],
      leadKey: r[3],
      sources,
      headline: r[6],
      headlineDerived: r[7] !== 0,
      place: r[8],
      agencies: JSON.parse(r[9]) as string[],
      section: r[10],
      body: JSON.parse(r[11]) as string[],
      bodyHash: r[12],
      link: r[13],
      author: r[14],
      image: r[15],
      lang: r[16] as Lang,
      firstSeen: r[17],
      lastSeen: r[18],
      publishedEarliest: r[19],
      publishedLatest: r[20],
      updated: r[21],
      origin: r[5] ?? sources[0]!,
    };
  });
}

export function toSource(r: SourceRow): SourceState {
  return sourceOf(r, asIs);
}

/** Text columns hold well-formed text (wellFormed); JSON columns keep a lone surrogate, escaped. */
export function text<T extends string | null>(t: T): T {
  return (t === null ? t : wellFormed(t)) as T;
}

export function storyParams(s: StoredStory, origin: string | null): unknown[] {
  return [
    text(s.id), JSON.stringify(s.keys), text(s.leadKey), JSON.stringify(s.sources), origin, text(s.headline), s.headlineDerived ? 1 : 0,
    text(s.place), JSON.stringify(s.agencies), text(s.section), JSON.stringify(s.body), text(s.bodyHash), text(s.link), text(s.author),
    text(s.image), text(s.lang), text(s.firstSeen), text(s.lastSeen), text(s.publishedEarliest), text(s.publishedLatest), text(s.updated),
  ];
}

/** The statements, prepared once per connection. */
export function prepare(db: Database.Database) {
  return {
    get: db.prepare<[string], StoryRow>(`SELECT * FROM stories WHERE id = ?`),
    // The story whose id is the key, when the key is among its keys (story_keys has the others).
    withKey: db.prepare<{ key: string }, StoryRow>(
      `SELECT s.* FROM stories s WHERE s.id IN (SELECT story_id FROM story_keys WHERE key = @key)
         OR (s.id = @key AND EXISTS (SELECT 1 FROM json_each(s.keys) WHERE value = @key))
       ORDER BY s.id = @key DESC, s.rowid`,
    ),
    byLeadKey: db.prepare<[string, string, string], StoryRow>(
      `SELECT s.* FROM stories s JOIN listings l ON l.source_id = ? AND l.published_latest = s.published_latest AND l.story_id = s.id
       WHERE s.lead_key = ? AND s.last_seen >= ? ORDER BY s.rowid`,
    ),
    withKeys: db.prepare<{ keys: string }, HeldRow>(
      `SELECT ${HELD_COLUMNS} FROM stories s WHERE s.id IN (
         SELECT story_id FROM story_keys WHERE key IN (SELECT value FROM json_each(@keys)) UNION SELECT value FROM json_each(@keys))`,
    ).raw(),
    // By the lead key index (the IS NOT NULL lets its partial index serve), not by the source's listings.
    byLeadKeys: db.prepare<[string, string, string], HeldRow>(
      `SELECT ${HELD_COLUMNS} FROM stories s
       WHERE s.lead_key IN (SELECT value FROM json_each(?)) AND s.lead_key IS NOT NULL AND s.last_seen >= ?
         AND EXISTS (SELECT 1 FROM listings l WHERE l.source_id = ? AND l.published_latest = s.published_latest AND l.story_id = s.id)`,
    ).raw(),
    leadGroup: db.prepare<[string, string], StoryRow>(
      `SELECT s.* FROM stories s WHERE s.lead_key = ?
       AND EXISTS (SELECT 1 FROM listings l WHERE l.source_id IN (SELECT value FROM json_each(?)) AND l.published_latest = s.published_latest AND l.story_id = s.id)
       ORDER BY s.rowid`,
    ),
    feedOne: db.prepare<[string, number, number], StoryRow>(
      `SELECT s.* FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = ?
       ORDER BY l.published_latest DESC, l.story_id LIMIT ? OFFSET ?`,
    ),
    feedMany: db.prepare<[string, number, number], StoryRow>(
      `WITH ids AS (
         SELECT DISTINCT story_id, published_latest FROM listings WHERE source_id IN (SELECT value FROM json_each(?))
         ORDER BY published_latest DESC, story_id LIMIT ? OFFSET ?)
       SELECT s.* FROM ids JOIN stories s ON s.id = ids.story_id ORDER BY ids.published_latest DESC, ids.story_id`,
    ),
    stamps: db.prepare<[string], { id: string; published_latest: string; last_seen: string }>(
      `SELECT s.id, s.published_latest, s.last_seen FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = ?`,
    ),
    shared: db.prepare<[string], StoryRow>(
      `SELECT s.* FROM listings l JOIN stories s ON s.id = l.story_id
       WHERE l.source_id = ? AND EXISTS (SELECT 1 FROM json_each(s.sources) o WHERE o.value <> l.source_id)
       ORDER BY s.rowid`,
    ),
    firstSeen: db.prepare<[string, string], { first_seen: string }>(
      `SELECT s.first_seen FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = ? AND s.first_seen >= ?`,
    ),
    countOf: db.prepare<[string], { n: number }>(`SELECT stories AS n FROM source_counts WHERE source_id = ?`),
    counts: db.prepare<[], { source_id: string; n: number }>(`SELECT source_id, stories AS n FROM source_counts WHERE stories > 0 ORDER BY source_id`),
    addCount: db.prepare<[string, number]>(
      `INSERT INTO source_counts (source_id, stories) VALUES (?, ?) ON CONFLICT (source_id) DO UPDATE SET stories = stories + excluded.stories`,
    ),
    size: db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM stories`),
    page: db.prepare<[string, number], StoryRow & FullTextRow>(`SELECT * FROM stories WHERE id > ? ORDER BY id LIMIT ?`),
    source: db.prepare<[string], SourceRow>(`SELECT * FROM sources WHERE id = ?`),
    sources: db.prepare<[], SourceRow>(`SELECT * FROM sources ORDER BY id`),
    held: db.prepare<[string], HeldColumns>(
      `SELECT id, sources, origin, keys, published_latest FROM stories WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    heldOne: db.prepare<[string], HeldColumns>(`SELECT id, sources, origin, keys, published_latest FROM stories WHERE id = ?`),
    upsert: db.prepare(
      `INSERT INTO stories (${STORY_COLUMNS}) VALUES (${STORY_COLUMNS.split(', ').map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${STORY_COLUMNS.split(', ')
         .filter((c) => c !== 'id')
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    ),
    fullTextDue: db.prepare<[string, number, string, number], DueRow>(
      `SELECT id, link, body, entry, CASE WHEN full_text_for = entry THEN full_text_attempts ELSE 0 END AS attempts, ${DUE_VALIDATORS} FROM (
         SELECT s.*, s.link || ' ' || s.body_hash AS entry FROM listings l JOIN stories s ON s.id = l.story_id
         WHERE l.source_id = ? AND (s.link LIKE 'http://%' OR s.link LIKE 'https://%'))
       WHERE full_text_for IS NOT entry
          OR (full_text IS NULL AND full_text_attempts < ? AND (full_text_after IS NULL OR full_text_after <= ?))
       ORDER BY published_latest DESC, id LIMIT ?`,
    ),
    fullTextCount: db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = ? AND s.full_text IS NOT NULL`,
    ),
    putFullText: db.prepare<{ html: string | null; entry: string; attempts: number; after: string | null; at: string; id: string; link: string | null; etag: string | null; modified: string | null }>(
      `UPDATE stories SET full_text = COALESCE(@html, full_text), full_text_for = @entry, full_text_attempts = @attempts, full_text_after = @after,
         updated = CASE WHEN @html IS NULL OR updated >= @at THEN updated ELSE @at END,
         full_text_link = CASE WHEN @html IS NULL THEN full_text_link ELSE @link END,
         full_text_etag = CASE WHEN @html IS NULL THEN full_text_etag ELSE @etag END,
         full_text_modified = CASE WHEN @html IS NULL THEN full_text_modified ELSE @modified END
       WHERE id = @id`,
    ),
    // By what the row lists (keys, sources: a JSON array each; its publishedLatest): the primary keys, no index on story_id.
    deleteKeys: db.prepare<[string, string]>(`DELETE FROM story_keys WHERE story_id = ? AND key IN (SELECT value FROM json_each(?))`),
    insertKey: db.prepare<[string, string]>(`INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)`),
    deleteListings: db.prepare<[string, string, string]>(
      `DELETE FROM listings WHERE source_id IN (SELECT value FROM json_each(?)) AND published_latest = ? AND story_id = ?`,
    ),
    insertListing: db.prepare<[string, string, string]>(`INSERT OR IGNORE INTO listings (source_id, published_latest, story_id) VALUES (?, ?, ?)`),
    deleteListing: db.prepare<[string, string, string]>(`DELETE FROM listings WHERE source_id = ? AND published_latest = ? AND story_id = ?`),
    setOrigin: db.prepare<[string, string]>(`UPDATE stories SET origin = ? WHERE id = ?`),
    setSources: db.prepare<[string, string | null, string]>(`UPDATE stories SET sources = ?, origin = ? WHERE id = ?`),
    deleteStory: db.prepare<[string]>(`DELETE FROM stories WHERE id = ?`),
    seen: db.prepare<[string, string]>(`UPDATE stories SET last_seen = ? WHERE id IN (SELECT value FROM json_each(?))`),
    upsertSource: db.prepare(
      `INSERT INTO sources (id, etag, last_modified, last_attempt, last_success, last_error, consecutive_failures, next_attempt_after, content_hash, last_page_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,
         last_success = excluded.last_success, last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
         next_attempt_after = excluded.next_attempt_after, content_hash = excluded.content_hash, last_page_at = excluded.last_page_at`,
    ),
  };
}

export type Statements = ReturnType<typeof prepare>;

/** What a write reads of a held story first. */
export interface HeldColumns {
  id: string;
  sources: string;
  origin: string | null;
  keys: string;
  published_latest: string;
}
