/**
 * The Store on PostgreSQL (node-postgres, one Pool): the state several wirefeed instances share
 * (`state.url` or `DATABASE_URL`). The same tables as SQLite (schema.ts), translated; migrations
 * run at open in one transaction under an advisory lock, so two instances starting together
 * migrate once. A commit is one transaction on one client of the pool.
 *
 * Text: PostgreSQL's text cannot hold U+0000, which stories may carry. Text columns hold it
 * escaped (U+0000 → U+0001 '0', U+0001 → U+0001 U+0001), which is exact both ways and keeps
 * equality; JSON columns hold it as JSON's own `\u0000`. Ordered columns (ids, keys, timestamps)
 * use the "C" collation: code-point order, as SQLite's BINARY, whatever the database's locale.
 */
import type pg from 'pg';
import { WirefeedError } from '../errors.js';
import type { Lang, SourceState, StoredStory } from '../model.js';
import { emptySourceState, wellFormed, type Change, type Coordination, type CoordinationEvents, type CoordinationOptions, type CommitResult, type FeedQuery, type FullTextDue, type FullTextResult, type ExportedStory, type ListedStory, type Store, type StoryStamp } from './index.js';
import { changePayload, CHANGES_CHANNEL, instanceId, startPgCoordination } from './pg-coordination.js';
import { pgDriver } from './pg-driver.js';
import { migrate } from './pg-schema.js';
import { DUE_VALIDATORS, dueOf, STORY_COLUMNS, withFullTextTried, type DueRow, type FullTextRow, type SourceRow, type StoryRow as Row } from './rows.js';

type StoryRow = Row<boolean>;

/** Text as a text column holds it (see the file comment). */
function esc<T extends string | null>(t: T): T {
  return (t === null ? t : wellFormed(t).replace(/[\u0000\u0001]/g, (c) => (c === '\u0000' ? '\u00010' : '\u0001\u0001'))) as T;
}

export function unesc<T extends string | null>(t: T): T {
  return (t === null ? t : t.replace(/\u0001([\u00010])/g, (_, c: string) => (c === '0' ? '\u0000' : '\u0001'))) as T;
}



function toStory(r: StoryRow): ListedStory {
  const sources = JSON.parse(r.sources) as string[];
  return {
    id: unesc(r.id),
    keys: JSON.parse(r.keys) as string[],
    leadKey: unesc(r.lead_key),
    sources,
    headline: unesc(r.headline),
    headlineDerived: r.headline_derived,
    place: unesc(r.place),
    agencies: JSON.parse(r.agencies) as string[],
    section: unesc(r.section),
    body: JSON.parse(r.body) as string[],
    bodyHash: unesc(r.body_hash),
    link: unesc(r.link),
    author: unesc(r.author),
    image: unesc(r.image),
    lang: unesc(r.lang) as Lang,
    firstSeen: unesc(r.first_seen),
    lastSeen: unesc(r.last_seen),
    publishedEarliest: unesc(r.published_earliest),
    publishedLatest: unesc(r.published_latest),
    updated: unesc(r.updated),
    origin: r.origin === null ? sources[0]! : unesc(r.origin),
    ...(r.full_text === null ? {} : { fullText: unesc(r.full_text) }),
  };
}

function toSource(r: SourceRow): SourceState {
  return {
    etag: unesc(r.etag),
    lastModified: unesc(r.last_modified),
    lastAttempt: unesc(r.last_attempt),
    lastSuccess: unesc(r.last_success),
    lastError: unesc(r.last_error),
    consecutiveFailures: r.consecutive_failures,
    nextAttemptAfter: unesc(r.next_attempt_after),
    contentHash: unesc(r.content_hash),
    lastPageAt: unesc(r.last_page_at),
  };
}

// The full text is written by putFullText only (not a STORY_COLUMN, so ingest's upsert keeps it), but read with the story.
const SELECT_STORY = `SELECT ${[...STORY_COLUMNS.split(', '), 'full_text'].map((c) => `s.${c}`).join(', ')} FROM`;

const SELECT_EXPORTED = SELECT_STORY.replace(/ FROM$/, ', s.full_text_for, s.full_text_attempts, s.full_text_after FROM');

