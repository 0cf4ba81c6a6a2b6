import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatedStory, StoredStory } from '../src/model.js';
import { ingestStories } from '../src/store/ingest.js';
import { openStore, STATE_VERSION, type StoryMeta } from '../src/store/index.js';
import { recoverState } from '../src/store/recover.js';
import { encodeStoryFile, STORY_COLUMNS } from '../src/store/story-file.js';
import { tempDir } from './helpers/tmp.js';
import { datedStory, hostileStories } from './helpers/stories.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/state/v3');
const T0 = new Date('2026-11-28T12:00:00Z');
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as unknown;

async function v3State(): Promise<string> {
  const dir = await tempDir();
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

/** The fixture's stories as StoredStory, bodies included. */
async function fixtureStories(): Promise<StoredStory[]> {
  const out: StoredStory[] = [];
  for (const home of ['alfa', 'bravo']) {
    const { stories } = (await readJson(join(FIXTURE, 'stories', `${home}.json`))) as { stories: Omit<StoredStory, 'body'>[] };
    const { bodies } = (await readJson(join(FIXTURE, 'bodies', `${home}.json`))) as { bodies: Record<string, string[]> };
    for (const s of stories) out.push({ ...s, body: bodies[s.id]! });
  }
  return out;
}

describe('state version 4', () => {
  it('migrates a version 3 state: every stored value kept, story files as rows, backups of what it rewrote', async () => {
    const dir = await v3State();
    const migrated: [string, number][] = [];
    const store = await openStore(dir, { onMigrate: (file, from) => migrated.push([file, from]) });
    expect(migrated).toEqual([[join(dir, 'wirefeed.json'), 3]]);
    const held = ['a1', 'a2', 'b1'].map((id) => JSON.parse(JSON.stringify(store.get(id))) as StoredStory);
    expect(held).toEqual(await fixtureStories());
    expect(store.byKey('a2-edit')?.id).toBe('a2');
    expect([...store.ofSource('bravo')].map((s) => s.id).sort()).toEqual(['a2', 'b1']);
    expect(store.byLeadKey('l1').map((s) => s.id)).toEqual(['a1']);
    expect(store.source('alfa')).toEqual({
      etag: '"e1"',
      lastModified: null,
      lastAttempt: '2026-11-28T12:00:00.000Z',
      lastSuccess: '2026-11-28T12:00:00.000Z',
      lastError: null,
      consecutiveFailures: 0,
      nextAttemptAfter: null,
      contentHash: 'h1',
      lastPageAt: '2026-11-28T12:00:00.000Z',
    });
    await store.close();

    // The files as written: exact rows (column order in src/store/story-file.ts).
    expect(await readJson(join(dir, 'wirefeed.json'))).toEqual({ ...((await readJson(join(FIXTURE, 'wirefeed.json'))) as object), version: 4 });
    expect(await readJson(join(dir, 'stories/alfa.json'))).toEqual({
      version: 4,
      strings: ['alfa', 'DEN HAAG', 'ANP', 'Binnenland', 'nl', '2026-11-28T11:00:00.000Z', '2026-11-28T12:00:00.000Z', '2026-11-28T09:00:00.000Z', '2026-11-28T10:00:00.000Z', 'bravo', 'AFP'],
      stories: [
        ['a1', 0, 'l1', 0, 'Kabinet valt', 0, 1, [2], 3, 'b1', null, 4, 5, 6, 7, 8, 5],
        ['a2', ['a2', 'a2-edit'], null, [0, 9], 'Storm "Ciarán" raast\u00a0over land', 1, -1, [2, 10], -1, 'b2', 'https://example.org/a2', 4, 5, 5, -1, 5, 5],
      ],
      // Each row's length in UTF-8 bytes (the second has á and a no-break space, two bytes each).
      lengths: [62, 129],
    });
    expect(await readJson(join(dir, 'stories/bravo.json'))).toEqual({
      version: 4,
      strings: ['bravo', 'Berlin', 'Politik', 'de', '2026-11-28T10:00:00.000Z', '2026-11-28T08:00:00.000Z', '2026-11-28T09:00:00.000Z'],
      stories: [['b1', 0, 'lb', 0, 'Storm over Berlin', 0, 1, [], 2, 'bb', null, 3, 4, 4, 5, 6, 4]],
      lengths: [66],
    });
    // Backups: byte for byte what was there; body files are not rewritten (same layout in 3 and 4).
    for (const name of ['wirefeed.json', 'stories/alfa.json', 'stories/bravo.json']) {
      expect(await readFile(join(dir, `${name}.v3.bak`), 'utf8')).toBe(await readFile(join(FIXTURE, name), 'utf8'));
    }
    expect(await readFile(join(dir, 'bodies/alfa.json'), 'utf8')).toBe(await readFile(join(FIXTURE, 'bodies/alfa.json'), 'utf8'));

    // The columns are StoredStory's fields in its order, without the body.
    expect(STORY_COLUMNS).toEqual(Object.keys(held[0]!).filter((k) => k !== 'body'));
    // Read back after the migration: the same values again.
    const again = await openStore(dir);
    expect(['a1', 'a2', 'b1'].map((id) => JSON.parse(JSON.stringify(again.get(id))) as StoredStory)).toEqual(await fixtureStories());
    await again.close();
  });

  it('a 3 → 4 migration cut short after one story file runs again to the end', async () => {
    const dir = await v3State();
    await (await openStore(dir)).close();
    // As if it crashed before writing the meta file: meta and bravo back at 3, alfa already at 4.
    await cp(join(dir, 'wirefeed.json.v3.bak'), join(dir, 'wirefeed.json'));
    await cp(join(dir, 'stories/bravo.json.v3.bak'), join(dir, 'stories/bravo.json'));
    const store = await openStore(dir);
    expect(['a1', 'a2', 'b1'].map((id) => JSON.parse(JSON.stringify(store.get(id))) as StoredStory)).toEqual(await fixtureStories());
    await store.close();
    expect(((await readJson(join(dir, 'stories/bravo.json'))) as { version: number }).version).toBe(4);
    // The second run kept the first backup of the meta file and made a numbered one.
    expect(await readFile(join(dir, 'wirefeed.json.v3.1.bak'), 'utf8')).toBe(await readFile(join(FIXTURE, 'wirefeed.json'), 'utf8'));
  });

  it('refuses a story file from a newer version and leaves it untouched', async () => {
    const dir = await v3State();
    await (await openStore(dir)).close();
    const future = JSON.stringify({ version: STATE_VERSION + 1, columns: ['something', 'new'] });
    await writeFile(join(dir, 'stories/bravo.json'), future);
    await expect(openStore(dir)).rejects.toThrow(`written by a newer wirefeed (state version ${STATE_VERSION + 1}`);
    expect(await readFile(join(dir, 'stories/bravo.json'), 'utf8')).toBe(future);
  });

  it('refuses a story file whose row does not decode, naming it and the row; --recover moves it aside', async () => {
    const dir = await v3State();
    await (await openStore(dir)).close();
    const file = join(dir, 'stories/alfa.json');
    const data = (await readJson(file)) as { stories: unknown[][] };
    data.stories[1]![12] = 99; // firstSeen names a string the table does not have
    await writeFile(file, JSON.stringify(data));
    await expect(openStore(dir)).rejects.toThrow(`state file ${file} is corrupt (story 1: column 12: no string 99)`);
    expect(await recoverState(dir, T0)).toEqual([`${file}.corrupt-20261128T120000Z`]);
    const store = await openStore(dir);
    expect(store.size()).toBe(1);
    expect(store.get('b1')?.body).toEqual(['Berlin (dpa) - Sturm.']);
    await store.close();
  });

  it('--recover leaves a sound v4 state alone', async () => {
    const dir = await v3State();
    await (await openStore(dir)).close();
    expect(await recoverState(dir, T0)).toEqual([]);
    expect((await readdir(join(dir, 'stories'))).sort()).toEqual(['alfa.json', 'alfa.json.v3.bak', 'bravo.json', 'bravo.json.v3.bak']);
  });
});

const dated = (headline: string): DatedStory => datedStory({ headline, body: [`GENT (ANP) - ${headline} is gebeurd.`] });

describe('held stories', () => {
  it('loaded stories share frozen lists; ingest replaces them, and the change is written', async () => {
    const dir = await tempDir();
    const made = await openStore(dir);
    ingestStories(made, [dated('Een'), dated('Twee')], { sourceId: 's1', at: T0, lang: 'nl' });
    await made.close();
    const store = await openStore(dir);
    const [een, twee] = ['Een', 'Twee'].map((h) => [...store.ofSource('s1')].find((s) => s.headline === h)!);
    expect(een!.sources).toBe(twee!.sources);
    expect(een!.agencies).toBe(twee!.agencies);
    expect(Object.isFrozen(een!.sources)).toBe(true);
    expect(() => een!.sources.push('x')).toThrow(TypeError);
    expect(een!.keys).toEqual([een!.id]);
    // Seen on s2 under an edited headline (same lead): a new key and a new source, by assignment.
    ingestStories(store, [dated('Een')], { sourceId: 's2', at: T0, lang: 'nl' });
    ingestStories(store, [{ ...dated('Een, bewerkt'), leadSentence: 'Een is gebeurd.' }], { sourceId: 's1', at: T0, lang: 'nl' });
    expect(een!.sources).toEqual(['s1', 's2']);
    expect(twee!.sources).toEqual(['s1']);
    expect(een!.keys).toHaveLength(2);
    expect(store.byKey(een!.keys[1]!)).toBe(een);
    await store.close();
    const again = await openStore(dir);
    expect(JSON.parse(JSON.stringify(again.get(een!.id))) as StoredStory).toEqual(JSON.parse(JSON.stringify(een)) as StoredStory);
    expect(again.byKey(een!.keys[1]!)?.id).toBe(een!.id);
    await again.close();
  });

  it('each store keeps its own memo of the last page; a forgotten source has none', async () => {
    const one = await openStore(await tempDir());
    const two = await openStore(await tempDir());
    ingestStories(one, [dated('Een')], { sourceId: 's1', at: T0, lang: 'nl' });
    expect(one.lastPages.size()).toBe(1);
    expect(two.lastPages.size()).toBe(0);
    // The other store, given the same page, finds nothing held: a new story there.
    expect(ingestStories(two, [dated('Een')], { sourceId: 's1', at: T0, lang: 'nl' })).toMatchObject({ new: 1 });
    one.lastPages.forget('s1');
    expect(one.lastPages.size()).toBe(0);
    expect(ingestStories(one, [dated('Een')], { sourceId: 's1', at: T0, lang: 'nl' })).toMatchObject({ new: 0, unchanged: 1 });
    await one.close();
    await two.close();
  });
});

/** The story file as a plain JSON.stringify of the rows writes it (what any faster encoder must match byte for byte). */
function referenceEncoding(stories: readonly StoryMeta[]): Buffer {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string): number => {
    if (!index.has(s)) index.set(s, strings.push(s) - 1);
    return index.get(s)!;
  };
  const orNone = (s: string | null): number => (s === null ? -1 : ref(s));
  const rows = stories.map((s) => [
    s.id, s.keys.length === 1 && s.keys[0] === s.id ? 0 : s.keys, s.leadKey, s.sources.length === 1 ? ref(s.sources[0]!) : s.sources.map(ref),
    s.headline, s.headlineDerived ? 1 : 0, orNone(s.place), s.agencies.map(ref), orNone(s.section), s.bodyHash, s.link, ref(s.lang),
    ref(s.firstSeen), ref(s.lastSeen), orNone(s.publishedEarliest), ref(s.publishedLatest), ref(s.updated),
  ]);
  const lengths = rows.map((row) => Buffer.byteLength(JSON.stringify(row), 'utf8'));
  return Buffer.from(JSON.stringify({ version: STATE_VERSION, strings, stories: rows, lengths }), 'utf8');
}

