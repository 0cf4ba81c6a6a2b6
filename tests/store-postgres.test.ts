/** What the PostgreSQL backend adds to the Store contract: migrations shared by several instances, on a real cluster. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WirefeedError } from '../src/errors.js';
import { openStore } from '../src/store/index.js';
import { startPgCluster, type PgCluster } from './helpers/postgres.js';
import { story } from './helpers/store-contract.js';
import { tempDir } from './helpers/tmp.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL store', () => {
  it('migrates once when three instances open one new database together, and each reads what another wrote', async () => {
    const url = await cluster.database();
    const dir = await tempDir();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ dir, url })));
    expect(await sql(url, 'SELECT version FROM wirefeed_schema')).toEqual([{ version: 1 }]);
    await stores[0]!.commit({ put: [story('a', ['s1'], '2026-11-28T10:00:00.000Z')] });
    expect((await stores[2]!.get('a'))?.headline).toBe('Kop a');
    expect(stores[1]!.location).toBe(url);
    for (const s of stores) await s.close();
  });

  it('refuses a database written by a newer wirefeed and leaves it untouched', async () => {
    const url = await cluster.database();
    await sql(url, 'CREATE TABLE wirefeed_schema (version INTEGER NOT NULL)');
    await sql(url, 'INSERT INTO wirefeed_schema (version) VALUES (99)');
    const err = await openStore({ dir: await tempDir(), url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WirefeedError);
    expect((err as WirefeedError).code).toBe('E_STATE_VERSION');
    expect((await sql<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename)).toEqual(['wirefeed_schema']);
  });

  it('says which database it cannot reach, with the cause, and hides the password', async () => {
    const url = `postgres://wirefeed:geheim@127.0.0.1:${cluster.port}/no_such_database`;
    const err = await openStore({ dir: await tempDir(), url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WirefeedError);
    expect((err as WirefeedError).code).toBe('E_DB');
    expect((err as Error).message).toContain(`postgres://wirefeed:***@127.0.0.1:${cluster.port}/no_such_database`);
    expect((err as Error).message).not.toContain('geheim');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});
