/**
 * The contract of the Store interface (src/store/index.ts), as a suite any backend runs:
 * `storeContract(name, place)` where `place()` makes an empty place for a state and returns how
 * to open it (more than once: what one connection committed, the next one reads).
 * tests/store-contract.test.ts runs it on each backend.
 */
import { describe, expect, it } from 'vitest';
import type { StoredStory } from '../../src/model.js';
import { emptySourceState, type Store } from '../../src/store/index.js';
import { hostileStories } from './stories.js';

export interface StorePlace {
  open(): Promise<Store>;
}

const T = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 28, h, m)).toISOString();

/** A plain story listed under `sources`, published at `latest`. */
export function story(id: string, sources: string[], latest: string, over: Partial<StoredStory> = {}): StoredStory {
  return {
    id,
    keys: [id],
    leadKey: null,
    sources,
    headline: `Kop ${id}`,
    headlineDerived: false,
    place: 'GENT',
    agencies: ['ANP'],
    section: null,
    body: [`GENT (ANP) - Verhaal ${id}.`, 'Tweede alinea.'],
    bodyHash: `hash-${id}`,
    link: null,
    author: null,
    image: null,
    lang: 'nl',
    firstSeen: latest,
    lastSeen: latest,
    publishedEarliest: null,
    publishedLatest: latest,
    updated: latest,
    ...over,
  };
}

/** Text as a database stores it: well-formed Unicode (a lone surrogate reads back as U+FFFD) where it is a text column. */
function asStored(s: StoredStory): StoredStory & { origin: string } {
  const w = (t: string) => t.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const n = (t: string | null) => (t === null ? null : w(t));
  return {
    ...s,
    id: w(s.id),
    leadKey: n(s.leadKey),
    headline: w(s.headline),
    place: n(s.place),
    section: n(s.section),
    bodyHash: w(s.bodyHash),
    link: n(s.link),
    author: n(s.author),
    image: n(s.image),
    lang: w(s.lang) as StoredStory['lang'],
    firstSeen: w(s.firstSeen),
    lastSeen: w(s.lastSeen),
    publishedEarliest: n(s.publishedEarliest),
    publishedLatest: w(s.publishedLatest),
    updated: w(s.updated),
    origin: s.sources[0]!,
  };
}

