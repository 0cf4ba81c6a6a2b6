/** What the SQLite backend adds to the Store contract: its schema version, WAL, and a busy database. */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { SCHEMA_VERSION } from '../src/store/schema.js';
import { prepare } from '../src/store/sqlite-statements.js';
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

  it('migrates a version-3 database to the narrower keys and listings of version 4, every lookup answering as before', async () => {
    const dir = await tempDir();
    const file = join(dir, 'wirefeed.db');
    const made = await openStore(dir);
    await made.commit({
      put: [
        story('a', ['s1', 's2'], '2026-11-28T10:00:00.000Z', { keys: ['a', 'k2'] }),
        story('b', ['s1'], '2026-11-28T11:00:00.000Z'),
        // An id that is not among its keys (a state from before ids were first keys).
        story('c', ['s2'], '2026-11-28T09:00:00.000Z', { keys: ['x'] }),
      ],
    });
    await made.close();
    // Back to version 3: every key in story_keys, listings keyed by source and story, foreign keys.
    const db = new Database(file);
    db.exec(`
      DROP TABLE story_keys; DROP TABLE listings;
      CREATE TABLE story_keys (key TEXT NOT NULL, story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE, PRIMARY KEY (story_id, key)) WITHOUT ROWID;
      CREATE INDEX story_keys_key ON story_keys (key);
      CREATE TABLE listings (source_id TEXT NOT NULL, story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE, published_latest TEXT NOT NULL,
        PRIMARY KEY (source_id, story_id)) WITHOUT ROWID;
      CREATE INDEX listings_feed ON listings (source_id, published_latest DESC, story_id);
      CREATE INDEX listings_story ON listings (story_id);
      INSERT INTO story_keys SELECT k.value, s.id FROM stories s, json_each(s.keys) k;
      INSERT INTO listings SELECT l.value, s.id, s.published_latest FROM stories s, json_each(s.sources) l;
      PRAGMA user_version = 3;
    `);
    db.close();

    const migrated: unknown[] = [];
    const store = await openStore(dir, { onMigrated: ({ from, to }) => migrated.push({ from, to }) });
    // Told once, for the log (a large state takes a while); a database already at the version is not.
    expect(migrated).toEqual([{ from: 3, to: SCHEMA_VERSION }]);
    const ids = (stories: { id: string }[]) => stories.map((s) => s.id);
    expect([ids(await store.withKey('a')), ids(await store.withKey('k2')), ids(await store.withKey('x')), ids(await store.withKey('c'))]).toEqual([['a'], ['a'], ['c'], []]);
    expect(ids(await store.withKeys(['k2', 'c', 'b']))).toEqual(['a', 'b', 'c']);
    expect(ids(await store.feed({ sourceIds: ['s1'], limit: 10 }))).toEqual(['b', 'a']);
    expect(ids(await store.feed({ sourceIds: ['s1', 's2'], limit: 10 }))).toEqual(['b', 'a', 'c']);
    expect(ids(await store.shared('s2'))).toEqual(['a']);
    // Unlisted from both its sources, a story goes with its keys and listings.
    await store.commit({ unlist: { sourceId: 's1', ids: ['a'] } });
    await store.commit({ unlist: { sourceId: 's2', ids: ['a'] } });
    expect([await store.get('a'), await store.withKey('k2'), await store.counts()]).toEqual([null, [], { s1: 1, s2: 1 }]);
    await store.close();

    const again = await openStore(dir, { onMigrated: (m) => migrated.push(m) });
    await again.close();
    expect(migrated).toHaveLength(1);

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    // Per new story: the row, its id and lead key indexes, one listing per source; keys other than its id only.
    expect(check.prepare(`SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') ORDER BY name`).pluck().all()).toEqual([
      'listings', 'source_counts', 'sources', 'sqlite_autoindex_sources_1', 'sqlite_autoindex_stories_1', 'stories', 'stories_lead_key', 'story_keys',
    ]);
    expect(check.prepare('SELECT key, story_id FROM story_keys ORDER BY key').all()).toEqual([{ key: 'x', story_id: 'c' }]);
    expect(check.prepare('SELECT source_id, story_id FROM listings ORDER BY source_id, story_id').all()).toEqual([
      { source_id: 's1', story_id: 'b' },
      { source_id: 's2', story_id: 'c' },
    ]);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });

  it('runs every statement by an index: no statement scans stories, keys or listings but the count of all stories', async () => {
    const dir = await tempDir();
    await (await openStore(dir)).close();
    const db = new Database(join(dir, 'wirefeed.db'));
    const scans: string[] = [];
    for (const [name, statement] of Object.entries(prepare(db))) {
      const sql = statement.source;
      const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((p) => p.slice(1));
      const explain = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`);
      const plan = named.length > 0 ? explain.all(Object.fromEntries(named.map((p) => [p, '[]']))) : explain.all(...Array<string>((sql.match(/\?/g) ?? []).length).fill('[]'));
      for (const { detail } of plan) if (detail.startsWith('SCAN ') && !detail.includes('VIRTUAL TABLE')) scans.push(`${name}: ${detail}`);
    }
    // Scanned: a page's JSON lists (json_each), a feed's page of ids, the tables of sources, and all stories to count them.
    expect(scans).toEqual([
      'feedMany: SCAN ids',
      'counts: SCAN source_counts',
      'size: SCAN stories USING COVERING INDEX sqlite_autoindex_stories_1',
      'sources: SCAN sources USING INDEX sqlite_autoindex_sources_1',
    ]);
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
