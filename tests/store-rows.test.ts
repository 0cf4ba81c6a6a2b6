/**
 * Story files rewritten by copying the rows that did not change (story-file.ts: lengths,
 * StoryTable, reencodeStoryFile): what the store writes must always read back as what it held.
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatedStory, StoredStory } from '../src/model.js';
import { ingestStories } from '../src/store/ingest.js';
import { openStore, type Store } from '../src/store/index.js';
import { applyRetention } from '../src/store/retention.js';
import { encodeStoryFile, placeRows, type HeldStory } from '../src/store/story-file.js';
import { between, seeded } from './helpers/random.js';
import { datedStory, hostileStories } from './helpers/stories.js';
import { tempDir } from './helpers/tmp.js';

const T0 = new Date('2026-11-28T12:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

interface StoryFile {
  version: number;
  strings: string[];
  stories: unknown[][];
  lengths?: number[];
}
const readStoryFile = async (dir: string, home: string) => JSON.parse(await readFile(join(dir, 'stories', `${home}.json`), 'utf8')) as StoryFile;

/** Every story the store holds, as plain JSON (body included), by id. */
function snapshot(store: Store, sources: readonly string[]): Map<string, StoredStory> {
  const out = new Map<string, StoredStory>();
  for (const source of sources) for (const s of store.ofSource(source)) out.set(s.id, JSON.parse(JSON.stringify(s)) as StoredStory);
  return out;
}

/** The state in `dir` read by a second (lock-free) store equals `expected`. */
async function expectReadBack(dir: string, sources: readonly string[], expected: Map<string, StoredStory>): Promise<void> {
  const reader = await openStore(dir, { lock: false });
  try {
    expect(reader.size()).toBe(expected.size);
    expect(snapshot(reader, sources)).toEqual(expected);
  } finally {
    await reader.close();
  }
}

/** Each row's length is the byte length of its JSON, and the rows are the file's. */
function expectLengthsFit(file: StoryFile): void {
  expect(file.lengths).toEqual(file.stories.map((row) => Buffer.byteLength(JSON.stringify(row), 'utf8')));
}

const page = (headlines: readonly string[], over: Partial<DatedStory> = {}): DatedStory[] =>
  headlines.map((headline) => datedStory({ headline, ...over }));

