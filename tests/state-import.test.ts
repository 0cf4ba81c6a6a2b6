/**
 * The JSON state of earlier wirefeeds (versions 1–4) is imported into SQLite on the first start:
 * every story, body, interval, origin and bookkeeping field kept, the feeds byte for byte what
 * the JSON store served (tests/fixtures/state/v4, built by it), the old files kept in
 * json-backup-<time>/, and no second import.
 */
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredStory } from '../src/model.js';
import { openStore } from '../src/store/index.js';
import { startDaemon } from './helpers/daemon.js';
import { storiesOf } from './helpers/state.js';
import { tempDir } from './helpers/tmp.js';

const V4 = join(import.meta.dirname, 'fixtures/state/v4');
const V3 = join(import.meta.dirname, 'fixtures/state/v3');
const T0 = new Date('2026-11-28T14:00:00Z');
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

const FEEDS: Record<string, string> = {
  alfa: '',
  bravo: '',
  alles: '',
  geheim: '?token=fixture-token-0123456789abcdef',
  prive: '?token=fixture-token-feed-0123456789ab',
};

/** Every file under `dir`, relative, with its bytes. */
async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const path = join(name.parentPath, name.name);
    out[path.slice(dir.length + 1)] = await readFile(path, 'latin1');
  }
  return out;
}

describe('importing a version-4 JSON state', () => {
  it('keeps every story, body, interval, origin and bookkeeping field; the feeds are byte for byte what the JSON store served', async () => {
    const dir = await tempDir();
    const state = join(dir, 'state');
    await cp(join(V4, 'state'), state, { recursive: true });

    const imported: { stories: number; backup: string }[] = [];
    const store = await openStore(state, { now: () => T0, onImport: (i) => imported.push(i) });
    expect(imported).toEqual([{ stories: 17, backup: join(state, 'json-backup-20261128T140000Z') }]);
    // Bookkeeping exactly as wirefeed.json had it.
    const meta = await readJson(join(V4, 'state/wirefeed.json'));
    expect(await store.sources()).toEqual(meta['sources']);
    // Every story as its row and body file had it (rows: column order of the JSON store's story files).
    const STORY_COLUMNS = ['id', 'keys', 'leadKey', 'sources', 'headline', 'headlineDerived', 'place', 'agencies', 'section', 'bodyHash', 'link', 'lang', 'firstSeen', 'lastSeen', 'publishedEarliest', 'publishedLatest', 'updated'];
    let n = 0;
    for (const home of ['alfa', 'bravo', 'geheim']) {
      const file = (await readJson(join(V4, 'state/stories', `${home}.json`))) as { strings: string[]; stories: unknown[][] };
      const { bodies } = (await readJson(join(V4, 'state/bodies', `${home}.json`))) as { bodies: Record<string, string[]> };
      for (const row of file.stories) {
        const s = Object.fromEntries(STORY_COLUMNS.map((c, i) => [c, row[i]])) as Record<string, unknown>;
        const str = (v: unknown) => (v === -1 ? null : file.strings[v as number]);
        const want = {
          ...s,
          keys: s['keys'] === 0 ? [s['id']] : s['keys'],
          sources: Array.isArray(s['sources']) ? (s['sources'] as number[]).map(str) : [str(s['sources'])],
          headlineDerived: s['headlineDerived'] === 1,
          place: str(s['place']),
          agencies: (s['agencies'] as number[]).map(str),
          section: str(s['section']),
          lang: str(s['lang']),
          firstSeen: str(s['firstSeen']),
          lastSeen: str(s['lastSeen']),
          publishedEarliest: str(s['publishedEarliest']),
          publishedLatest: str(s['publishedLatest']),
          updated: str(s['updated']),
          body: bodies[s['id'] as string],
          author: null,
          image: null,
        };
        const origins = meta['origins'] as Record<string, string>;
        expect(await store.get(s['id'] as string)).toEqual({ ...want, origin: origins[s['id'] as string] ?? (want.sources as string[])[0] });
        n++;
      }
    }
    expect([n, await store.size()]).toEqual([17, 17]);
    expect(Object.keys(meta['origins'] as object)).toHaveLength(1);
    await store.close();

    // The old files, byte for byte, in the backup; none left beside the database.
    const backup = imported[0]!.backup;
    expect(await files(backup)).toEqual(await files(join(V4, 'state')));
    expect((await readdir(state)).sort()).toEqual(['json-backup-20261128T140000Z', 'wirefeed.db']);

    // The feeds served from it: the exact bytes the JSON store served.
    const yaml = (await readFile(join(V4, 'wirefeed.yaml'), 'utf8')).replace('dir: STATE_DIR', `dir: ${state}`);
    const d = await startDaemon(dir, yaml);
    try {
      await d.app.settled;
      for (const [feed, token] of Object.entries(FEEDS)) {
        for (const ext of ['atom', 'rss', 'json']) {
          const res = await fetch(`${d.app.url}/feeds/${feed}.${ext}${token}`);
          expect(Buffer.from(await res.arrayBuffer()).toString('utf8'), `${feed}.${ext}`).toBe(await readFile(join(V4, 'expected', `${feed}.${ext}`), 'utf8'));
        }
      }
      // A second start (this one) imports nothing.
      expect(d.lines.filter((l) => l.includes('state imported'))).toEqual([]);
    } finally {
      await d.app.stop();
    }
    expect((await readdir(state)).filter((n) => n.startsWith('json-backup-'))).toEqual(['json-backup-20261128T140000Z']);
  });
});

describe('importing a version-3 JSON state', () => {
  it('keeps every stored value; keys, lead keys and listings answer as before', async () => {
    const dir = await tempDir();
    await cp(V3, dir, { recursive: true });
    const store = await openStore(dir, { now: () => T0 });
    const want: StoredStory[] = [];
    for (const home of ['alfa', 'bravo']) {
      const { stories } = (await readJson(join(V3, 'stories', `${home}.json`))) as { stories: Omit<StoredStory, 'body'>[] };
      const { bodies } = (await readJson(join(V3, 'bodies', `${home}.json`))) as { bodies: Record<string, string[]> };
      for (const s of stories) want.push({ ...s, body: bodies[s.id]!, author: null, image: null });
    }
    for (const s of want) expect(await store.get(s.id)).toEqual({ ...s, origin: s.sources[0] });
    expect((await store.withKey('a2-edit')).map((s) => s.id)).toEqual(['a2']);
    expect((await storiesOf(store, 'bravo')).map((s) => s.id).sort()).toEqual(['a2', 'b1']);
    expect((await store.leadGroup('l1', ['alfa'])).map((s) => s.id)).toEqual(['a1']);
    expect(await store.sources()).toEqual((await readJson(join(V3, 'wirefeed.json')))['sources']);
    await store.close();
    expect(await files(join(dir, 'json-backup-20261128T140000Z'))).toEqual(await files(V3));
  });
});
