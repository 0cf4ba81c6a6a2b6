/** What the SQLite backend adds to the Store contract: its schema version, WAL, and a busy database. */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { SCHEMA_VERSION } from '../src/store/schema.js';
import { story } from './helpers/store-contract.js';
import { tempDir } from './helpers/tmp.js';

const T = '2026-11-28T12:00:00.000Z';

describe('the SQLite store', () => {
  it('creates the schema at its version in WAL mode', async () => {
    const dir = await tempDir();
    await (await openStore(dir)).close();
    const db = new Database(join(dir, 'wirefeed.db'), { readonly: true });
    expect([db.pragma('user_version', { simple: true }), db.pragma('journal_mode', { simple: true })]).toEqual([SCHEMA_VERSION, 'wal']);
    db.close();
  });

  it('checkpoints the WAL on a turn of its own after a write, before SQLite\'s automatic checkpoint would', async () => {
    const dir = await tempDir();
    const db = join(dir, 'wirefeed.db');
    const store = await openStore(dir);
    const empty = statSync(db).size;
    const body = Array.from({ length: 4 }, (_, i) => `Alinea ${i} ${'tekst '.repeat(30)}`);
    // Some hundreds of WAL pages: fewer than the 1,000 at which SQLite would checkpoint by itself.
    await store.commit({ put: Array.from({ length: 1000 }, (_, i) => story(`s${String(i).padStart(4, '0')}`, ['bron'], T, { body })) });
    const wal = statSync(`${db}-wal`).size;
    expect([wal > 200 * 4096, wal < 1000 * 4096, statSync(db).size]).toEqual([true, true, empty]);
    const deadline = Date.now() + 20_000;
    while (statSync(db).size === empty && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(db).size).toBeGreaterThan(200 * 4096);
    expect(await store.size()).toBe(1000);
    await store.close();
  });

  it('refuses a database from a newer wirefeed and leaves it byte for byte', async () => {
    const dir = await tempDir();
    const file = join(dir, 'wirefeed.db');
    const made = new Database(file);
    made.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    made.close();
    const bytes = await readFile(file);
    await expect(openStore(dir)).rejects.toThrow(`database ${file} was written by a newer wirefeed (schema version ${SCHEMA_VERSION + 1}, this one knows ${SCHEMA_VERSION})`);
    expect(await readFile(file)).toEqual(bytes);
  });

  it('a commit while another process holds the write lock fails with SQLITE_BUSY after its busy timeout and writes nothing; the next one succeeds', async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { busyTimeoutMs: 100 });
    await store.commit({ put: [story('a', ['s1'], T)] });
    const other = new Database(join(dir, 'wirefeed.db'), { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    await expect(store.commit({ put: [story('b', ['s1'], T)], sources: { s1: { etag: '"x"' } } })).rejects.toThrow(/store: writing \S+ failed \(SQLITE_BUSY\)/);
    other.exec('ROLLBACK');
    other.close();
    expect([await store.get('b'), (await store.source('s1')).etag]).toEqual([null, null]);
    await store.commit({ put: [story('b', ['s1'], T)] });
    expect(await store.countOf('s1')).toBe(2);
    await store.close();
    const db = new Database(join(dir, 'wirefeed.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
