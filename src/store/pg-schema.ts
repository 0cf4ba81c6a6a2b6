/**
 * The PostgreSQL schema: the tables of schema.ts (SQLite), translated — `seq` for SQLite's rowid,
 * the "C" collation on ordered columns (code-point order, as SQLite's BINARY) — and numbered
 * alike, so both backends are at the same version. Applied at open in one transaction under an
 * advisory lock, so that instances starting together migrate once.
 */
import type pg from 'pg';
import { WirefeedError } from '../errors.js';

const C = 'TEXT COLLATE "C"';

const MIGRATIONS: readonly string[] = [
  // 1: as schema.ts's 1; `seq` keeps the insertion order SQLite's rowid gives.
  `
  CREATE TABLE stories (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id ${C} PRIMARY KEY,
    keys TEXT NOT NULL,
    lead_key ${C},
    sources TEXT NOT NULL,
    origin ${C},
    headline TEXT NOT NULL,
    headline_derived BOOLEAN NOT NULL,
    place TEXT,
    agencies TEXT NOT NULL,
    section TEXT,
    body TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    link TEXT,
    author TEXT,
    image TEXT,
    lang TEXT NOT NULL,
    first_seen ${C} NOT NULL,
    last_seen ${C} NOT NULL,
    published_earliest ${C},
    published_latest ${C} NOT NULL,
    updated ${C} NOT NULL
  );
  CREATE INDEX stories_seq ON stories (seq);
  CREATE INDEX stories_lead_key ON stories (lead_key) WHERE lead_key IS NOT NULL;
  CREATE TABLE story_keys (
    key ${C} NOT NULL,
    story_id ${C} NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    PRIMARY KEY (story_id, key)
  );
  CREATE INDEX story_keys_key ON story_keys (key);
  CREATE TABLE listings (
    source_id ${C} NOT NULL,
    story_id ${C} NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    published_latest ${C} NOT NULL,
    PRIMARY KEY (source_id, story_id)
  );
  CREATE INDEX listings_feed ON listings (source_id, published_latest DESC, story_id);
  CREATE INDEX listings_story ON listings (story_id);
  CREATE TABLE sources (
    id ${C} PRIMARY KEY,
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
  CREATE TABLE source_counts (
    source_id ${C} PRIMARY KEY,
    stories INTEGER NOT NULL
  );
  `,
  // 2: as schema.ts's 2: the linked article's full text, the entry version it is for, attempts and backoff.
  `
  ALTER TABLE stories ADD COLUMN full_text TEXT;
  ALTER TABLE stories ADD COLUMN full_text_for TEXT;
  ALTER TABLE stories ADD COLUMN full_text_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE stories ADD COLUMN full_text_after ${C};
  `,
  // 3: as schema.ts's 3: the stored article's validators and the link they are for.
  `
  ALTER TABLE stories ADD COLUMN full_text_link TEXT;
  ALTER TABLE stories ADD COLUMN full_text_etag TEXT;
  ALTER TABLE stories ADD COLUMN full_text_modified TEXT;
  `,
  // 4: schema.ts's 4 makes SQLite write fewer B-trees per new story (the pages of its WAL).
  // PostgreSQL keeps its tables and indexes: its writes go to its own WAL by row, not by page of
  // every B-tree, and pg-writes.ts writes a page's stories in a few statements. The version moves
  // with SQLite's, so that one number names a wirefeed's schema in both.
  `-- nothing to change`,
];

/** The schema version this wirefeed writes on PostgreSQL. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** The advisory lock key migrations run under (any constant all instances share: "wirefeed" in ASCII, truncated). */
const MIGRATION_LOCK = 0x77697265666565;

/**
 * Bring the database to PG_SCHEMA_VERSION in one transaction under an advisory lock: a second
 * instance waits, then finds the work done. One from a newer wirefeed is refused untouched.
 */
export async function migrate(client: pg.PoolClient, where: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS wirefeed_schema (version INTEGER NOT NULL)');
    const at = (await client.query<{ version: number }>('SELECT version FROM wirefeed_schema')).rows[0]?.version ?? 0;
    if (at > PG_SCHEMA_VERSION) {
      throw new WirefeedError(
        'store',
        'E_STATE_VERSION',
        `database ${where} was written by a newer wirefeed (schema version ${at}, this one knows ${PG_SCHEMA_VERSION}); ` +
          'upgrade wirefeed or point it at another database; the database is left untouched',
      );
    }
    for (let v = at; v < PG_SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    if (at === 0) await client.query('INSERT INTO wirefeed_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION]);
    else if (at < PG_SCHEMA_VERSION) await client.query('UPDATE wirefeed_schema SET version = $1', [PG_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}
