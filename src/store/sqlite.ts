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
 * The statements and rows are sqlite-statements.ts; the file, its backup and integrity check
 * sqlite-file.ts; the schema and its migrations schema.ts.
 */
import { statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WirefeedError } from '../errors.js';
import type { SourceState, StoredStory } from '../model.js';
import { emptySourceState, soleInstance, type Change, type CommitResult, type Coordination, type CoordinationEvents, type FeedQuery, type FullTextDue, type FullTextResult, type ExportedStory, type HeldStory, type ListedStory, type Store, type StoryStamp } from './index.js';
import { exists, JSON_META, moveJsonAside, readJsonState, removeImporting } from './json-import.js';
import { acquireLock, type StateLock } from './lock.js';
import { dueOf, relisted, unlisted, withFullTextTried } from './rows.js';
import { connect, DB_FILE, storeError, type Migrated } from './sqlite-file.js';
import { heldStories, prepare, storyParams, text, toSource, toStory, type HeldColumns, type Statements, type StoryRow } from './sqlite-statements.js';

export interface OpenStoreOptions {
  /** Take the directory lock (default true). Tools that only read skip it. */
  lock?: boolean;
  /** How long a write waits for another process's lock before it fails (default 5000 ms). */
  busyTimeoutMs?: number;
  /** The clock for the JSON backup directory's name. */
  now?: () => Date;
  /** Told once when a JSON state was imported (for logging). */
  onImport?: (imported: { stories: number; backup: string }) => void;
  /** Told when the database's schema was migrated at open (for logging: a large state takes a while). */
  onMigrated?: (m: Migrated) => void;
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
    return this.read('reading', () => this.rows(this.q.withKey.all({ key })));
  }
  byLeadKey(leadKey: string, sourceId: string, since: string): Promise<ListedStory[]> {
    return this.read('reading', () => this.rows(this.q.byLeadKey.all(sourceId, leadKey, since)));
  }
  withKeys(keys: readonly string[]): Promise<HeldStory[]> {
    return this.read('reading', () => (keys.length === 0 ? [] : heldStories(this.q.withKeys.all({ keys: JSON.stringify(keys.map(text)) }))));
  }
  byLeadKeys(leadKeys: readonly string[], sourceId: string, since: string): Promise<HeldStory[]> {
    return this.read('reading', () => (leadKeys.length === 0 ? [] : heldStories(this.q.byLeadKeys.all(JSON.stringify(leadKeys.map(text)), since, sourceId))));
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
    const held = this.held([...(change.put ?? []), ...(change.quiet ?? [])]);
    for (const story of change.put ?? []) this.put(story, held, touched, counts);
    for (const story of change.quiet ?? []) this.put(story, held, null, counts);
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

  /** What is stored of the stories a change writes, by id, in one query (a query per story costs more than its insert). */
  private held(stories: readonly StoredStory[]): Map<string, HeldColumns> {
    const held = new Map<string, HeldColumns>();
    if (stories.length === 0) return held;
    for (const row of this.q.held.all(JSON.stringify(stories.map((s) => text(s.id))))) held.set(row.id, row);
    return held;
  }

  /** `stored`: what `held()` read, kept current here (a change may put one story twice); `counts`: per source, listings added (+) and dropped (−). */
  private put(story: StoredStory, stored: Map<string, HeldColumns>, touched: Set<string> | null, counts: Map<string, number>): void {
    const id = text(story.id);
    const held = stored.get(id);
    const sources = JSON.stringify(story.sources);
    const origin = relisted(story, held === undefined ? undefined : { sources: JSON.parse(held.sources) as string[], origin: held.origin }, touched, counts);
    this.q.upsert.run(...storyParams(story, origin));
    const keys = JSON.stringify(story.keys);
    // A story not held has no keys or listings to delete; story_keys holds the keys other than the id.
    if (held === undefined || held.keys !== keys) {
      if (held !== undefined) this.q.deleteKeys.run(story.id, held.keys);
      for (const key of story.keys) if (key !== story.id) this.q.insertKey.run(key, story.id);
    }
    if (held === undefined || held.sources !== sources || held.published_latest !== story.publishedLatest) {
      if (held !== undefined) this.q.deleteListings.run(held.sources, held.published_latest, story.id);
      for (const s of story.sources) this.q.insertListing.run(s, story.publishedLatest, story.id);
    }
    stored.set(id, { id, sources, origin, keys, published_latest: text(story.publishedLatest) });
  }

  private unlist(id: string, sourceId: string, touched: Set<string>, counts: Map<string, number>): void {
    const held = this.q.heldOne.get(id);
    if (held === undefined) return;
    const left = unlisted({ sources: JSON.parse(held.sources) as string[], origin: held.origin }, sourceId, touched, counts);
    if (left === null) return;
    this.q.deleteListing.run(sourceId, held.published_latest, id);
    if (left.sources.length === 0) {
      this.q.deleteKeys.run(id, held.keys);
      this.q.deleteStory.run(id);
      return;
    }
    this.q.setSources.run(JSON.stringify(left.sources), left.origin, id);
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
      db = connect(file, opts.busyTimeoutMs ?? 5000, 'wal', opts.onMigrated);
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