export function storeContract(name: string, place: () => Promise<StorePlace>): void {
  const fresh = async (): Promise<{ store: Store; place: StorePlace }> => {
    const p = await place();
    return { store: await p.open(), place: p };
  };

  describe(`Store contract: ${name}`, () => {
    it('gives back every field of every story exactly, hostile text included, after a reopen too', async () => {
      const { store, place: p } = await fresh();
      const stories = hostileStories(7, 60, ['alfa', 'bravo', 'charlie']).filter((s) => !/[\ud800-\udfff]/.test(s.id));
      await store.commit({ put: stories });
      for (const s of stories) expect(await store.get(s.id)).toEqual(asStored(s));
      await store.close();
      const again = await p.open();
      for (const s of stories) expect(await again.get(s.id)).toEqual(asStored(s));
      expect(await again.size()).toBe(stories.length);
      expect(await again.get('no such story')).toBeNull();
      await again.close();
    });

    it('finds stories by any of their keys, the one whose id is the key first', async () => {
      const { store } = await fresh();
      await store.commit({ put: [story('b', ['s2'], T(10), { keys: ['k', 'b'] }), story('k', ['s1'], T(11), { keys: ['k'] }), story('c', ['s1'], T(9))] });
      expect((await store.withKey('k')).map((s) => s.id)).toEqual(['k', 'b']);
      expect((await store.withKey('b')).map((s) => s.id)).toEqual(['b']);
      expect(await store.withKey('none')).toEqual([]);
      // A page's keys at once: each story once, oldest row first, a story whose id is one of them too.
      expect((await store.withKeys(['k', 'b', 'c', 'none'])).map((s) => s.id)).toEqual(['b', 'k', 'c']);
      expect((await store.withKeys(['c'])).map((s) => s.id)).toEqual(['c']);
      expect(await store.withKeys([])).toEqual([]);
      expect(await store.withKeys(['k'])).toEqual([asStored(story('b', ['s2'], T(10), { keys: ['k', 'b'] })), asStored(story('k', ['s1'], T(11), { keys: ['k'] }))]);
      await store.close();
    });

    it('finds a lead key within one source and a window, and a lead group across a feed\'s sources', async () => {
      const { store } = await fresh();
      await store.commit({
        put: [
          story('a', ['s1'], T(10), { leadKey: 'L', lastSeen: T(10) }),
          story('b', ['s2'], T(11), { leadKey: 'L', lastSeen: T(11) }),
          story('c', ['s1'], T(12), { leadKey: 'L', lastSeen: T(8) }),
          story('d', ['s3'], T(12), { leadKey: 'M' }),
        ],
      });
      expect((await store.byLeadKey('L', 's1', T(9))).map((s) => s.id)).toEqual(['a']);
      expect((await store.byLeadKey('L', 's1', T(7))).map((s) => s.id)).toEqual(['a', 'c']);
      expect((await store.byLeadKey('L', 's3', T(0))).map((s) => s.id)).toEqual([]);
      expect((await store.byLeadKeys(['L', 'M'], 's1', T(7))).map((s) => s.id)).toEqual(['a', 'c']);
      expect((await store.byLeadKeys(['M', 'N'], 's3', T(0))).map((s) => s.id)).toEqual(['d']);
      expect((await store.byLeadKeys(['L'], 's1', T(9))).map((s) => s.id)).toEqual(['a']);
      expect(await store.byLeadKeys([], 's1', T(0))).toEqual([]);
      expect((await store.leadGroup('L', ['s1', 's2'])).map((s) => s.id).sort()).toEqual(['a', 'b', 'c']);
      expect((await store.leadGroup('L', ['s2', 's3'])).map((s) => s.id)).toEqual(['b']);
      await store.close();
    });

    it('lists a feed newest first (ties by id), each story once, in pages', async () => {
      const { store } = await fresh();
      await store.commit({
        put: [
          story('b', ['s1'], T(10)),
          story('a', ['s1', 's2'], T(10)),
          story('c', ['s2'], T(12)),
          story('d', ['s2'], T(9)),
          story('e', ['s3'], T(13)),
        ],
      });
      const ids = async (sourceIds: string[], limit: number, offset = 0) => (await store.feed({ sourceIds, limit, offset })).map((s) => s.id);
      expect(await ids(['s1'], 10)).toEqual(['a', 'b']);
      expect(await ids(['s1', 's2'], 10)).toEqual(['c', 'a', 'b', 'd']);
      expect(await ids(['s1', 's2'], 2)).toEqual(['c', 'a']);
      expect(await ids(['s1', 's2'], 2, 2)).toEqual(['b', 'd']);
      expect(await ids([], 10)).toEqual([]);
      const [top] = await store.feed({ sourceIds: ['s2'], limit: 1 });
      expect(top).toEqual(asStored(story('c', ['s2'], T(12))));
      expect([await store.countOf('s1'), await store.countOf('s2'), await store.countOf('s9')]).toEqual([2, 3, 0]);
      expect(await store.counts()).toEqual({ s1: 2, s2: 3, s3: 1 });
      await store.close();
    });

    it('replaces a story whole on put; the sources its listings touch come back; a quiet put touches none', async () => {
      const { store } = await fresh();
      expect(await store.commit({ put: [story('a', ['s1'], T(10))] })).toEqual({ touched: ['s1'] });
      const changed = story('a', ['s1', 's2'], T(9), { keys: ['a', 'a2'], headline: 'Nieuwe kop', body: ['Anders.'], author: 'Jane Doe' });
      expect(await store.commit({ put: [changed] })).toEqual({ touched: ['s1', 's2'] });
      expect(await store.get('a')).toEqual(asStored(changed));
      expect((await store.withKey('a2')).map((s) => s.id)).toEqual(['a']);
      expect((await store.feed({ sourceIds: ['s2'], limit: 5 })).map((s) => s.id)).toEqual(['a']);
      const seen = { ...changed, lastSeen: T(14) };
      expect(await store.commit({ quiet: [seen] })).toEqual({ touched: [] });
      expect((await store.get('a'))?.lastSeen).toBe(T(14));
      expect(await store.commit({ seen: { at: T(15), ids: ['a', 'no such story'] } })).toEqual({ touched: [] });
      expect(await store.get('a')).toEqual(asStored({ ...changed, lastSeen: T(15) }));
      // Keys dropped from a story no longer find it.
      await store.commit({ put: [{ ...seen, keys: ['a'] }] });
      expect(await store.withKey('a2')).toEqual([]);
      await store.close();
    });

    it('applies the puts of one change in order: new and stored stories mixed, one id twice, quiet after put', async () => {
      const { store } = await fresh();
      await store.commit({ put: [story('a', ['s1'], T(10))] });
      const b1 = story('b', ['s1'], T(11), { keys: ['b', 'k'] });
      const b2 = story('b', ['s2'], T(12), { keys: ['b'], headline: 'Tweede versie' });
      const c = story('c', ['s3', 's1', 's3'], T(9), { keys: ['c', 'c', 'k'] });
      const a = story('a', ['s1', 's4'], T(8));
      expect(await store.commit({ put: [b1, a, c, b2], quiet: [{ ...c, lastSeen: T(13) }, story('d', ['s5'], T(7))] })).toEqual({ touched: ['s1', 's2', 's3', 's4'] });
      expect(await store.get('b')).toEqual({ ...asStored(b2), origin: 's1' });
      expect((await store.get('c'))?.lastSeen).toBe(T(13));
      expect((await store.withKey('k')).map((s) => s.id)).toEqual(['c']);
      expect(await Promise.all(['s1', 's2', 's3', 's4', 's5'].map((id) => store.countOf(id)))).toEqual([2, 1, 1, 1, 1]);
      expect((await store.feed({ sourceIds: ['s1', 's2', 's3', 's4', 's5'], limit: 10 })).map((s) => s.id)).toEqual(['b', 'c', 'a', 'd']);
      await store.close();
    });

    it('unlists: a story keeps the home it leaves as its origin (the first one only), and goes with its last source', async () => {
      const { store } = await fresh();
      await store.commit({ put: [story('a', ['s1', 's2', 's3'], T(10), { keys: ['a', 'k'] }), story('b', ['s1'], T(11))] });
      expect(await store.commit({ unlist: { sourceId: 's1', ids: ['a'] } })).toEqual({ touched: ['s1', 's2', 's3'] });
      expect(await store.get('a')).toMatchObject({ sources: ['s2', 's3'], origin: 's1' });
      await store.commit({ unlist: { sourceId: 's2', ids: ['a'] } });
      expect(await store.get('a')).toMatchObject({ sources: ['s3'], origin: 's1' });
      expect((await store.feed({ sourceIds: ['s1', 's2'], limit: 5 })).map((s) => s.id)).toEqual(['b']);
      // Not listed there: nothing happens.
      expect(await store.commit({ unlist: { sourceId: 's9', ids: ['a', 'nothing'] } })).toEqual({ touched: [] });
      await store.commit({ unlist: { sourceId: 's3', ids: ['a'] } });
      expect(await store.get('a')).toBeNull();
      expect(await store.withKey('k')).toEqual([]);
      expect(await store.size()).toBe(1);
      // A put that moves the home away keeps the old home as origin too.
      await store.commit({ put: [story('b', ['s1', 's2'], T(11))] });
      await store.commit({ put: [story('b', ['s2'], T(11))] });
      expect(await store.get('b')).toMatchObject({ sources: ['s2'], origin: 's1' });
      // Counts follow every listing written and dropped.
      expect([await store.countOf('s1'), await store.countOf('s2'), await store.countOf('s3')]).toEqual([0, 1, 0]);
      expect(await store.counts()).toEqual({ s2: 1 });
      await store.close();
    });

    it('keeps source bookkeeping, merging each patch into what is stored', async () => {
      const { store, place: p } = await fresh();
      expect(await store.source('s1')).toEqual(emptySourceState());
      await store.commit({ sources: { s1: { etag: '"e1"', lastSuccess: T(10) }, s2: { consecutiveFailures: 2, lastError: 'fetch: E_X: kapot' } } });
      await store.commit({ sources: { s1: { lastModified: 'Sat, 28 Nov 2026 10:00:00 GMT', contentHash: 'h', lastPageAt: T(10) } } });
      const s1 = { ...emptySourceState(), etag: '"e1"', lastSuccess: T(10), lastModified: 'Sat, 28 Nov 2026 10:00:00 GMT', contentHash: 'h', lastPageAt: T(10) };
      expect(await store.source('s1')).toEqual(s1);
      await store.close();
      const again = await p.open();
      expect(await again.sources()).toEqual({ s1, s2: { ...emptySourceState(), consecutiveFailures: 2, lastError: 'fetch: E_X: kapot' } });
      await again.close();
    });

    it('applies a change all or nothing: a failing put leaves the stories, listings and validators before it unwritten', async () => {
      const { store } = await fresh();
      await expect(store.commit({ put: [story('a', ['s1'], T(10)), story('b', [], T(10))], sources: { s1: { etag: '"x"' } } })).rejects.toThrow('story b has no source');
      expect([await store.get('a'), await store.size(), (await store.source('s1')).etag]).toEqual([null, 0, null]);
      await store.close();
    });

    it('keeps full text per entry version: due until stored, failures counted and backed off, a changed entry due again, ingest leaves it alone', async () => {
      const { store, place: p } = await fresh();
      const a = story('a', ['s'], T(10), { link: 'https://x.example/a' });
      await store.commit({ put: [a, story('b', ['s'], T(11)), story('c', ['s'], T(9), { link: 'https://x.example/c' })] });
      const due = await store.fullTextDue('s', T(12), 3, 10);
      expect(due).toEqual([
        { id: 'a', link: 'https://x.example/a', body: a.body, entry: 'https://x.example/a hash-a', attempts: 0 },
        { id: 'c', link: 'https://x.example/c', body: story('c', ['s'], T(9)).body, entry: 'https://x.example/c hash-c', attempts: 0 },
      ]);
      await store.putFullText('a', { entry: 'https://x.example/a hash-a', html: '<p>Heel het verhaal.</p>', attempts: 1, after: null, at: T(12) });
      await store.putFullText('c', { entry: 'https://x.example/c hash-c', html: null, attempts: 1, after: T(13), at: T(12) });
      expect(await store.fullTextDue('s', T(12, 30), 3, 10)).toEqual([]);
      expect((await store.fullTextDue('s', T(13), 3, 10)).map((d) => [d.id, d.attempts])).toEqual([['c', 1]]);
      expect(await store.get('a')).toMatchObject({ fullText: '<p>Heel het verhaal.</p>', updated: T(12) });
      expect((await store.get('c'))?.fullText).toBeUndefined();
      expect([await store.fullTextCount('s'), await store.fullTextCount('s9')]).toEqual([1, 0]);
      // A page's lookups (ingest) read the story without its article.
      expect((await store.withKeys(['a'])).map((s) => [s.id, 'fullText' in s, s.updated])).toEqual([['a', false, T(12)]]);
      // Ingest writes the story again: the full text stays; a changed body makes the entry due again.
      await store.commit({ put: [{ ...a, body: ['Nieuwe tekst.'], bodyHash: 'hash-a2', updated: T(12) }] });
      expect((await store.get('a'))?.fullText).toBe('<p>Heel het verhaal.</p>');
      expect((await store.fullTextDue('s', T(12, 30), 3, 10)).map((d) => [d.id, d.entry, d.attempts])).toEqual([['a', 'https://x.example/a hash-a2', 0]]);
      await store.close();
      expect((await (await p.open()).get('a'))?.fullText).toBe('<p>Heel het verhaal.</p>');
    });

    it("keeps a stored article's validators for its link: an updated entry with the same link is due with them, one with another link without", async () => {
      const { store } = await fresh();
      const a = story('a', ['s'], T(10), { link: 'https://x.example/a' });
      await store.commit({ put: [a] });
      await store.putFullText('a', { entry: 'https://x.example/a hash-a', html: '<p>Heel het verhaal.</p>', attempts: 1, after: null, at: T(12), validators: { link: 'https://x.example/a', etag: '"v1"', lastModified: 'Mon, 07 Dec 2026 12:00:00 GMT' } });
      await store.commit({ put: [{ ...a, bodyHash: 'hash-a2', updated: T(13) }] });
      expect(await store.fullTextDue('s', T(13), 3, 10)).toEqual([
        { id: 'a', link: 'https://x.example/a', body: a.body, entry: 'https://x.example/a hash-a2', attempts: 0, validators: { etag: '"v1"', lastModified: 'Mon, 07 Dec 2026 12:00:00 GMT' } },
      ]);
      // A 304 for the new entry: done, the article kept, the validators too.
      await store.putFullText('a', { entry: 'https://x.example/a hash-a2', html: null, attempts: 0, after: null, at: T(14) });
      expect(await store.fullTextDue('s', T(14), 3, 10)).toEqual([]);
      expect(await store.get('a')).toMatchObject({ fullText: '<p>Heel het verhaal.</p>', updated: T(13) });
      await store.commit({ put: [{ ...a, link: 'https://x.example/a-moved', bodyHash: 'hash-a3', updated: T(15) }] });
      expect((await store.fullTextDue('s', T(15), 3, 10)).map((d) => [d.entry, d.validators])).toEqual([['https://x.example/a-moved hash-a3', undefined]]);
      await store.close();
    });

    it('answers what retention, scopes, the index page and export ask', async () => {
      const { store } = await fresh();
      await store.commit({
        put: [story('a', ['s1'], T(10), { lastSeen: T(12), firstSeen: T(9) }), story('b', ['s1', 'p'], T(11)), story('c', ['p'], T(8)), story('d', ['s2'], T(7))],
      });
      expect((await store.stamps('s1')).sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([
        { id: 'a', publishedLatest: T(10), lastSeen: T(12) },
        { id: 'b', publishedLatest: T(11), lastSeen: T(11) },
      ]);
      expect((await store.shared('p')).map((s) => s.id)).toEqual(['b']);
      expect((await store.firstSeenSince('s1', T(9, 30))).sort()).toEqual([T(11)]);
      expect((await store.page(null, 3)).map((s) => s.id)).toEqual(['a', 'b', 'c']);
      expect((await store.page('c', 3)).map((s) => s.id)).toEqual(['d']);
      await store.close();
    });

    it('gives export each story\'s full-text bookkeeping once the step tried it, and none before', async () => {
      const { store } = await fresh();
      await store.commit({ put: [story('a', ['s'], T(10), { link: 'https://x.example/a' }), story('b', ['s'], T(10), { link: 'https://x.example/b' }), story('c', ['s'], T(10))] });
      await store.putFullText('a', { entry: 'https://x.example/a hash-a', html: '<p>Heel\u0000 het verhaal.</p>', attempts: 1, after: null, at: T(12) });
      await store.putFullText('b', { entry: 'https://x.example/b hash-b', html: null, attempts: 2, after: T(14), at: T(12) });
      const [a, b, c] = await store.page(null, 10);
      expect([a?.fullText, a?.fullTextTried, a?.updated]).toEqual(['<p>Heel\u0000 het verhaal.</p>', { entry: 'https://x.example/a hash-a', attempts: 1, after: null }, T(12)]);
      expect([b?.fullText, b?.fullTextTried]).toEqual([undefined, { entry: 'https://x.example/b hash-b', attempts: 2, after: T(14) }]);
      expect(c).toEqual(asStored(story('c', ['s'], T(10))));
      await store.close();
    });
  });
}
