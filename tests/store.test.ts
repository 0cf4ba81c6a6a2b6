import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatedStory, StoredStory } from '../src/model.js';
import { ingestStories } from '../src/store/ingest.js';
import { openStore, STATE_VERSION } from '../src/store/index.js';
import { recoverState } from '../src/store/recover.js';
import { applyRetention, newestFirst } from '../src/store/retention.js';
import { tempDir } from './helpers/tmp.js';
import { datedStory } from './helpers/stories.js';

const T0 = new Date('2026-11-28T12:00:00Z');
const min = (n: number) => n * 60_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

const dated = (over: Partial<DatedStory> & { headline: string }): DatedStory => datedStory({ place: 'WASHINGTON', ...over });

const opts = (sourceId: string, when: Date) => ({ sourceId, at: when, lang: 'nl' as const });

describe('ingest', () => {
  it('stores new stories under their story key and finds them again unchanged', async () => {
    const store = await openStore(await tempDir());
    const a = dated({ headline: 'Raket & Japanse satelliet' });
    expect(ingestStories(store, [a], opts('s1', T0))).toMatchObject({ new: 1, updated: 0, unchanged: 0, changed: 1 });
    const rev = store.revision('s1');
    expect(ingestStories(store, [a], opts('s1', at(min(5))))).toMatchObject({ new: 0, updated: 0, unchanged: 1, changed: 0 });
    // Only lastSeen moved: feeds show nothing new, so the revision stays.
    expect(store.revision('s1')).toBe(rev);
    const [s] = [...store.ofSource('s1')];
    expect(s?.lastSeen).toBe(at(min(5)).toISOString());
    expect(s?.firstSeen).toBe(T0.toISOString());
    await store.close();
  });

  it('keeps the longer body when the new one is its beginning, and updates on a real edit', async () => {
    const store = await openStore(await tempDir());
    const full = dated({ headline: 'Kabinet valt', body: ['DEN HAAG (ANP) - Het kabinet is gevallen.', 'Details volgen.', 'Meer details.'] });
    ingestStories(store, [full], opts('s1', T0));
    const leadOnly = { ...full, body: ['DEN HAAG (ANP) - Het kabinet is gevallen.'] };
    expect(ingestStories(store, [leadOnly], opts('s1', at(min(10))))).toMatchObject({ updated: 0, unchanged: 1 });
    const s = store.byKey([...store.ofSource('s1')][0]!.id)!;
    expect(s.body).toHaveLength(3);
    expect(s.updated).toBe(T0.toISOString());
    const edited = { ...full, body: ['DEN HAAG (ANP) - Het kabinet is gevallen.', 'De premier treedt af.'] };
    expect(ingestStories(store, [edited], opts('s1', at(min(20))))).toMatchObject({ updated: 1 });
    expect(s.body).toEqual(edited.body);
    expect(s.updated).toBe(at(min(20)).toISOString());
    await store.close();
  });

  it('narrows the publication interval and keeps it when a new one does not fit', async () => {
    const store = await openStore(await tempDir());
    const first = dated({ headline: 'Brand in haven', ageText: '1 uur geleden', publishedEarliest: at(-min(120)), publishedLatest: at(-min(60)) });
    ingestStories(store, [first], opts('s1', T0));
    // Forty minutes later the page says "2 uur geleden": (t+40−180, t+40−120].
    const later = { ...first, ageText: '2 uur geleden', publishedEarliest: at(min(40) - min(180)), publishedLatest: at(min(40) - min(120)) };
    ingestStories(store, [later], opts('s1', at(min(40))));
    const s = [...store.ofSource('s1')][0]!;
    expect(s.publishedEarliest).toBe(at(-min(120)).toISOString());
    expect(s.publishedLatest).toBe(at(-min(80)).toISOString());
    const wrong = { ...first, ageText: '5 minuten geleden', publishedEarliest: at(min(50) - min(6)), publishedLatest: at(min(50) - min(5)) };
    const r = ingestStories(store, [wrong], opts('s1', at(min(50))));
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('does not fit the held interval');
    expect(s.publishedLatest).toBe(at(-min(80)).toISOString());
    await store.close();
  });

  it('matches a story that lost its headline by its lead key, within 48 hours and the same source', async () => {
    const store = await openStore(await tempDir());
    const top = dated({ headline: 'VS schatten aantal soldaten op 10.000', leadSentence: 'Noord-Korea heeft 10.000 militairen gestuurd.' });
    ingestStories(store, [top], opts('s1', T0));
    const moved = dated({ headline: 'Noord-Korea heeft 10.000 militairen gestuurd.', headlineDerived: true, leadSentence: top.leadSentence, body: [top.body[0]!] });
    expect(ingestStories(store, [moved], opts('s1', at(min(40))))).toMatchObject({ new: 0, unchanged: 1 });
    const s = [...store.ofSource('s1')][0]!;
    expect(s.headline).toBe(top.headline);
    expect(s.body).toEqual(top.body);
    expect(s.keys).toHaveLength(2);
    // On another source the lead alone is not enough.
    expect(ingestStories(store, [moved], opts('s2', at(min(50))))).toMatchObject({ new: 0 });
    const other = await openStore(await tempDir());
    ingestStories(other, [top], opts('s1', T0));
    expect(ingestStories(other, [moved], opts('s1', at(49 * 60 * min(1))))).toMatchObject({ new: 1 });
    await store.close();
    await other.close();
  });

  it('lists one story under two sources', async () => {
    const store = await openStore(await tempDir());
    const a = dated({ headline: 'Gedeeld verhaal' });
    ingestStories(store, [a], opts('s1', T0));
    ingestStories(store, [a], opts('s2', at(min(1))));
    expect(store.size()).toBe(1);
    expect([...store.ofSource('s2')][0]?.sources).toEqual(['s1', 's2']);
    await store.close();
  });
});

