/**
 * The Store on SQLite (better-sqlite3): one database file in the state directory, WAL mode, a
 * busy timeout for another process's write lock. better-sqlite3 is synchronous: each method does
 * its work at once and returns a settled promise.
 *
 * Durability: `synchronous = NORMAL`, SQLite's advice for WAL. A commit is written to the WAL
 * file before `commit` resolves, so a crash or SIGKILL of the process loses nothing a feed has
 * shown; the WAL is fsynced at checkpoints, so only a power loss or kernel crash can take the
 * last commits back (never corrupting the file). FULL would fsync every commit: ~4 ms a page
 * here, twenty times the ingest itself.
 *
 * Lists (keys, sources, agencies, body) are JSON columns read with the row; `story_keys` and
 * `listings` index the first two for lookups and feeds.
 */
import { statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WirefeedError } from '../errors.js';
import type { Lang, SourceState, StoredStory } from '../model.js';
import { emptySourceState, soleInstance, wellFormed, type Change, type CommitResult, type Coordination, type CoordinationEvents, type FeedQuery, type FullTextDue, type FullTextResult, type ExportedStory, type ListedStory, type Store, type StoryStamp } from './index.js';
import { exists, JSON_META, moveJsonAside, readJsonState, removeImporting } from './json-import.js';
import { acquireLock, type StateLock } from './lock.js';
import { migrate } from './schema.js';
import { DUE_VALIDATORS, dueOf, STORY_COLUMNS, withFullTextTried, type DueRow, type FullTextRow, type SourceRow, type StoryRow as Row } from './rows.js';

type StoryRow = Row<number>;

export const DB_FILE = 'wirefeed.db';

export interface OpenStoreOptions {
  /** Take the directory lock (default true). Tools that only read skip it. */
  lock?: boolean;
  /** How long a write waits for another process's lock before it fails (default 5000 ms). */
  busyTimeoutMs?: number;
  /** The clock for the JSON backup directory's name. */
  now?: () => Date;
  /** Told once when a JSON state was imported (for logging). */
  onImport?: (imported: { stories: number; backup: string }) => void;
  /** Told when a WAL checkpoint failed (for logging); the pages stay in the WAL and the next write tries again. */
  onCheckpointError?: (err: WirefeedError) => void;
}

/**
 * How long after a write the WAL is checkpointed (its committed pages copied into the database
 * file, both fsynced). SQLite's automatic checkpoint runs inside whichever commit takes the WAL
 * past 1,000 pages, and that commit takes several times as long (50 new stories: 13 ms median
 * against 5.5 without, on the shared 2-core machine). A daemon writes far less than that in a
 * second, so its checkpoints run on a turn of their own, off the commit path; the automatic one
 * stays as the bound for a process that writes without ever yielding (bulk tools). A commit is
 * in the WAL, durable against a crash, when it returns either way (synchronous = NORMAL).
 */
const CHECKPOINT_DELAY_MS = 1000;



function toStory(r: StoryRow): ListedStory {
  const sources = JSON.parse(r.sources) as string[];
  return {
    id: r.id,
    keys: JSON.parse(r.keys) as string[],
    leadKey: r.lead_key,
    sources,
    headline: r.headline,
    headlineDerived: r.headline_derived !== 0,
    place: r.place,
    agencies: JSON.parse(r.agencies) as string[],
    section: r.section,
    body: JSON.parse(r.body) as string[],
    bodyHash: r.body_hash,
    link: r.link,
    author: r.author,
    image: r.image,
    lang: r.lang as Lang,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    publishedEarliest: r.published_earliest,
    publishedLatest: r.published_latest,
    updated: r.updated,
    origin: r.origin ?? sources[0]!,
    ...(r.full_text === null ? {} : { fullText: r.full_text }),
  };
}

function toSource(r: SourceRow): SourceState {
  return {
    etag: r.etag,
    lastModified: r.last_modified,
    lastAttempt: r.last_attempt,
    lastSuccess: r.last_success,
    lastError: r.last_error,
    consecutiveFailures: r.consecutive_failures,
    nextAttemptAfter: r.next_attempt_after,
    contentHash: r.content_hash,
    lastPageAt: r.last_page_at,
  };
}


/** Text columns hold well-formed text (wellFormed); JSON columns keep a lone surrogate, escaped. */
function text<T extends string | null>(t: T): T {
  return (t === null ? t : wellFormed(t)) as T;
}