const UPSERT = `INSERT INTO stories (${STORY_COLUMNS}) VALUES (${STORY_COLUMNS.split(', ').map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${STORY_COLUMNS.split(', ')
    .filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

function storyParams(s: StoredStory, origin: string | null): unknown[] {
  return [
    esc(s.id), JSON.stringify(s.keys), esc(s.leadKey), JSON.stringify(s.sources), esc(origin), esc(s.headline), s.headlineDerived,
    esc(s.place), JSON.stringify(s.agencies), esc(s.section), JSON.stringify(s.body), esc(s.bodyHash), esc(s.link), esc(s.author),
    esc(s.image), esc(s.lang), esc(s.firstSeen), esc(s.lastSeen), esc(s.publishedEarliest), esc(s.publishedLatest), esc(s.updated),
  ];
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    // Not a URL at all: nothing in it is shown, the pool's own error says what is wrong.
    return 'postgres://(unparsable URL)';
  }
}

/** Wrap a PostgreSQL or connection failure with what was being done. */
function storeError(what: string, where: string, err: unknown): WirefeedError {
  if (err instanceof WirefeedError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return new WirefeedError('store', 'E_DB', `${what} ${where} failed${typeof code === 'string' ? ` (${code})` : ''}: ${message}`, { cause: err });
}

type Queryable = Pick<pg.PoolClient, 'query'>;

class PostgresStore implements Store {
  private closed = false;

  constructor(
    readonly location: string,
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** This store's id in the notices its commits send (pg-coordination.ts). */
  private readonly instance = instanceId();

  coordinate(events: CoordinationEvents, opts: CoordinationOptions): Promise<Coordination> {
    return startPgCoordination(this.url, this.instance, events, opts);
  }

  private async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    if (this.closed) throw new WirefeedError('store', 'E_CLOSED', `database ${this.location} is closed`);
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw storeError('reading', this.location, err);
    }
  }

  private async stories(sql: string, params: unknown[]): Promise<ListedStory[]> {
    return (await this.rows<StoryRow>(sql, params)).map(toStory);
  }

  async get(id: string): Promise<ListedStory | null> {
    return (await this.stories(`${SELECT_STORY} stories s WHERE s.id = $1`, [esc(id)]))[0] ?? null;
  }
  withKey(key: string): Promise<ListedStory[]> {
    return this.stories(`${SELECT_STORY} story_keys k JOIN stories s ON s.id = k.story_id WHERE k.key = $1 ORDER BY s.id = $1 DESC, s.seq`, [esc(key)]);
  }
  byLeadKey(leadKey: string, sourceId: string, since: string): Promise<ListedStory[]> {
    return this.stories(
      `${SELECT_STORY} stories s JOIN listings l ON l.story_id = s.id AND l.source_id = $1 WHERE s.lead_key = $2 AND s.last_seen >= $3 ORDER BY s.seq`,
      [esc(sourceId), esc(leadKey), esc(since)],
    );
  }
  async withKeys(keys: readonly string[]): Promise<ListedStory[]> {
    if (keys.length === 0) return [];
    return this.stories(
      `${SELECT_STORY} stories s WHERE s.id IN (SELECT story_id FROM story_keys WHERE key = ANY($1::text[])) OR s.id = ANY($1::text[]) ORDER BY s.seq`,
      [keys.map(esc)],
    );
  }
  async byLeadKeys(leadKeys: readonly string[], sourceId: string, since: string): Promise<ListedStory[]> {
    if (leadKeys.length === 0) return [];
    return this.stories(
      `${SELECT_STORY} stories s JOIN listings l ON l.story_id = s.id AND l.source_id = $1 WHERE s.lead_key = ANY($2::text[]) AND s.last_seen >= $3 ORDER BY s.seq`,
      [esc(sourceId), leadKeys.map(esc), esc(since)],
    );
  }
  leadGroup(leadKey: string, sourceIds: readonly string[]): Promise<ListedStory[]> {
    return this.stories(
      `${SELECT_STORY} stories s WHERE s.lead_key = $1
       AND EXISTS (SELECT 1 FROM listings l WHERE l.story_id = s.id AND l.source_id = ANY($2::text[])) ORDER BY s.seq`,
      [esc(leadKey), sourceIds.map(esc)],
    );
  }
  async feed(query: FeedQuery): Promise<ListedStory[]> {
    if (query.sourceIds.length === 0) return [];
    return this.stories(
      `WITH ids AS (
         SELECT DISTINCT story_id, published_latest FROM listings WHERE source_id = ANY($1::text[])
         ORDER BY published_latest DESC, story_id LIMIT $2 OFFSET $3)
       ${SELECT_STORY} ids JOIN stories s ON s.id = ids.story_id ORDER BY ids.published_latest DESC, ids.story_id`,
      [query.sourceIds.map(esc), query.limit, query.offset ?? 0],
    );
  }
  async fullTextDue(sourceId: string, now: string, maxAttempts: number, limit: number): Promise<FullTextDue[]> {
    // As sqlite.ts: stories of the source with their own http(s) link whose entry version has no
    // result yet, or failed fewer than maxAttempts times and whose backoff is over.
    const rows = await this.rows<DueRow>(
      `SELECT id, link, body, entry, CASE WHEN full_text_for = entry THEN full_text_attempts ELSE 0 END AS attempts, ${DUE_VALIDATORS} FROM (
         SELECT s.*, s.link || ' ' || s.body_hash AS entry FROM listings l JOIN stories s ON s.id = l.story_id
         WHERE l.source_id = $1 AND (s.link LIKE 'http://%' OR s.link LIKE 'https://%')) due
       WHERE full_text_for IS DISTINCT FROM entry
          OR (full_text IS NULL AND full_text_attempts < $2 AND (full_text_after IS NULL OR full_text_after <= $3))
       ORDER BY published_latest DESC, id LIMIT $4`,
      [esc(sourceId), maxAttempts, esc(now), limit],
    );
    return rows.map((r) => dueOf({ ...r, id: unesc(r.id), link: unesc(r.link), entry: unesc(r.entry), etag: unesc(r.etag), modified: unesc(r.modified) }));
  }
  async putFullText(id: string, result: FullTextResult): Promise<void> {
    if (this.closed) throw new WirefeedError('store', 'E_CLOSED', `database ${this.location} is closed`);
    try {
      // A stored article changes the feeds of the story's sources: one statement updates and
      // notifies (delivered at its commit), a failed attempt changes nothing a feed shows.
      await this.pool.query(
        `WITH u AS (
           UPDATE stories SET full_text = COALESCE($1, full_text), full_text_for = $2, full_text_attempts = $3, full_text_after = $4,
             updated = CASE WHEN $1::text IS NULL OR updated >= $5 THEN updated ELSE $5 END,
             full_text_link = CASE WHEN $1::text IS NULL THEN full_text_link ELSE $9 END,
             full_text_etag = CASE WHEN $1::text IS NULL THEN full_text_etag ELSE $10 END,
             full_text_modified = CASE WHEN $1::text IS NULL THEN full_text_modified ELSE $11 END
           WHERE id = $6 RETURNING sources)
         SELECT pg_notify($7, json_build_object('i', $8::text, 'touched', u.sources::json, 'sources', '[]'::json)::text) FROM u WHERE $1::text IS NOT NULL`,
        [
          result.html === null ? null : esc(wellFormed(result.html)), esc(result.entry), result.attempts, result.after === null ? null : esc(result.after), esc(result.at), esc(id),
          CHANGES_CHANNEL, this.instance,
          result.validators === undefined ? null : esc(result.validators.link),
          result.validators?.etag == null ? null : esc(result.validators.etag),
          result.validators?.lastModified == null ? null : esc(result.validators.lastModified),
        ],
      );
    } catch (err) {
      throw storeError('writing', this.location, err);
    }
  }
  async stamps(sourceId: string): Promise<StoryStamp[]> {
    const rows = await this.rows<{ id: string; published_latest: string; last_seen: string }>(
      `SELECT s.id, s.published_latest, s.last_seen FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = $1`,
      [esc(sourceId)],
    );
    return rows.map((r) => ({ id: unesc(r.id), publishedLatest: unesc(r.published_latest), lastSeen: unesc(r.last_seen) }));
  }
  shared(sourceId: string): Promise<ListedStory[]> {
    return this.stories(
      `${SELECT_STORY} listings l JOIN stories s ON s.id = l.story_id
       WHERE l.source_id = $1 AND EXISTS (SELECT 1 FROM listings o WHERE o.story_id = s.id AND o.source_id <> l.source_id) ORDER BY s.seq`,
      [esc(sourceId)],
    );
  }
  async firstSeenSince(sourceId: string, since: string): Promise<string[]> {
    const rows = await this.rows<{ first_seen: string }>(
      `SELECT s.first_seen FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = $1 AND s.first_seen >= $2`,
      [esc(sourceId), esc(since)],
    );
    return rows.map((r) => unesc(r.first_seen));
  }
  async fullTextCount(sourceId: string): Promise<number> {
    const rows = await this.rows<{ n: string }>(
      `SELECT count(*) AS n FROM listings l JOIN stories s ON s.id = l.story_id WHERE l.source_id = $1 AND s.full_text IS NOT NULL`,
      [esc(sourceId)],
    );
    // count(*) is a bigint, which node-postgres hands back as a string.
    return Number(rows[0]!.n);
  }
  async countOf(sourceId: string): Promise<number> {
    return (await this.rows<{ n: number }>(`SELECT stories AS n FROM source_counts WHERE source_id = $1`, [esc(sourceId)]))[0]?.n ?? 0;
  }
  async counts(): Promise<Record<string, number>> {
    const rows = await this.rows<{ source_id: string; n: number }>(`SELECT source_id, stories AS n FROM source_counts WHERE stories > 0 ORDER BY source_id`, []);
    return Object.fromEntries(rows.map((r) => [unesc(r.source_id), r.n]));
  }
  async size(): Promise<number> {
    // count(*) is a bigint, which node-postgres hands back as a string.
    return Number((await this.rows<{ n: string }>(`SELECT count(*) AS n FROM stories`, []))[0]!.n);
  }
  async page(afterId: string | null, limit: number): Promise<ExportedStory[]> {
    const rows = await this.rows<StoryRow & FullTextRow>(`${SELECT_EXPORTED} stories s WHERE s.id > $1 ORDER BY s.id LIMIT $2`, [esc(afterId ?? ''), limit]);
    return rows.map((r) => withFullTextTried(toStory(r), { ...r, full_text_for: unesc(r.full_text_for), full_text_after: unesc(r.full_text_after) }));
  }
  async source(sourceId: string): Promise<SourceState> {
    const [row] = await this.rows<SourceRow>(`SELECT * FROM sources WHERE id = $1`, [esc(sourceId)]);
    return row === undefined ? emptySourceState() : toSource(row);
  }
  async sources(): Promise<Record<string, SourceState>> {
    const rows = await this.rows<SourceRow>(`SELECT * FROM sources ORDER BY id`, []);
    return Object.fromEntries(rows.map((r) => [unesc(r.id), toSource(r)]));
  }

  async commit(change: Change): Promise<CommitResult> {
    if (this.closed) throw new WirefeedError('store', 'E_CLOSED', `database ${this.location} is closed`);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storeError('connecting to', this.location, err);
    }
    // Set when even ROLLBACK failed: the connection is broken and the pool must drop it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await apply(client, change);
      // Delivered to every listening instance when (and only if) the transaction commits.
      const notice = changePayload(this.instance, result.touched, Object.keys(change.sources ?? {}));
      if (notice !== null) await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, notice]);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollback) {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      }
      throw storeError('writing', this.location, err);
    } finally {
      client.release(broken);
    }
  }

  async check(): Promise<void> {
    await this.rows('SELECT 1', []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** A change's statements on one client inside its transaction (mirrors SqliteStore.apply). */
async function apply(db: Queryable, change: Change): Promise<CommitResult> {
  const touched = new Set<string>();
  const counts = new Map<string, number>();
  for (const story of await putNew(db, change.put ?? [], touched, counts)) await put(db, story, touched, counts);
  for (const story of await putNew(db, change.quiet ?? [], null, counts)) await put(db, story, null, counts);
  if (change.seen !== undefined && change.seen.ids.length > 0) {
    await db.query(`UPDATE stories SET last_seen = $1 WHERE id = ANY($2::text[])`, [esc(change.seen.at), change.seen.ids.map(esc)]);
  }
  if (change.unlist !== undefined) for (const id of change.unlist.ids) await unlist(db, id, change.unlist.sourceId, touched, counts);
  for (const [id, delta] of counts) {
    if (delta === 0) continue;
    await db.query(
      `INSERT INTO source_counts (source_id, stories) VALUES ($1, $2) ON CONFLICT (source_id) DO UPDATE SET stories = source_counts.stories + excluded.stories`,
      [esc(id), delta],
    );
  }
  for (const [id, origin] of Object.entries(change.origins ?? {})) await db.query(`UPDATE stories SET origin = $1 WHERE id = $2`, [esc(origin), esc(id)]);
  for (const [id, patch] of Object.entries(change.sources ?? {})) {
    const row = (await db.query<SourceRow>(`SELECT * FROM sources WHERE id = $1 FOR UPDATE`, [esc(id)])).rows[0];
    const s = { ...(row === undefined ? emptySourceState() : toSource(row)), ...patch };
    await db.query(
      `INSERT INTO sources (id, etag, last_modified, last_attempt, last_success, last_error, consecutive_failures, next_attempt_after, content_hash, last_page_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,
         last_success = excluded.last_success, last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
         next_attempt_after = excluded.next_attempt_after, content_hash = excluded.content_hash, last_page_at = excluded.last_page_at`,
      [esc(id), esc(s.etag), esc(s.lastModified), esc(s.lastAttempt), esc(s.lastSuccess), esc(s.lastError), s.consecutiveFailures, esc(s.nextAttemptAfter), esc(s.contentHash), esc(s.lastPageAt)],
    );
  }
  return { touched: [...touched].sort() };
}

interface Held {
  sources: string;
  origin: string | null;
  keys: string;
  published_latest: string;
}

async function held(db: Queryable, id: string): Promise<Held | undefined> {
  return (await db.query<Held>(`SELECT sources, origin, keys, published_latest FROM stories WHERE id = $1 FOR UPDATE`, [esc(id)])).rows[0];
}

/**
 * Insert those of `stories` that are not stored yet with one statement per table, and return the
 * rest (stored ones, and a second put of one id) in order, for put() one at a time: an import, or
 * a page of new stories, then takes a few round trips instead of four for every story. The same
 * rows as put() writes for a new story (no origin yet).
 */
async function putNew(db: Queryable, stories: readonly StoredStory[], touched: Set<string> | null, counts: Map<string, number>): Promise<readonly StoredStory[]> {
  if (stories.length < 2) return stories;
  const ids = stories.map((s) => esc(s.id));
  const stored = new Set((await db.query<{ id: string }>(`SELECT id FROM stories WHERE id = ANY($1::text[]) FOR UPDATE`, [ids])).rows.map((r) => r.id));
  const fresh: StoredStory[] = [];
  const rest: StoredStory[] = [];
  stories.forEach((story, i) => {
    if (stored.has(ids[i]!)) {
      rest.push(story);
      return;
    }
    if (story.sources[0] === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
    // Stored by the time a second put of this id comes, which put() then applies in order.
    stored.add(ids[i]!);
    fresh.push(story);
  });
  if (fresh.length === 0) return rest;
  const columns = STORY_COLUMNS.split(', ');
  const rows = fresh.map((story) => storyParams(story, null));
  await db.query(
    `INSERT INTO stories (${STORY_COLUMNS}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c === 'headline_derived' ? 'boolean' : 'text'}[]`).join(', ')})`,
    columns.map((_, i) => rows.map((row) => row[i])),
  );
  const keys = fresh.flatMap((story) => story.keys.map((key) => [esc(key), esc(story.id)] as const));
  await db.query(`INSERT INTO story_keys (key, story_id) SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    keys.map((k) => k[0]),
    keys.map((k) => k[1]),
  ]);
  const listings = fresh.flatMap((story) => story.sources.map((source) => [esc(source), esc(story.id), esc(story.publishedLatest)] as const));
  await db.query(`INSERT INTO listings (source_id, story_id, published_latest) SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`, [
    listings.map((l) => l[0]),
    listings.map((l) => l[1]),
    listings.map((l) => l[2]),
  ]);
  for (const story of fresh) {
    for (const source of new Set(story.sources)) {
      touched?.add(source);
      counts.set(source, (counts.get(source) ?? 0) + 1);
    }
  }
  return rest;
}

async function put(db: Queryable, story: StoredStory, touched: Set<string> | null, counts: Map<string, number>): Promise<void> {
  const home = story.sources[0];
  if (home === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
  const was = await held(db, story.id);
  const sources = JSON.stringify(story.sources);
  let origin: string | null = null;
  if (was !== undefined) {
    const before = JSON.parse(was.sources) as string[];
    for (const s of before) touched?.add(s);
    // The first move away from its first home: that home stays its origin.
    origin = was.origin !== null ? unesc(was.origin) : before[0] !== home ? before[0]! : null;
  }
  for (const s of story.sources) touched?.add(s);
  await db.query(UPSERT, storyParams(story, origin));
  const id = esc(story.id);
  // A new story has no keys or listings to delete: one round trip each saved (an import is mostly new stories).
  if (was === undefined || was.keys !== JSON.stringify(story.keys)) {
    if (was !== undefined) await db.query(`DELETE FROM story_keys WHERE story_id = $1`, [id]);
    await db.query(`INSERT INTO story_keys (key, story_id) SELECT DISTINCT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [story.keys.map(esc), id]);
  }
  if (was === undefined || was.sources !== sources) {
    const before = new Set(was === undefined ? [] : (JSON.parse(was.sources) as string[]));
    const after = new Set(story.sources);
    for (const s of after) if (!before.has(s)) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of before) if (!after.has(s)) counts.set(s, (counts.get(s) ?? 0) - 1);
  }
  if (was === undefined || was.sources !== sources || unesc(was.published_latest) !== story.publishedLatest) {
    if (was !== undefined) await db.query(`DELETE FROM listings WHERE story_id = $1`, [id]);
    await db.query(
      `INSERT INTO listings (source_id, story_id, published_latest) SELECT DISTINCT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING`,
      [story.sources.map(esc), id, esc(story.publishedLatest)],
    );
  }
}

