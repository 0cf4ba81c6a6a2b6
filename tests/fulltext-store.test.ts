/** Issue 18 in the SQLite store: migrations 2 and 3 add the full-text columns to a version-1 database; a re-put story keeps its full text. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { SCHEMA_VERSION } from '../src/store/schema.js';
import { story } from './helpers/store-contract.js';
import { tempDir } from './helpers/tmp.js';

const T = '2026-11-28T12:00:00.000Z';

describe('full text in the SQLite store', () => {
  it('a version-1 database gets the columns, its stories intact and due for their article', async () => {
    const dir = await tempDir();
    const first = await openStore(dir);
    await first.commit({ put: [story('a'.repeat(32), ['s'], T, { link: 'https://x.example/a' }), story('b'.repeat(32), ['s'], T, { link: null })] });
    await first.close();
    // Back to version 1: the schema as the previous release left it.
    const db = new Database(join(dir, 'wirefeed.db'));
    for (const c of ['full_text', 'full_text_for', 'full_text_attempts', 'full_text_after', 'full_text_link', 'full_text_etag', 'full_text_modified']) db.exec(`ALTER TABLE stories DROP COLUMN ${c}`);
    db.pragma('user_version = 1');
    db.close();

    const store = await openStore(dir);
    expect(SCHEMA_VERSION).toBe(4);
    const held = await store.get('a'.repeat(32));
    expect(held).toMatchObject({ headline: `Kop ${'a'.repeat(32)}`, link: 'https://x.example/a' });
    expect(held?.fullText).toBeUndefined();
    const due = await store.fullTextDue('s', T, 3, 10);
    expect(due.map((d) => [d.id, d.link, d.attempts])).toEqual([['a'.repeat(32), 'https://x.example/a', 0]]);

    await store.putFullText('a'.repeat(32), { entry: due[0]!.entry, html: null, attempts: 1, after: '2026-11-28T12:05:00.000Z', at: '2026-11-28T12:01:00.000Z' });
    expect(await store.fullTextDue('s', T, 3, 10)).toEqual([]);
    expect((await store.get('a'.repeat(32)))?.updated).toBe(T);
    await store.putFullText('a'.repeat(32), { entry: due[0]!.entry, html: '<p>Artikel.</p>', attempts: 2, after: null, at: '2026-11-28T12:06:00.000Z' });
    expect(await store.fullTextDue('s', '2026-11-28T12:07:00.000Z', 3, 10)).toEqual([]);
    // The article is a change readers must see: the story is updated when it came.
    expect((await store.get('a'.repeat(32)))?.updated).toBe('2026-11-28T12:06:00.000Z');
    // Ingest replaces a story whole when it changes: the full text stays, and a changed body makes it due again.
    await store.commit({ put: [story('a'.repeat(32), ['s'], T, { link: 'https://x.example/a', bodyHash: 'changed' })] });
    expect((await store.get('a'.repeat(32)))?.fullText).toBe('<p>Artikel.</p>');
    expect((await store.fullTextDue('s', T, 3, 10)).map((d) => [d.id, d.attempts])).toEqual([['a'.repeat(32), 0]]);
    await store.close();
    const check = new Database(join(dir, 'wirefeed.db'), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(4);
    check.close();
  });
});