function storyParams(s: StoredStory, origin: string | null): unknown[] {
  return [
    text(s.id), JSON.stringify(s.keys), text(s.leadKey), JSON.stringify(s.sources), origin, text(s.headline), s.headlineDerived ? 1 : 0,
    text(s.place), JSON.stringify(s.agencies), text(s.section), JSON.stringify(s.body), text(s.bodyHash), text(s.link), text(s.author),
    text(s.image), text(s.lang), text(s.firstSeen), text(s.lastSeen), text(s.publishedEarliest), text(s.publishedLatest), text(s.updated),
  ];
}

/** The statements, prepared once per connection. */
function prepare(db: Database.Database) {
  return {
    get: db.prepare<[string], StoryRow>(`SELECT * FROM stories WHERE id = ?`),
    withKey: db.prepare<[string, string], StoryRow>(
      `SELECT s.* FROM story_keys k JOIN stories s ON s.id = k.story_id WHERE k.key = ? ORDER BY s.id = ? DESC, s.rowid`,
    ),
    byLeadKey: db.prepare<[string, string, string], StoryRow>(
      `SELECT s.* FROM stories s JOIN listings l ON l.story_id = s.id AND l.source_id = ?
       WHERE s.lead_key = ? AND s.last_seen >= ? ORDER BY s.rowid`,
    ),
    // Put in row order by the caller (byRowid): SQLite's ORDER BY would copy every row into a sorter.
    withKeys: db.prepare<{ keys: string }, StoryRow & { row_: number }>(
      `SELECT s.rowid AS row_, s.* FROM stories s WHERE s.id IN (
         SELECT story_id FROM story_keys WHERE key IN (SELECT value FROM json_each(@keys)) UNION SELECT value FROM json_each(@keys))`,
    ),
    // By the lead key index (the IS NOT NULL lets its partial index serve), not by the source's listings.
    byLeadKeys: db.prepare<[string, string, string], StoryRow & { row_: number }>(
      `SELECT s.rowid AS row_, s.* FROM stories s
       WHERE s.lead_key IN (SELECT value FROM json_each(?)) AND s.lead_key IS NOT NULL AND s.last_seen >= ?
         AND EXISTS (SELECT 1 FROM listings l WHERE l.source_id = ? AND l.story_id = s.id)`,
    ),
    leadGroup: db.prepare<[string, string], StoryRow>(
      `SELECT s.* FROM stories s WHERE s.lead_key = ?
       AND EXISTS (SELECT 1 FROM listings l WHERE l.story_id = s.id AND l.source_id IN (SELECT value FROM json_each(?)))
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
       WHERE l.source_id = ? AND EXISTS (SELECT 1 FROM listings o WHERE o.story_id = s.id AND o.source_id <> l.source_id)
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
    held: db.prepare<[string], { sources: string; origin: string | null; keys: string; published_latest: string }>(
      `SELECT sources, origin, keys, published_latest FROM stories WHERE id = ?`,
    ),
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
    deleteKeys: db.prepare<[string]>(`DELETE FROM story_keys WHERE story_id = ?`),
    insertKey: db.prepare<[string, string]>(`INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)`),
    deleteListings: db.prepare<[string]>(`DELETE FROM listings WHERE story_id = ?`),
    insertListing: db.prepare<[string, string, string]>(`INSERT OR IGNORE INTO listings (source_id, story_id, published_latest) VALUES (?, ?, ?)`),
    deleteListing: db.prepare<[string, string]>(`DELETE FROM listings WHERE source_id = ? AND story_id = ?`),
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

type Statements = ReturnType<typeof prepare>;

function byRowid<R extends { row_: number }>(rows: R[]): R[] {
  return rows.sort((a, b) => a.row_ - b.row_);
}

/** Wrap a SQLite failure (SQLITE_FULL, SQLITE_READONLY, SQLITE_BUSY, SQLITE_IOERR…) with what was being done. */
function storeError(what: string, file: string, err: unknown): WirefeedError {
  if (err instanceof WirefeedError) return err;
  const code = (err as { code?: unknown }).code;
  return new WirefeedError('store', 'E_DB', `${what} ${file} failed${typeof code === 'string' ? ` (${code})` : ''}`, { cause: err });
}

class SqliteStore implements Store {
  private readonly q: Statements;
  private readonly applyChange: (change: Change) => CommitResult;
  private closed = false;
  private checkpointTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly location: string,
    private readonly file: string,
    private readonly db: Database.Database,
    private readonly identity: { dev: number; ino: number },
    private readonly lock: StateLock | null,
    /** Null for a connection without WAL (the JSON import's). */
    private readonly checkpoints: { onError?: ((err: WirefeedError) => void) | undefined } | null,
  ) {
    this.q = prepare(db);
    this.applyChange = db.transaction((change: Change) => this.apply(change));
  }

  /** After a write: a checkpoint CHECKPOINT_DELAY_MS later, one for every write meanwhile. */
  private written(): void {
    if (this.checkpoints === null || this.checkpointTimer !== null) return;
    const { onError } = this.checkpoints;
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = null;
      if (this.closed) return;
      try {
        this.db.pragma('wal_checkpoint(PASSIVE)');
      } catch (err) {
        onError?.(storeError('checkpointing', this.file, err));
      }
    }, CHECKPOINT_DELAY_MS);
    this.checkpointTimer.unref();
  }

  private rows(rows: StoryRow[]): ListedStory[] {
    return rows.map(toStory);
  }

  private read<T>(what: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(storeError(what, this.file, err));
    }
  }

  get(id: string): Promise<ListedStory | null> {
    return this.read('reading', () => {
      const row = this.q.get.get(id);
      return row === undefined ? null : toStory(row);
    });
  }
  withKey(key: string): Promise<ListedStory[]> {
    return this.read('reading', () => this.rows(this.q.withKey.all(key, key)));
  }
  byLeadKey(leadKey: string, sourceId: string, since: string): Promise<ListedStory[]> {
    return this.read('reading', () => this.rows(this.q.byLeadKey.all(sourceId, leadKey, since)));
  }
  withKeys(keys: readonly string[]): Promise<ListedStory[]> {
    return this.read('reading', () => (keys.length === 0 ? [] : this.rows(byRowid(this.q.withKeys.all({ keys: JSON.stringify(keys.map(text)) })))));
  }
  byLeadKeys(leadKeys: readonly string[], sourceId: string, since: string): Promise<ListedStory[]> {
    return this.read('reading', () => (leadKeys.length === 0 ? [] : this.rows(byRowid(this.q.byLeadKeys.all(JSON.stringify(leadKeys.map(text)), since, sourceId)))));
  }
  leadGroup(leadKey: string, sourceIds: readonly string[]): Promise<ListedStory[]> {
    return this.read('reading', () => this.rows(this.q.leadGroup.all(leadKey, JSON.stringify(sourceIds))));
  }
  feed(query: FeedQuery): Promise<ListedStory[]> {
    const offset = query.offset ?? 0;
    return this.read('reading', () =>
      query.sourceIds.length === 1
        ? this.rows(this.q.feedOne.all(query.sourceIds[0]!, query.limit, offset))
        : query.sourceIds.length === 0
          ? []
          : this.rows(this.q.feedMany.all(JSON.stringify(query.sourceIds), query.limit, offset)),
    );
  }
  stamps(sourceId: string): Promise<StoryStamp[]> {
    return this.read('reading', () =>
      this.q.stamps.all(sourceId).map((r) => ({ id: r.id, publishedLatest: r.published_latest, lastSeen: r.last_seen })),
    );
  }
  shared(sourceId: string): Promise<ListedStory[]> {
    return this.read('reading', () => this.rows(this.q.shared.all(sourceId)));
  }
  firstSeenSince(sourceId: string, since: string): Promise<string[]> {
    return this.read('reading', () => this.q.firstSeen.all(sourceId, since).map((r) => r.first_seen));
  }
  countOf(sourceId: string): Promise<number> {
    return this.read('reading', () => this.q.countOf.get(sourceId)?.n ?? 0);
  }
  counts(): Promise<Record<string, number>> {
    return this.read('reading', () => Object.fromEntries(this.q.counts.all().map((r) => [r.source_id, r.n])));
  }
  size(): Promise<number> {
    return this.read('reading', () => this.q.size.get()!.n);
  }
  page(afterId: string | null, limit: number): Promise<ExportedStory[]> {
    return this.read('reading', () => this.q.page.all(afterId ?? '', limit).map((r) => withFullTextTried(toStory(r), r)));
  }
  source(sourceId: string): Promise<SourceState> {
    return this.read('reading', () => {
      const row = this.q.source.get(sourceId);
      return row === undefined ? emptySourceState() : toSource(row);
    });
  }
  sources(): Promise<Record<string, SourceState>> {
    return this.read('reading', () => Object.fromEntries(this.q.sources.all().map((r) => [r.id, toSource(r)])));
  }

  fullTextDue(sourceId: string, now: string, maxAttempts: number, limit: number): Promise<FullTextDue[]> {
    return this.read('reading', () =>
      this.q.fullTextDue.all(sourceId, maxAttempts, now, limit).map(dueOf),
    );
  }
  fullTextCount(sourceId: string): Promise<number> {
    return this.read('reading', () => this.q.fullTextCount.get(sourceId)!.n);
  }
  putFullText(id: string, result: FullTextResult): Promise<void> {
    try {
      this.checkNow();
      this.q.putFullText.run({
        html: result.html === null ? null : text(result.html),
        entry: result.entry,
        attempts: result.attempts,
        after: result.after,
        at: result.at,
        id,
        link: result.validators?.link ?? null,
        etag: result.validators?.etag ?? null,
        modified: result.validators?.lastModified ?? null,
      });
      this.written();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(storeError('writing', this.file, err));
    }
  }

  commit(change: Change): Promise<CommitResult> {
    try {
      this.checkNow();
      const result = this.applyChange(change);
      this.written();
      return Promise.resolve(result);
    } catch (err) {
      return Promise.reject(storeError('writing', this.file, err));
    }
  }

  private apply(change: Change): CommitResult {
    const touched = new Set<string>();
    const counts = new Map<string, number>();
    for (const story of change.put ?? []) this.put(story, touched, counts);
    for (const story of change.quiet ?? []) this.put(story, null, counts);
    if (change.seen !== undefined && change.seen.ids.length > 0) this.q.seen.run(change.seen.at, JSON.stringify(change.seen.ids.map(text)));
    if (change.unlist !== undefined) for (const id of change.unlist.ids) this.unlist(id, change.unlist.sourceId, touched, counts);
    for (const [id, delta] of counts) if (delta !== 0) this.q.addCount.run(id, delta);
    for (const [id, origin] of Object.entries(change.origins ?? {})) this.q.setOrigin.run(origin, id);
    for (const [id, patch] of Object.entries(change.sources ?? {})) {
      const row = this.q.source.get(id);
      const s = { ...(row === undefined ? emptySourceState() : toSource(row)), ...patch };
      this.q.upsertSource.run(id, s.etag, s.lastModified, s.lastAttempt, s.lastSuccess, s.lastError, s.consecutiveFailures, s.nextAttemptAfter, s.contentHash, s.lastPageAt);
    }
    return { touched: [...touched].sort() };
  }

  /** `counts`: per source, listings added (+) and dropped (−). */
  private put(story: StoredStory, touched: Set<string> | null, counts: Map<string, number>): void {
    const home = story.sources[0];
    if (home === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
    const held = this.q.held.get(story.id);
    const sources = JSON.stringify(story.sources);
    let origin: string | null = null;
    if (held !== undefined) {
      const before = JSON.parse(held.sources) as string[];
      for (const s of before) touched?.add(s);
      // The first move away from its first home: that home stays its origin.
      origin = held.origin ?? (before[0] !== home ? before[0]! : null);
    }
    for (const s of story.sources) touched?.add(s);
    this.q.upsert.run(...storyParams(story, origin));
    const keys = JSON.stringify(story.keys);
    // A story not held has no keys or listings to delete (they go with their story).
    if (held === undefined || held.keys !== keys) {
      if (held !== undefined) this.q.deleteKeys.run(story.id);
      for (const key of story.keys) this.q.insertKey.run(key, story.id);
    }
    if (held === undefined || held.sources !== sources) {
      const before = new Set(held === undefined ? [] : (JSON.parse(held.sources) as string[]));
      const after = new Set(story.sources);
      for (const s of after) if (!before.has(s)) counts.set(s, (counts.get(s) ?? 0) + 1);
      for (const s of before) if (!after.has(s)) counts.set(s, (counts.get(s) ?? 0) - 1);
    }
    if (held === undefined || held.sources !== sources || held.published_latest !== story.publishedLatest) {
      if (held !== undefined) this.q.deleteListings.run(story.id);
      for (const s of story.sources) this.q.insertListing.run(s, story.id, story.publishedLatest);
    }
  }

  private unlist(id: string, sourceId: string, touched: Set<string>, counts: Map<string, number>): void {
    const held = this.q.held.get(id);
    if (held === undefined) return;
    const before = JSON.parse(held.sources) as string[];
    if (!before.includes(sourceId)) return;
    for (const s of before) touched.add(s);
    counts.set(sourceId, (counts.get(sourceId) ?? 0) - 1);
    const after = before.filter((s) => s !== sourceId);
    if (after.length === 0) {
      this.q.deleteStory.run(id);
      return;
    }
    this.q.deleteListing.run(sourceId, id);
    this.q.setSources.run(JSON.stringify(after), held.origin ?? (after[0] !== before[0] ? before[0]! : null), id);
  }

  check(): Promise<void> {
    try {
      this.checkNow();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The database file must still be the one opened: a removed or replaced state directory would swallow every write. */
  private checkNow(): void {
    if (this.closed) throw new WirefeedError('store', 'E_CLOSED', `database ${this.file} is closed`);
    let now: { dev: number; ino: number };
    try {
      now = statSync(this.file);
    } catch (err) {
      throw new WirefeedError('store', 'E_STATE_GONE', `database ${this.file} is gone (state directory removed?); nothing more is written`, { cause: err });
    }
    if (now.dev !== this.identity.dev || now.ino !== this.identity.ino) {
      throw new WirefeedError('store', 'E_STATE_GONE', `database ${this.file} is no longer the file this process opened; nothing more is written`);
    }
  }

  // One machine's state, locked to one daemon (state/lock): that daemon is the only instance.
  coordinate(events: CoordinationEvents): Promise<Coordination> {
    return Promise.resolve(soleInstance(events));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.checkpointTimer !== null) clearTimeout(this.checkpointTimer);
    try {
      // The last connection's close checkpoints the WAL into the database file.
      this.db.close();
    } finally {
      await this.lock?.release();
    }
  }
}

/** A connection with the schema migrated; one from a newer wirefeed is refused untouched. */
function connect(file: string, busyTimeoutMs: number, journal: 'wal' | 'delete'): Database.Database {
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    migrate(db, file);
    // After the version check: a database from a newer wirefeed is not even switched to WAL.
    db.pragma(`journal_mode = ${journal}`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Import the JSON state of an earlier wirefeed, when `dir` holds one and no database yet (json-import.ts). */
async function importJson(dir: string, file: string, opts: OpenStoreOptions): Promise<void> {
  const now = opts.now ?? (() => new Date());
  if (await exists(file)) {
    // Imported, but stopped before the old files moved: they move now, and are not read again.
    if (await exists(join(dir, JSON_META))) await moveJsonAside(dir, now());
    return;
  }
  const json = await readJsonState(dir);
  if (json === null) return;
  const importing = `${file}.importing`;
  await removeImporting(importing);
  // A rollback journal, not WAL: once closed, the database is this one file, renamed into place.
  const db = connect(importing, opts.busyTimeoutMs ?? 5000, 'delete');
  const { dev, ino } = statSync(importing);
  const store = new SqliteStore(dir, importing, db, { dev, ino }, null, null);
  try {
    await store.commit({ put: json.stories, origins: json.origins, sources: json.sources });
  } finally {
    await store.close();
  }
  await rename(importing, file);
  const backup = await moveJsonAside(dir, now());
  opts.onImport?.({ stories: json.stories.length, backup });
}

/**
 * Open (and lock) the state in `dir`, creating it when absent: the database is migrated to this
 * wirefeed's schema (one from a newer wirefeed is refused and left untouched), and a JSON state
 * of an earlier wirefeed is imported first.
 */
export async function openSqliteStore(dir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new WirefeedError('store', 'E_STATE_DIR', `cannot create state directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const lock = opts.lock === false ? null : await acquireLock(dir);
  const file = join(dir, DB_FILE);
  try {
    if (lock !== null) await importJson(dir, file, opts);
    let db: Database.Database;
    try {
      db = connect(file, opts.busyTimeoutMs ?? 5000, 'wal');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new WirefeedError('store', 'E_CORRUPT', `database ${file} is corrupt (${code}); see wirefeed run --recover`, { cause: err });
      }
      throw storeError('opening', file, err);
    }
    const { dev, ino } = statSync(file);
    return new SqliteStore(dir, file, db, { dev, ino }, lock, { onError: opts.onCheckpointError });
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

/**
 * SQLite's online backup of the database in `dir` into `file`: a consistent copy, safe while a
 * daemon writes (it restarts on a change made meanwhile). Reads without the directory lock.
 */
export async function backupDatabase(dir: string, file: string): Promise<void> {
  const source = join(dir, DB_FILE);
  if (!(await exists(source))) throw new WirefeedError('store', 'E_NO_STATE', `no database ${source} to back up`);
  const db = new Database(source, { fileMustExist: true, timeout: 5000 });
  try {
    await db.backup(file);
  } catch (err) {
    throw storeError(`backing up into ${file} from`, source, err);
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of the database in `dir`: 'ok', or SQLite's list of problems. */
export async function integrityCheck(dir: string): Promise<string> {
  const file = join(dir, DB_FILE);
  if (!(await exists(file))) throw new WirefeedError('store', 'E_NO_STATE', `no database ${file} to check`);
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
  } catch (err) {
    throw storeError('checking', file, err);
  } finally {
    db.close();
  }
}
