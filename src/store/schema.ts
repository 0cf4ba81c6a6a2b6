/**
 * The schema as numbered migrations: migration n takes a database at `PRAGMA user_version` n-1
 * to n, all pending ones in one transaction at open. A new column is one more entry here and
 * one query change in sqlite.ts; entries are never edited once released.
 */
import type Database from 'better-sqlite3';
import { WirefeedError } from '../errors.js';

const MIGRATIONS: readonly string[] = [
  // 1: stories with their keys and listings; source bookkeeping.
  `
  CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    keys TEXT NOT NULL,                -- JSON array, first key first (story_keys indexes it)
    lead_key TEXT,
    sources TEXT NOT NULL,             -- JSON array, home first (listings indexes it)
    origin TEXT,                       -- the first home, once the story moved away from it
    headline TEXT NOT NULL,
    headline_derived INTEGER NOT NULL,
    place TEXT,
    agencies TEXT NOT NULL,            -- JSON array
    section TEXT,
    body TEXT NOT NULL,                -- JSON array of paragraphs
    body_hash TEXT NOT NULL,
    link TEXT,
    author TEXT,
    image TEXT,
    lang TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    published_earliest TEXT,
    published_latest TEXT NOT NULL,
    updated TEXT NOT NULL
  );
  CREATE INDEX stories_lead_key ON stories (lead_key) WHERE lead_key IS NOT NULL;
  CREATE TABLE story_keys (
    key TEXT NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    PRIMARY KEY (story_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX story_keys_key ON story_keys (key);
  CREATE TABLE listings (
    source_id TEXT NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    published_latest TEXT NOT NULL,    -- the story's, so that a feed is one index range
    PRIMARY KEY (source_id, story_id)
  ) WITHOUT ROWID;
  CREATE INDEX listings_feed ON listings (source_id, published_latest DESC, story_id);
  CREATE INDEX listings_story ON listings (story_id);
  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_after TEXT,
    content_hash TEXT,
    last_page_at TEXT
  );
  -- Stories listed per source, kept with every listing written: counting a source's listings
  -- at each start reads the whole index (seconds at a million stories).
  CREATE TABLE source_counts (
    source_id TEXT PRIMARY KEY,
    stories INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: an article's full text (issue 18), fetched after ingest: what it was fetched for (link and
  // body hash: a changed entry is fetched again), attempts for that entry, not before (backoff).
  `
  ALTER TABLE stories ADD COLUMN full_text TEXT;
  ALTER TABLE stories ADD COLUMN full_text_for TEXT;
  ALTER TABLE stories ADD COLUMN full_text_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE stories ADD COLUMN full_text_after TEXT;
  `,
  // 3: the stored article's validators and the link they are for: an updated story whose link
  // stayed asks for its article again with a conditional GET (a 304 keeps the article).
  `
  ALTER TABLE stories ADD COLUMN full_text_link TEXT;
  ALTER TABLE stories ADD COLUMN full_text_etag TEXT;
  ALTER TABLE stories ADD COLUMN full_text_modified TEXT;
  `,
  // 4: fewer B-trees written per new story (each is about one more page in the WAL per story
  // at a commit): story_keys holds a story's keys other than its id (most stories have one key,
  // their id, found in the row itself), keyed by key; a listing is keyed by its feed order (a
  // listing's published_latest is its story's: lookups by source and story give both), with no
  // second index; no foreign keys (their checks read stories at every insert, and a delete needs
  // an index on story_id in each child table): the store deletes a story's keys and listings
  // itself, by the keys, sources and publishedLatest its row holds.
  `
  CREATE TABLE story_keys_4 (
    key TEXT NOT NULL,
    story_id TEXT NOT NULL,
    PRIMARY KEY (key, story_id)
  ) WITHOUT ROWID;
  INSERT INTO story_keys_4 (key, story_id) SELECT key, story_id FROM story_keys WHERE key <> story_id;
  DROP TABLE story_keys;
  ALTER TABLE story_keys_4 RENAME TO story_keys;
  CREATE TABLE listings_4 (
    source_id TEXT NOT NULL,
    published_latest TEXT NOT NULL,    -- the story's, so that a feed is one range of the key
    story_id TEXT NOT NULL,
    PRIMARY KEY (source_id, published_latest DESC, story_id)
  ) WITHOUT ROWID;
  INSERT INTO listings_4 (source_id, published_latest, story_id)
    SELECT l.source_id, s.published_latest, l.story_id FROM listings l JOIN stories s ON s.id = l.story_id;
  DROP TABLE listings;
  ALTER TABLE listings_4 RENAME TO listings;
  `,
];

/** The schema version this wirefeed writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring the database to SCHEMA_VERSION. One from a newer wirefeed is refused before anything is
 * written to it. Returns the version it was at.
 */
export function migrate(db: Database.Database, file: string): number {
  const at = db.pragma('user_version', { simple: true }) as number;
  if (at > SCHEMA_VERSION) {
    throw new WirefeedError(
      'store',
      'E_STATE_VERSION',
      `database ${file} was written by a newer wirefeed (schema version ${at}, this one knows ${SCHEMA_VERSION}); ` +
        'upgrade wirefeed or point it at another state directory; the database is left untouched',
    );
  }
  if (at === SCHEMA_VERSION) return at;
  db.transaction(() => {
    for (let v = at; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
  return at;
}