async function unlist(db: Queryable, id: string, sourceId: string, touched: Set<string>, counts: Map<string, number>): Promise<void> {
  const was = await held(db, id);
  if (was === undefined) return;
  const before = JSON.parse(was.sources) as string[];
  if (!before.includes(sourceId)) return;
  for (const s of before) touched.add(s);
  counts.set(sourceId, (counts.get(sourceId) ?? 0) - 1);
  const after = before.filter((s) => s !== sourceId);
  if (after.length === 0) {
    await db.query(`DELETE FROM stories WHERE id = $1`, [esc(id)]);
    return;
  }
  await db.query(`DELETE FROM listings WHERE source_id = $1 AND story_id = $2`, [esc(sourceId), esc(id)]);
  const origin = was.origin !== null ? unesc(was.origin) : after[0] !== before[0] ? before[0]! : null;
  await db.query(`UPDATE stories SET sources = $1, origin = $2 WHERE id = $3`, [JSON.stringify(after), esc(origin), esc(id)]);
}

/** Open the state in the PostgreSQL database at `url`, migrated to this wirefeed's schema. */
export async function openPostgresStore(url: string): Promise<Store> {
  const where = redactUrl(url);
  const pool = new (await pgDriver()).Pool({ connectionString: url, max: 4 });
  // An idle client whose connection drops (server restart) emits 'error' on the pool, which
  // would crash the process unheard. The pool has already discarded that client; the next query
  // opens a new connection and fails with the cause if the server is still gone, so the store's
  // callers (and check() at each poll) see it there.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migrate(client, where);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw storeError('opening', where, err);
  }
  return new PostgresStore(where, pool, url);
}

/**
 * Connect to and log in to the database at `url` and ask it one question, writing nothing
 * (`wirefeed check`). Throws a WirefeedError with the driver's error as its cause.
 */
export async function probePostgres(url: string): Promise<void> {
  const client = new (await pgDriver()).Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new WirefeedError('store', 'E_DB_UNREACHABLE', `cannot reach ${redactUrl(url)}`, { cause: err });
  } finally {
    await client.end();
  }
}
