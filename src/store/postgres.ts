/**
 * The Store on PostgreSQL (node-postgres, one Pool): the state several wirefeed instances share
 * (`state.url` or `DATABASE_URL`). Reads are here; the tables and migrations are pg-schema.ts, a
 * commit's statements pg-writes.ts (one transaction on one client of the pool), rows and the
 * escaping of U+0000 pg-rows.ts, the instances' lock and notices pg-coordination.ts.
 */
import type pg from 'pg';
import { WirefeedError } from '../errors.js';
import type { SourceState } from '../model.js';
import { emptySourceState, wellFormed, type Change, type Coordination, type CoordinationEvents, type CoordinationOptions, type CommitResult, type FeedQuery, type FullTextDue, type FullTextResult, type ExportedStory, type HeldStory, type ListedStory, type Store, type StoryStamp } from './index.js';
import { changePayload, CHANGES_CHANNEL, instanceId, startPgCoordination } from './pg-coordination.js';
import { pgDriver } from './pg-driver.js';
import { migrate } from './pg-schema.js';
import { esc, toSource, toStory, unesc, type StoryRow } from './pg-rows.js';
import { apply } from './pg-writes.js';
import { DUE_VALIDATORS, dueOf, STORY_COLUMNS, withFullTextTried, type DueRow, type FullTextRow, type SourceRow } from './rows.js';

// The full text is written by putFullText only (not a STORY_COLUMN, so ingest's upsert keeps it), but read with the story.
const STORY = STORY_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ');
const SELECT_STORY = `SELECT ${STORY}, s.full_text FROM`;
/** A page's lookups (ingest) read a story without its article (a null full_text reads as none). */
const SELECT_HELD = `SELECT ${STORY}, NULL AS full_text FROM`;

const SELECT_EXPORTED = SELECT_STORY.replace(/ FROM$/, ', s.full_text_for, s.full_text_attempts, s.full_text_after FROM');

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
  async withKeys(keys: readonly string[]): Promise<HeldStory[]> {
    if (keys.length === 0) return [];
    return this.stories(
      `${SELECT_HELD} stories s WHERE s.id IN (SELECT story_id FROM story_keys WHERE key = ANY($1::text[])) OR s.id = ANY($1::text[]) ORDER BY s.seq`,
      [keys.map(esc)],
    );
  }
  async byLeadKeys(leadKeys: readonly string[], sourceId: string, since: string): Promise<HeldStory[]> {
    if (leadKeys.length === 0) return [];
    return this.stories(
      `${SELECT_HELD} stories s JOIN listings l ON l.story_id = s.id AND l.source_id = $1 WHERE s.lead_key = ANY($2::text[]) AND s.last_seen >= $3 ORDER BY s.seq`,
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