describe('story files rewritten row by row', () => {
  it('a write after a few changes copies the other rows byte for byte and appends new strings to the table', async () => {
    const dir = await tempDir();
    const headlines = Array.from({ length: 20 }, (_, i) => `Bericht nummer ${i} over Gent`);
    const made = await openStore(dir);
    ingestStories(made, page(headlines), { sourceId: 's1', at: T0, lang: 'nl' });
    await made.close();
    const before = await readStoryFile(dir, 's1');
    const bytesBefore = await readFile(join(dir, 'stories', 's1.json'));
    expectLengthsFit(before);

    const store = await openStore(dir);
    // The first two rows seen again later (lastSeen moves), and one new story.
    ingestStories(store, page([headlines[0]!, headlines[1]!, 'Nieuw bericht uit Gent']), { sourceId: 's1', at: minutes(5), lang: 'nl' });
    const expected = snapshot(store, ['s1']);
    await store.close();

    const after = await readStoryFile(dir, 's1');
    expectLengthsFit(after);
    // Appended, not rebuilt: a whole new table would name the new time early, as the first row uses it.
    expect(after.strings.slice(0, before.strings.length)).toEqual(before.strings);
    expect(after.strings.slice(before.strings.length)).toEqual([minutes(5).toISOString()]);
    expect(after.stories.slice(0, 2).map((row) => row[13])).toEqual([before.strings.length, before.strings.length]);
    // Rows 2–19 are the old file's bytes, one run.
    const rowsOf = (bytes: Buffer, file: StoryFile, from: number, to: number) => {
      const first = bytes.indexOf('"stories":[') + '"stories":['.length;
      const at = (n: number) => file.lengths!.slice(0, n).reduce((sum, l) => sum + l + 1, 0);
      return bytes.subarray(first + at(from), first + at(to) - 1).toString('utf8');
    };
    const bytesAfter = await readFile(join(dir, 'stories', 's1.json'));
    expect(rowsOf(bytesAfter, after, 2, 20)).toBe(rowsOf(bytesBefore, before, 2, 20));
    expect(after.stories).toHaveLength(21);
    await expectReadBack(dir, ['s1'], expected);
  });

  it('randomised rounds of new stories, edits, moves between sources and pruning read back as held after every write', async () => {
    const sources = ['s1', 's2', 's3'];
    for (const seed of [11, 12]) {
      const rnd = seeded(seed);
      const dir = await tempDir();
      const store = await openStore(dir);
      const pool = Array.from({ length: 60 }, (_, i) => `Kop ${i} ${['van de dag', 'met "aanhalingstekens"', 'uit Zürich', 'met ],[" erin', '\\ en 😀'][i % 5]}`);
      for (let round = 0; round < 25; round++) {
        const at = minutes(round * 5);
        for (const source of sources) {
          if (rnd() < 0.3) continue;
          const picked = pool.filter(() => rnd() < 0.15);
          const stories = picked.map((headline) =>
            datedStory({
              headline,
              place: rnd() < 0.8 ? 'GENT' : 'ZÜRICH',
              body: [`GENT (ANP) - ${headline}${rnd() < 0.2 ? ', bijgewerkt' : ''}.`, rnd() < 0.5 ? 'Tweede alinea.' : 'Een andere alinea.'],
              link: rnd() < 0.3 ? `https://example.org/${round}` : null,
            }),
          );
          ingestStories(store, stories, { sourceId: source, at, lang: 'nl' });
          store.updateSource(source, { lastPageAt: at.toISOString() });
          // Pruning unlists: a story leaves its home and moves to the next source that lists it.
          if (rnd() < 0.3) applyRetention(store, source, { keep: between(rnd, 3, 12), maxAgeDays: 30 }, at);
        }
        await store.flush();
        await expectReadBack(dir, sources, snapshot(store, sources));
      }
      for (const source of sources) expectLengthsFit(await readStoryFile(dir, source));
      await store.close();
    }
  });

  it('a file changed behind the store is written whole again, not patched', async () => {
    const tamperings: [string, (file: string, dir: string) => Promise<void>][] = [
      // Same data, other bytes: no `"stories":[` where the rows start.
      ['indented', async (file) => writeFile(file, JSON.stringify(JSON.parse(await readFile(file, 'utf8')), null, 1))],
      // The last rows are cut off: they end past the file.
      ['truncated', async (file) => writeFile(file, (await readFile(file)).subarray(0, 400))],
      // Another source's file, row for row the same lengths: whole rows, but of other stories.
      ['swapped', async (file, dir) => writeFile(file, await readFile(join(dir, 'stories', 's2.json')))],
    ];
    for (const [name, tamper] of tamperings) {
      const dir = await tempDir();
      const made = await openStore(dir);
      ingestStories(made, page(['Een uit s1', 'Twee uit s1', 'Drie uit s1']), { sourceId: 's1', at: T0, lang: 'nl' });
      ingestStories(made, page(['Een uit s2', 'Twee uit s2', 'Drie uit s2']), { sourceId: 's2', at: T0, lang: 'nl' });
      await made.close();
      const before = await readStoryFile(dir, 's1');
      expect((await readStoryFile(dir, 's2')).lengths, name).toEqual(before.lengths);
      const store = await openStore(dir);
      await tamper(join(dir, 'stories', 's1.json'), dir);
      ingestStories(store, page(['Drie uit s1']), { sourceId: 's1', at: minutes(5), lang: 'nl' });
      const expected = snapshot(store, ['s1', 's2']);
      await store.close();
      const after = await readStoryFile(dir, 's1');
      expectLengthsFit(after);
      // A fresh table, in the order of first use: the third row's new time after the first row's strings.
      expect(after.strings, name).toEqual(['s1', 'GENT', 'ANP', 'nl', T0.toISOString(), minutes(5).toISOString()]);
      await expectReadBack(dir, ['s1', 's2'], expected);
    }
  });

  it('a story that left its home while the file was being made is not placed at a row of it', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, page(['Een', 'Twee']), { sourceId: 's1', at: T0, lang: 'nl' });
    ingestStories(store, page(['Een']), { sourceId: 's2', at: T0, lang: 'nl' });
    const list = [...store.ofSource('s1')] as HeldStory[];
    const [een, twee] = list;
    // Unlisted from s1 after the list was taken: now homed in s2.
    store.unlist(een!, 's1');
    expect(een!.sources).toEqual(['s2']);
    const encoded = encodeStoryFile(list);
    placeRows(list, encoded, 's1');
    expect([een!.rowAt(), twee!.rowAt()]).toEqual([-1, encoded.rows!.at[1]]);
    expect(twee!.rowLength()).toBe(encoded.rows!.length[1]);
    await store.close();
  });

  it('after a failed write the next one serialises the file whole, so no row of the failed one is copied', async () => {
    const dir = await tempDir();
    const made = await openStore(dir);
    ingestStories(made, page(['Een', 'Twee']), { sourceId: 's1', at: T0, lang: 'nl' });
    await made.close();
    const store = await openStore(dir);
    // Seen again a minute later: a new time of the same length, so the new rows sit where the old ones did.
    ingestStories(store, page(['Een', 'Twee']), { sourceId: 's1', at: minutes(1), lang: 'nl' });
    const blocker = join(dir, 'stories', `.s1.json.${process.pid}.tmp`);
    await mkdir(blocker); // the temp file cannot be created: the write fails after the rows were placed
    await expect(store.flush()).rejects.toThrow(`store: cannot write ${join(dir, 'stories', 's1.json')}`);
    await rmdir(blocker);
    await store.flush();
    const expected = snapshot(store, ['s1']);
    expect([...expected.values()].map((s) => s.lastSeen)).toEqual([minutes(1).toISOString(), minutes(1).toISOString()]);
    await store.close();
    await expectReadBack(dir, ['s1'], expected);
    expect((await readStoryFile(dir, 's1')).strings).toEqual(['s1', 'GENT', 'ANP', 'nl', T0.toISOString(), minutes(1).toISOString()]);
  });

  it('a table grown by many rewrites is compacted by a whole write, across a restart too', async () => {
    const dir = await tempDir();
    let store = await openStore(dir);
    ingestStories(store, page(['Een', 'Twee']), { sourceId: 's1', at: T0, lang: 'nl' });
    await store.flush();
    let longest = 0;
    for (let n = 1; n <= 150; n++) {
      if (n === 50) {
        // Loaded with 55 strings of which its rows name 6: compacted by those 6, not the 55.
        await store.close();
        store = await openStore(dir);
      }
      ingestStories(store, page(['Een']), { sourceId: 's1', at: minutes(n), lang: 'nl' });
      await store.flush();
      longest = Math.max(longest, (await readStoryFile(dir, 's1')).strings.length);
    }
    const expected = snapshot(store, ['s1']);
    await store.close();
    // Each rewrite appends one time; without compaction the table would reach 155 strings. A
    // table longer than twice the strings its rows name, plus 64, is written whole: 76 after
    // the first write's 5 strings, 77 once 6 are named (Een's lastSeen besides T0).
    expect(longest).toBe(77);
    const file = await readStoryFile(dir, 's1');
    expect(file.strings.length).toBeLessThan(longest);
    expectLengthsFit(file);
    await expectReadBack(dir, ['s1'], expected);
  });

  it('reads a file without lengths (as the previous release wrote version 4) and gives it lengths at its next write', async () => {
    const dir = await tempDir();
    const made = await openStore(dir);
    ingestStories(made, page(['Een', 'Twee']), { sourceId: 's1', at: T0, lang: 'nl' });
    await made.close();
    const { lengths, ...old } = await readStoryFile(dir, 's1');
    expect(lengths).toHaveLength(2);
    await writeFile(join(dir, 'stories', 's1.json'), JSON.stringify(old));
    const store = await openStore(dir);
    ingestStories(store, page(['Een']), { sourceId: 's1', at: minutes(5), lang: 'nl' });
    const expected = snapshot(store, ['s1']);
    await store.close();
    expectLengthsFit(await readStoryFile(dir, 's1'));
    await expectReadBack(dir, ['s1'], expected);
  });

  it('hostile text: rewrites of changed rows among copied ones read back exactly', async () => {
    const dir = await tempDir();
    const stories = hostileStories(5, 120, ['src-a', 'src-b']);
    const made = await openStore(dir);
    for (const s of stories) made.put({ ...s, author: null, image: null, body: ['b'] });
    await made.close();
    const store = await openStore(dir);
    const rnd = seeded(5);
    for (let round = 0; round < 4; round++) {
      for (const s of stories) {
        const held = store.get(s.id)!;
        if (rnd() < 0.2) {
          held.headline = `${held.headline}],["x\\"${round}`;
          store.put(held);
        } else if (rnd() < 0.1) {
          held.lastSeen = minutes(round).toISOString();
          store.touchSeen(held);
        }
      }
      await store.flush();
      await expectReadBack(dir, ['src-a', 'src-b'], snapshot(store, ['src-a', 'src-b']));
    }
    await store.close();
  });

  it('rows it cannot tell apart get no lengths: the file is still whole and reads back', () => {
    // An id that starts with `,` hides the seam before its row (story-file.ts, rowSeams).
    const [one, two] = hostileStories(3, 2, ['s1']);
    const encoded = encodeStoryFile([one!, { ...two!, id: ',x', keys: [',x'] }]);
    expect(encoded.rows).toBeNull();
    expect(encoded.table).toBeNull();
    const file = JSON.parse(Buffer.concat(encoded.chunks).toString('utf8')) as StoryFile;
    expect(file.lengths).toBeUndefined();
    expect(file.stories.map((row) => row[0])).toEqual([one!.id, ',x']);
  });
});