describe('story file encoding', () => {
  it('writes the bytes JSON.stringify of the rows would, for hostile text (escapes, unicode, lone surrogates, nulls, many keys and sources)', () => {
    for (const seed of [1, 2, 3]) {
      const stories = hostileStories(seed, 400, ['src-a', 'src-b', 'x"y']);
      expect(Buffer.concat(encodeStoryFile(stories).chunks).equals(referenceEncoding(stories))).toBe(true);
      // A short list too (an encoder that reuses buffers must not leak the previous file into it).
      expect(Buffer.concat(encodeStoryFile(stories.slice(0, 3)).chunks).equals(referenceEncoding(stories.slice(0, 3)))).toBe(true);
    }
    expect(Buffer.concat(encodeStoryFile([]).chunks).toString()).toBe('{"version":4,"strings":[],"stories":[],"lengths":[]}');
  });

  it('a store writes held stories as the reference encoding of their fields, and reads them back', async () => {
    const dir = await tempDir();
    const stories = hostileStories(9, 200, ['src-a', 'src-b']);
    const store = await openStore(dir);
    for (const s of stories) store.put({ ...s, author: null, image: null, body: [`body of ${s.headline}`] });
    await store.close();
    for (const home of ['src-a', 'src-b']) {
      const own = stories.filter((s) => s.sources[0] === home);
      expect((await readFile(join(dir, 'stories', `${home}.json`))).equals(referenceEncoding(own))).toBe(true);
    }
    const again = await openStore(dir);
    for (const s of stories) {
      const { body, ...meta } = JSON.parse(JSON.stringify(again.get(s.id))) as StoredStory;
      expect(meta).toEqual(JSON.parse(JSON.stringify(s)) as StoryMeta);
      expect(body).toEqual([`body of ${s.headline}`]);
    }
    await again.close();
  });
});
