/** What the PostgreSQL backend adds to the Store contract: migrations shared by several instances, on a real cluster. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../src/cli/check.js';
import { WirefeedError } from '../src/errors.js';
import { openStore } from '../src/store/index.js';
import { pgClusterPerFile } from './helpers/postgres-file.js';
import { story } from './helpers/store-contract.js';
import { tempDir } from './helpers/tmp.js';

const cluster = pgClusterPerFile();

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
    expect(await sql(url, 'SELECT version FROM wirefeed_schema')).toEqual([{ version: 4 }]);
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

describe('wirefeed check with state.url', () => {
  async function check(url: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const dir = await tempDir();
    const file = join(dir, 'wirefeed.yaml');
    await writeFile(file, `state: { url: "${url}" }\nsources:\n  - { id: a, title: A, path: a.txt }\n`);
    let stdout = '';
    let stderr = '';
    const code = await checkCommand(['--config', file], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {} });
    return { code, stdout, stderr: stderr.replace(file, 'FILE') };
  }

  it('logs in to a reachable database and says ok', async () => {
    const url = await cluster.database();
    const { code, stdout, stderr } = await check(url);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain(': ok (1 source, 0 feeds)');
  });

  it('reports a database it cannot reach or log in to, with the cause, and exits 1', async () => {
    const refused = await check('postgres://wf:geheim@127.0.0.1:1/wirefeed');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'FILE: state.url: store: cannot reach postgres://wf:***@127.0.0.1:1/wirefeed (E_DB_UNREACHABLE): caused by connect ECONNREFUSED 127.0.0.1:1\n',
    );
    const missing = await check(`postgres://postgres@127.0.0.1:${cluster.port}/nope`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`FILE: state.url: store: cannot reach postgres://postgres@127.0.0.1:${cluster.port}/nope (E_DB_UNREACHABLE): caused by database "nope" does not exist (3D000)\n`);
  });
});
