/**
 * Issue 14.2: no two feeds share an entry id, so a reader that keys entries by id across all its
 * feeds (newsboat) shows every feed whole after importing /feeds.opml; a story keeps the id it
 * always had in its home source feed, and every id stays the same across renders and restarts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryUri, feedEntryUri, storyKey } from '../src/identity/index.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { runNewsboatOpml } from './clients/newsboat.js';

const CONFIG = `server: { port: 0 }
state: { dir: ./state }
sources:
  - { id: aa, title: Bron A, path: a.txt }
  - { id: bb, title: Bron B, path: b.txt }
  - { id: cc, title: Bron C, path: c.txt }
feeds:
  - { id: alles, title: Alles, sources: [aa, bb, cc] }
  - { id: ab, title: A en B, sources: [aa, bb] }
`;

const story = (headline: string, place: string, lead: string) => `${headline}\n${place.toUpperCase()} (ANP) - ${lead}\n`;
const SHARED = story('Storm treft de kust', 'Vlissingen', 'Een zware storm heeft de kust getroffen.');
const PAGES = {
  a: [story('Brand in haven', 'Rotterdam', 'In de haven woedt een brand.'), story('Nieuwe brug open', 'Nijmegen', 'De nieuwe brug is open.'), SHARED],
  b: [story('Trein ontspoord', 'Utrecht', 'Bij Utrecht is een trein ontspoord.'), SHARED],
  c: [story('Dijk versterkt', 'Kampen', 'De dijk is versterkt.'), story('Markt verplaatst', 'Deventer', 'De markt gaat naar het plein.')],
};
/** What each feed holds: source feeds their pages, combined feeds the union (the shared story once). */
const COUNTS: Record<string, number> = { aa: 3, bb: 2, cc: 2, alles: 6, ab: 4 };
const FEEDS = Object.keys(COUNTS);

async function start(dir: string): Promise<TestDaemon> {
  const d = await startDaemon(dir, CONFIG);
  await d.app.settled;
  return d;
}

async function ids(d: TestDaemon, feed: string, format: 'atom' | 'rss' | 'json'): Promise<string[]> {
  const text = await (await fetch(`${d.app.url}/feeds/${feed}.${format}`)).text();
  if (format === 'json') return (JSON.parse(text) as { items: { id: string }[] }).items.map((i) => i.id).sort();
  const re = format === 'atom' ? /<entry[^>]*>\s*<title[^>]*>[^<]*<\/title>\s*<id>([^<]+)<\/id>/g : /<guid[^>]*>([^<]+)<\/guid>/g;
  return [...text.matchAll(re)].map((m) => m[1]!).sort();
}

async function allIds(d: TestDaemon): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const feed of FEEDS) for (const format of ['atom', 'rss', 'json'] as const) out[`${feed}.${format}`] = await ids(d, feed, format);
  return out;
}

/** Python's uuid.uuid5(UUID('5f0c8a52-e4a9-4c1b-9d3e-6b7a21c4f8d0'), 'alles\ne36ea3dd2380cb90f3c9101a55daf792'). */
const FEED_ENTRY_ID = 'urn:uuid:dad2839b-5234-5765-8f5b-5f0ab9a0bdab';

describe('the id forms', () => {
  it('are pinned: a home feed id is the story key as a UUID, any other a version 5 UUID of (feed, story)', () => {
    // Readers key on these: no later version may compute them differently.
    expect(entryUri('e36ea3dd2380cb90f3c9101a55daf792')).toBe('urn:uuid:e36ea3dd-2380-8b90-b3c9-101a55daf792');
    expect(feedEntryUri('alles', 'e36ea3dd2380cb90f3c9101a55daf792')).toBe(FEED_ENTRY_ID);
    expect(feedEntryUri('alles', 'e36ea3dd2380cb90f3c9101a55daf792')).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(feedEntryUri('ab', 'e36ea3dd2380cb90f3c9101a55daf792')).not.toBe(FEED_ENTRY_ID);
  });
});

describe('entry ids across feeds', () => {
  it('newsboat shows every feed of /feeds.opml whole; ids are unique across feeds and stable across renders and restarts', async () => {
    const dir = await tempDir();
    for (const [name, stories] of Object.entries(PAGES)) await writeFile(join(dir, `${name}.txt`), stories.join('\n'));
    const d = await start(dir);

    const opml = await (await fetch(`${d.app.url}/feeds.opml`)).text();
    const nb = await runNewsboatOpml(opml);
    expect(nb.errors).toEqual([]);
    const shown = Object.fromEntries(FEEDS.map((f) => [f, nb.items.filter((i) => i.feedurl === `${d.app.url}/feeds/${f}.atom`).length]));
    expect(shown).toEqual(COUNTS);

    const before = await allIds(d);
    for (const feed of FEEDS) {
      expect(before[`${feed}.atom`]).toHaveLength(COUNTS[feed]!);
      expect(before[`${feed}.rss`]).toEqual(before[`${feed}.atom`]);
      expect(before[`${feed}.json`]).toEqual(before[`${feed}.atom`]);
    }
    const atomIds = FEEDS.flatMap((f) => before[`${f}.atom`]!);
    expect(new Set(atomIds).size).toBe(atomIds.length);
    // In its home source feed a story keeps the id earlier versions gave it.
    // The shared story's home is whichever source was read first; the other lists it under an id of its own.
    const shared = entryUri(storyKey('Storm treft de kust'));
    expect([before['aa.atom'], before['bb.atom']].filter((list) => list!.includes(shared))).toHaveLength(1);
    expect(before['bb.atom']).toContain(entryUri(storyKey('Trein ontspoord')));
    expect(before['cc.atom']).toEqual([entryUri(storyKey('Dijk versterkt')), entryUri(storyKey('Markt verplaatst'))].sort());
    expect(await allIds(d)).toEqual(before);

    await d.app.stop();
    const again = await start(dir);
    afterThisTest(() => again.app.stop());
    expect(await allIds(again)).toEqual(before);
  });

  it('a story that retention drops from its first source keeps its id in the other source that lists it, across a restart', async () => {
    const dir = await tempDir();
    const yaml = `server: { port: 0 }
state: { dir: ./state }
sources:
  - { id: aa, title: Bron A, path: a.txt, keep: 1 }
  - { id: bb, title: Bron B, path: b.txt }
`;
    const d = await startDaemon(dir, yaml);
    afterThisTest(() => d.app.stop());
    await d.app.settled;
    await writeFile(join(dir, 'a.txt'), SHARED);
    await d.app.pollNow('aa');
    await writeFile(join(dir, 'b.txt'), SHARED);
    await d.app.pollNow('bb');
    const bbIds = async (t: TestDaemon) => (JSON.parse(await (await fetch(`${t.app.url}/feeds/bb.json`)).text()) as { items: { id: string }[] }).items.map((i) => i.id);
    const before = await bbIds(d);
    expect(before).toHaveLength(1);
    expect(before[0]).not.toBe(entryUri(storyKey('Storm treft de kust')));

    // A's next page has another story only: with keep 1 A lets the shared one go, B still lists it.
    await writeFile(join(dir, 'a.txt'), story('Brand in haven', 'Rotterdam', 'In de haven woedt een brand.'));
    await d.app.pollNow('aa');
    expect((await d.app.store.withKey(storyKey('Storm treft de kust')))[0]?.sources).toEqual(['bb']);
    expect(await bbIds(d)).toEqual(before);

    await d.app.stop();
    const again = await startDaemon(dir, yaml);
    afterThisTest(() => again.app.stop());
    await again.app.settled;
    expect(await bbIds(again)).toEqual(before);
  });
});
