/**
 * `wirefeed state check` on PostgreSQL, what SQLite's integrity_check is to the file: the database
 * answers and lets us in, carries this wirefeed's schema, and the counts wirefeed keeps agree with
 * the listings they count. Read only: nothing is migrated or written, so it is safe beside running
 * instances and on a database that is not wirefeed's at all.
 */
import type pg from 'pg';
import { WirefeedError } from '../errors.js';
import { pgDriver } from './pg-driver.js';
import { PG_SCHEMA_VERSION } from './pg-schema.js';
import { unesc } from './pg-rows.js';
import { redactUrl } from './postgres.js';

/** What the check found. */
export interface PostgresCheck {
  /** The server's version, as it reports it. */
  server: string;
  /** The schema version stored in the database; 0 when it has none. */
  schemaVersion: number;
  /** One line per problem; none when all is well. */
  problems: string[];
  /** Stories listed per source (source_counts) and stories held; null when the schema is not this wirefeed's. */
  counts: { sources: Record<string, number>; total: number } | null;
}

const TABLES = ['stories', 'story_keys', 'listings', 'sources', 'source_counts'] as const;

async function inspect(client: pg.Client): Promise<PostgresCheck> {
  const server = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const result: PostgresCheck = { server, schemaVersion: 0, problems: [], counts: null };
  const missing = async (table: string) => (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0]!.t === null;
  if (await missing('wirefeed_schema')) {
    result.problems.push('no wirefeed tables: an empty database (wirefeed creates them at its first start)');
    return result;
  }
  result.schemaVersion = (await client.query<{ version: number }>('SELECT version FROM wirefeed_schema')).rows[0]?.version ?? 0;
  if (result.schemaVersion > PG_SCHEMA_VERSION) {
    result.problems.push(`schema version ${result.schemaVersion} was written by a newer wirefeed (this one knows ${PG_SCHEMA_VERSION})`);
    return result;
  }
  if (result.schemaVersion < PG_SCHEMA_VERSION) {
    result.problems.push(`schema version ${result.schemaVersion}, older than this wirefeed's ${PG_SCHEMA_VERSION} (its next start migrates it)`);
  }
  for (const table of TABLES) if (await missing(table)) result.problems.push(`table ${table} is missing`);
  if (result.problems.length > 0) return result;

  const counts = await client.query<{ source_id: string; stories: number }>('SELECT source_id, stories FROM source_counts ORDER BY source_id');
  result.counts = {
    sources: Object.fromEntries(counts.rows.map((r) => [unesc(r.source_id), r.stories])),
    // count(*) is a bigint, which node-postgres hands back as a string.
    total: Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM stories')).rows[0]!.n),
  };
  const drift = await client.query<{ source_id: string; kept: number | null; listed: string | null }>(
    `SELECT coalesce(c.source_id, l.source_id) AS source_id, c.stories AS kept, l.n AS listed
     FROM source_counts c FULL JOIN (SELECT source_id, count(*) AS n FROM listings GROUP BY source_id) l ON l.source_id = c.source_id
     WHERE coalesce(c.stories, 0) <> coalesce(l.n, 0) ORDER BY 1`,
  );
  for (const r of drift.rows) {
    result.problems.push(`source ${unesc(r.source_id)}: ${r.kept ?? 0} stories counted, ${Number(r.listed ?? 0)} listed`);
  }
  const unlisted = Number(
    (await client.query<{ n: string }>('SELECT count(*) AS n FROM stories s WHERE NOT EXISTS (SELECT 1 FROM listings l WHERE l.story_id = s.id)')).rows[0]!.n,
  );
  if (unlisted > 0) result.problems.push(`${unlisted} stories listed under no source`);
  return result;
}

/** Check the wirefeed state in the PostgreSQL database at `url` (see the file comment). */
export async function checkPostgres(url: string): Promise<PostgresCheck> {
  const where = redactUrl(url);
  const client = new (await pgDriver()).Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection that drops mid-check emits 'error' on the client; the query in flight fails with it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end();
    throw new WirefeedError('store', 'E_DB_UNREACHABLE', `cannot reach ${where}`, { cause: err });
  }
  try {
    return await inspect(client);
  } catch (err) {
    throw new WirefeedError('store', 'E_DB', `checking ${where} failed`, { cause: err });
  } finally {
    await client.end();
  }
}
