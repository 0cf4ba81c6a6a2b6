import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatedStory, StoredStory } from '../src/model.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { newestFirst, openStore } from '../src/store/index.js';
import { storiesOf } from './helpers/state.js';
import { tempDir } from './helpers/tmp.js';
import { datedStory } from './helpers/stories.js';

const T0 = new Date('2026-11-28T12:00:00Z');
const min = (n: number) => n * 60_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

const dated = (over: Partial<DatedStory> & { headline: string }): DatedStory => datedStory({ place: 'WASHINGTON', ...over });

const opts = (sourceId: string, when: Date) => ({ sourceId, at: when, lang: 'nl' as const, scopeOf: () => PUBLIC_SCOPE });

describe('ingest', () => {
  it('stores new stories under their story key and finds them again unchanged', async () => {
    const store = await openStore(await tempDir());
    const a = dated({ headline: 'Raket & Japanse satelliet' });
    expect(await ingestPage(store, [a], opts('s1', T0))).toMatchObject({ new: 1, updated: 0, unchanged: 0, changed: 1, touched: ['s1'] });
    // Only lastSeen moved: feeds show nothing new, so no source's feed is touched.
    expect(await ingestPage(store, [a], opts('s1', at(min(5))))).toMatchObject({ new: 0, updated: 0, unchanged: 1, changed: 0, touched: [] });
    const [s] = await storiesOf(store, 's1');
    expect(s?.lastSeen).toBe(at(min(5)).toISOString());
    expect(s?.firstSeen).toBe(T0.toISOString());
    await store.close();
  });

  it('writes nothing, not even an empty transaction, for the same page at the same fetch time', async () => {
    const store = await openStore(await tempDir());
    const commits: unknown[] = [];
    const counted = new Proxy(store, {
      get: (target, prop, receiver) =>
        prop === 'commit' ? (change: Parameters<typeof store.commit>[0]) => (commits.push(change), target.commit(change)) : Reflect.get(target, prop, receiver),
    });
    const page = [dated({ headline: 'Dijk houdt stand' }), dated({ headline: 'Veerpont vaart weer', place: 'VLISSINGEN' })];
    await ingestPage(counted, page, opts('s1', T0));
    expect(commits).toHaveLength(1);
    expect(await ingestPage(counted, page, opts('s1', T0))).toMatchObject({ new: 0, updated: 0, unchanged: 2, changed: 0, touched: [] });
    expect(commits).toHaveLength(1);
    // Bookkeeping to store, or a later fetch time: one commit each.
    await ingestPage(counted, page, { ...opts('s1', T0), source: { contentHash: 'h1' } });
    await ingestPage(counted, page, opts('s1', at(min(5))));
    expect(commits).toHaveLength(3);
    expect((await store.source('s1')).contentHash).toBe('h1');
    expect((await storiesOf(store, 's1')).map((s) => s.lastSeen)).toEqual([at(min(5)).toISOString(), at(min(5)).toISOString()]);
    await store.close();
  });

  it('keeps the longer body when the new one is its beginning, and updates on a real edit', async () => {
    const store = await openStore(await tempDir());
    const full = dated({ headline: 'Kabinet valt', body: ['DEN HAAG (ANP) - Het kabinet is gevallen.', 'Details volgen.', 'Meer details.'] });
    await ingestPage(store, [full], opts('s1', T0));
    const leadOnly = { ...full, body: ['DEN HAAG (ANP) - Het kabinet is gevallen.'] };
    expect(await ingestPage(store, [leadOnly], opts('s1', at(min(10))))).toMatchObject({ updated: 0, unchanged: 1 });
    const id = (await storiesOf(store, 's1'))[0]!.id;
    let s = (await store.withKey(id))[0]!;
    expect(s.body).toHaveLength(3);
    expect(s.updated).toBe(T0.toISOString());
    const edited = { ...full, body: ['DEN HAAG (ANP) - Het kabinet is gevallen.', 'De premier treedt af.'] };
    expect(await ingestPage(store, [edited], opts('s1', at(min(20))))).toMatchObject({ updated: 1 });
    s = (await store.get(id))!;
    expect(s.body).toEqual(edited.body);
    expect(s.updated).toBe(at(min(20)).toISOString());
    await store.close();
  });

  it('narrows the publication interval and keeps it when a new one does not fit', async () => {
    const store = await openStore(await tempDir());
    const first = dated({ headline: 'Brand in haven', ageText: '1 uur geleden', publishedEarliest: at(-min(120)), publishedLatest: at(-min(60)) });
    await ingestPage(store, [first], opts('s1', T0));
    // Forty minutes later the page says "2 uur geleden": (t+40−180, t+40−120].
    const later = { ...first, ageText: '2 uur geleden', publishedEarliest: at(min(40) - min(180)), publishedLatest: at(min(40) - min(120)) };
    await ingestPage(store, [later], opts('s1', at(min(40))));
    let s = (await storiesOf(store, 's1'))[0]!;
    expect(s.publishedEarliest).toBe(at(-min(120)).toISOString());
    expect(s.publishedLatest).toBe(at(-min(80)).toISOString());
    const wrong = { ...first, ageText: '5 minuten geleden', publishedEarliest: at(min(50) - min(6)), publishedLatest: at(min(50) - min(5)) };
    const r = await ingestPage(store, [wrong], opts('s1', at(min(50))));
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('does not fit the held interval');
    s = (await storiesOf(store, 's1'))[0]!;
    expect(s.publishedLatest).toBe(at(-min(80)).toISOString());
    await store.close();
  });

  it('matches a story that lost its headline by its lead key, within 48 hours and the same source', async () => {
    const store = await openStore(await tempDir());
    const top = dated({ headline: 'VS schatten aantal soldaten op 10.000', leadSentence: 'Noord-Korea heeft 10.000 militairen gestuurd.' });
    await ingestPage(store, [top], opts('s1', T0));
    const moved = dated({ headline: 'Noord-Korea heeft 10.000 militairen gestuurd.', headlineDerived: true, leadSentence: top.leadSentence, body: [top.body[0]!] });
    expect(await ingestPage(store, [moved], opts('s1', at(min(40))))).toMatchObject({ new: 0, unchanged: 1 });
    const s = (await storiesOf(store, 's1'))[0]!;
    expect(s.headline).toBe(top.headline);
    expect(s.body).toEqual(top.body);
    expect(s.keys).toHaveLength(2);
    // On another source the lead alone is not enough.
    expect(await ingestPage(store, [moved], opts('s2', at(min(50))))).toMatchObject({ new: 0 });
    const other = await openStore(await tempDir());
    await ingestPage(other, [top], opts('s1', T0));
    expect(await ingestPage(other, [moved], opts('s1', at(49 * 60 * min(1))))).toMatchObject({ new: 1 });
    await store.close();
    await other.close();
  });

  it('lists one story under two sources', async () => {
    const store = await openStore(await tempDir());
    const a = dated({ headline: 'Gedeeld verhaal' });
    await ingestPage(store, [a], opts('s1', T0));
    await ingestPage(store, [a], opts('s2', at(min(1))));
    expect(await store.size()).toBe(1);
    expect((await storiesOf(store, 's2'))[0]?.sources).toEqual(['s1', 's2']);
    await store.close();
  });

  it('takes a byline and an image when the page has them: a new non-null one replaces the held one, null keeps it', async () => {
    const store = await openStore(await tempDir());
    const a = { ...dated({ headline: 'Met naam' }), author: 'Jane Doe', image: 'https://example.org/a.jpg' };
    await ingestPage(store, [a], opts('s1', T0));
    expect(await ingestPage(store, [{ ...a, author: null, image: null }], opts('s1', at(min(1))))).toMatchObject({ changed: 0 });
    expect((await storiesOf(store, 's1')).map((s) => [s.author, s.image])).toEqual([['Jane Doe', 'https://example.org/a.jpg']]);
    expect(await ingestPage(store, [{ ...a, author: 'John Roe' }], opts('s1', at(min(2))))).toMatchObject({ changed: 1 });
    expect((await storiesOf(store, 's1')).map((s) => [s.author, s.image])).toEqual([['John Roe', 'https://example.org/a.jpg']]);
    await store.close();
  });
});

describe('the state lock', () => {
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
    await ingestPage(store, old, opts('s1', T0));
    const page = [dated({ headline: 'Nieuw', publishedLatest: at(min(10)) }), dated({ headline: 'Heel oud maar op de pagina', publishedLatest: at(-40 * 86_400_000) })];
    const r = await ingestPage(store, page, { ...opts('s1', at(min(10))), retention: { keep: 3, maxAgeDays: 30 } });
    expect(r.dropped).toBe(4);
    const left = (await storiesOf(store, 's1')).map((s: StoredStory) => s.headline).sort();
    expect(left).toEqual(['Heel oud maar op de pagina', 'Nieuw', 'Oud 0']);
    await store.close();
  });
});