describe('state files', () => {
  it('writes and reads back every story exactly', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, [dated({ headline: 'Een' }), dated({ headline: 'Twee' })], opts('s1', T0));
    store.updateSource('s1', { etag: '"abc"', lastSuccess: T0.toISOString() });
    const before = JSON.stringify([...store.ofSource('s1')]);
    await store.close();
    expect(await readdir(join(dir, 'stories'))).toEqual(['s1.json']);
    const again = await openStore(dir);
    expect(JSON.stringify([...again.ofSource('s1')])).toBe(before);
    expect(again.source('s1').etag).toBe('"abc"');
    await again.close();
  });

  it('refuses a directory locked by a live process and takes over a stale lock', async () => {
    const dir = await tempDir();
    const sleeper = spawn('sleep', ['30']);
    try {
      await writeFile(join(dir, 'wirefeed.lock'), `${sleeper.pid}\n`);
      await expect(openStore(dir)).rejects.toThrow(`in use by another wirefeed process (pid ${sleeper.pid}`);
    } finally {
      sleeper.kill();
    }
    await writeFile(join(dir, 'wirefeed.lock'), '999999999\n');
    const store = await openStore(dir);
    expect((await readFile(join(dir, 'wirefeed.lock'), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
  });

  it('migrates a version 1 state file and keeps a backup', async () => {
    const dir = await tempDir();
    const v1Store = await openStore(await tempDir());
    ingestStories(v1Store, [dated({ headline: 'Oud verhaal' })], opts('s1', T0));
    const stories = [...v1Store.ofSource('s1')];
    await v1Store.close();
    const v1 = JSON.stringify({ sources: { s1: { etag: '"x"' } }, stories });
    await writeFile(join(dir, 'wirefeed.json'), v1);
    const store = await openStore(dir);
    expect([...store.ofSource('s1')].map((s) => s.headline)).toEqual(['Oud verhaal']);
    expect(await readFile(join(dir, 'wirefeed.json.v1.bak'), 'utf8')).toBe(v1);
    expect(JSON.parse(await readFile(join(dir, 'wirefeed.json'), 'utf8')).version).toBe(STATE_VERSION);
    await store.close();
  });

  it('refuses a state file from a newer version and leaves it untouched', async () => {
    const dir = await tempDir();
    const future = JSON.stringify({ version: STATE_VERSION + 1, sources: {}, somethingNew: true });
    await writeFile(join(dir, 'wirefeed.json'), future);
    await expect(openStore(dir)).rejects.toThrow(`written by a newer wirefeed (state version ${STATE_VERSION + 1}`);
    expect(await readFile(join(dir, 'wirefeed.json'), 'utf8')).toBe(future);
  });

  it('refuses a truncated state file naming it, and --recover moves it aside', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, [dated({ headline: 'Een' })], opts('s1', T0));
    await store.close();
    const file = join(dir, 'stories', 's1.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length / 2));
    await expect(openStore(dir)).rejects.toThrow(`state file ${file} is corrupt`);
    await expect(openStore(dir)).rejects.toThrow('wirefeed run --recover');
    const moved = await recoverState(dir, T0);
    expect(moved).toEqual([`${file}.corrupt-20261128T120000Z`]);
    const empty = await openStore(dir);
    expect(empty.size()).toBe(0);
    await empty.close();
  });
});

describe('newestFirst', () => {
  it('orders by publishedLatest, newest first, then by id in code-unit order, whatever the host locale', () => {
    const s = (id: string, publishedLatest: string) => ({ id, publishedLatest }) as StoredStory;
    const stories = [
      s('b0', '2026-11-28T11:00:00.000Z'),
      s('a9', '2026-11-28T12:00:00.000Z'),
      s('0f', '2026-11-28T11:00:00.000Z'),
      s('a0', '2026-11-28T12:00:00.000Z'),
      s('ff', '2026-11-27T23:59:59.000Z'),
    ];
    expect(stories.sort(newestFirst).map((x) => x.id)).toEqual(['a0', 'a9', '0f', 'b0', 'ff']);
  });
});

describe('retention', () => {
  it('keeps the newest, drops the old, never what is on the page', async () => {
    const store = await openStore(await tempDir());
    const old = Array.from({ length: 5 }, (_, i) => dated({ headline: `Oud ${i}`, publishedLatest: at(-min(60 * (i + 1))) }));
    ingestStories(store, old, opts('s1', T0));
    const page = [dated({ headline: 'Nieuw', publishedLatest: at(min(10)) }), dated({ headline: 'Heel oud maar op de pagina', publishedLatest: at(-40 * 86_400_000) })];
    ingestStories(store, page, opts('s1', at(min(10))));
    store.updateSource('s1', { lastPageAt: at(min(10)).toISOString() });
    expect(applyRetention(store, 's1', { keep: 3, maxAgeDays: 30 }, at(min(10)))).toBe(4);
    const left = [...store.ofSource('s1')].map((s: StoredStory) => s.headline).sort();
    expect(left).toEqual(['Heel oud maar op de pagina', 'Nieuw', 'Oud 0']);
    await store.close();
  });
});
