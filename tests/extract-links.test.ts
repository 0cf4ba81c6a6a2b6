/**
 * Issue 15: in every HTML page an item's own link (the anchor around or inside its headline, or
 * around its lead) is the entry's link, and an image in its block the entry's image — in Atom as
 * an enclosure link, in RSS as an enclosure and media:thumbnail, in JSON Feed as `image`.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extract } from '../src/extract/index.js';
import type { Document, EntryView, FeedView, StoredStory } from '../src/model.js';
import { parseExtracted } from '../src/parse/index.js';
import { renderFeed } from '../src/render/index.js';
import { toEntry } from '../src/select/index.js';
import { readByClients } from './clients/check-feeds.js';

const FIXTURES = new URL('./fixtures/extract/', import.meta.url);
const NOW = new Date('2026-12-07T12:00:00Z');

function doc(text: string, url = 'https://www.voorbeeldblad.nl/buitenland'): Document {
  return { sourceId: 'vb', url, mediaType: 'text/html', text, fetchedAt: NOW };
}

describe('per-item links and images in a dateline list', () => {
  it('each story takes the link around its headline or lead and the image of its block', async () => {
    const html = await readFile(new URL('nl-links.html', FIXTURES), 'utf8');
    const result = parseExtracted(extract(doc(html), { format: 'auto' }), { lang: 'auto' });
    expect(result.layout).toBe('text grammar: headline · dateline lead · body (ages trail)');
    expect(result.stories.map((s) => [s.place, s.headlineDerived, s.link, s.image])).toEqual([
      // <base href> resolves the links; the link to a topic inside the lead is not the story's.
      ['BRUSSEL', false, 'https://www.voorbeeldblad.nl/buitenland/80411/grens-weer-open', 'https://www.voorbeeldblad.nl/beeld/2026/grens-open.jpg'],
      // A lazy-loading image: the data: placeholder is no picture, data-src is.
      ['HAMBURG', true, 'https://www.voorbeeldblad.nl/buitenland/80410/haven-staakt', 'https://cdn.voorbeeldblad.nl/w320/haven.webp'],
      // The link inside the headline, after a label.
      ['MARSEILLE', false, 'https://www.voorbeeldblad.nl/buitenland/80409/stormschade', null],
      // A tracking pixel is no image; a link around two words of the lead is no story link.
      ['MADRID', true, null, null],
      // javascript: is never a link.
      ['LISSABON', false, null, null],
    ]);
    // The logo in the page header is chrome, not the first story's image.
    expect(result.stories.map((s) => s.image)).not.toContain('https://www.voorbeeldblad.nl/img/logo.png');
  });

  it('ticker items take their headline line\'s link and image though the grammar cut a clock, bullet or more-link off the line', () => {
    const page = (items: string[]): Document => doc(`<main>${items.map((i) => `<div>${i}</div>`).join('')}</main>`, 'https://x.example/');
    const read = (d: Document): [string, string, string | null, string | null][] => {
      const result = parseExtracted(extract(d, { format: 'html' }), { lang: 'auto' });
      return result.stories.map((s) => [result.layout, s.headline, s.link, s.image]);
    };
    const clock = (n: number): string =>
      `<h2>1${n}:01 <a href="/c/${n}">Helfer warnen vor Hunger ${n}</a></h2><img src="/i/${n}.jpg"><p>Juba - Die Vereinten Nationen warnen ${n}. Die Lage sei ernst.</p>`;
    const clockLayout = 'text grammar: time headline · dateline lead (no agency) · body (ages lead)';
    expect(read(page([clock(1), clock(2)]))).toEqual([
      [clockLayout, 'Helfer warnen vor Hunger 1', 'https://x.example/c/1', 'https://x.example/i/1.jpg'],
      [clockLayout, 'Helfer warnen vor Hunger 2', 'https://x.example/c/2', 'https://x.example/i/2.jpg'],
    ]);
    const agency = (n: number): string => `<h2><a href="/a/${n}">• Séisme au large du Japon ${n}</a></h2><p>AFP, 0${n}h32</p><p>Un séisme a frappé la côte. Aucun dégât.</p>`;
    const agencyLayout = 'text grammar: headline · agency and time · lead · body';
    expect(read(page([agency(1), agency(2)]))).toEqual([
      [agencyLayout, 'Séisme au large du Japon 1', 'https://x.example/a/1', null],
      [agencyLayout, 'Séisme au large du Japon 2', 'https://x.example/a/2', null],
    ]);
    const teaser = (n: number): string => `<p>vor ${n} Stunden</p><p>Sturm legt Bahnverkehr lahm ${n}</p><p><a href="/t/${n}">Züge fallen aus. mehr...</a></p>`;
    const teaserLayout = 'text grammar: time · headline · lead · body (ages lead)';
    expect(read(page([teaser(1), teaser(2)]))).toEqual([
      [teaserLayout, 'Sturm legt Bahnverkehr lahm 1', 'https://x.example/t/1', null],
      [teaserLayout, 'Sturm legt Bahnverkehr lahm 2', 'https://x.example/t/2', null],
    ]);
  });

  it('marks only lines with a link or an image, and none for plain text or without a page URL', () => {
    const html = '<h2><a href="/a">Kop een twee</a></h2><p>GENT (ANP) - Tekst.</p><p>Los</p>';
    const ex = extract(doc(html, 'https://x.example/lijst/'), { format: 'html' });
    expect(ex).toEqual({
      kind: 'lines',
      lines: ['Kop een twee', 'GENT (ANP) - Tekst.', 'Los'],
      marks: new Map([[0, { link: 'https://x.example/a', image: null }]]),
    });
    expect(extract(doc(html, 'file:///tmp/lijst.html'), { format: 'html' })).toEqual({ kind: 'lines', lines: ['Kop een twee', 'GENT (ANP) - Tekst.', 'Los'] });
  });

  it('a page saved to disk resolves its links against its canonical address or og:url; a fetched page keeps its own', () => {
    const body = '<h2><a href="/a">Kop een twee</a></h2><p>GENT (ANP) - Tekst.</p>';
    const canonical = `<html><head><link rel="canonical" href="https://www.voorbeeld.be/lijst/"></head><body>${body}</body></html>`;
    const ogUrl = `<html><head><meta property="og:url" content="https://m.voorbeeld.be/lijst"></head><body>${body}</body></html>`;
    const marks = (html: string, url: string) => {
      const ex = extract(doc(html, url), { format: 'html' });
      return ex.kind === 'lines' ? ex.marks : undefined;
    };
    expect(marks(canonical, 'file:///tmp/lijst.html')).toEqual(new Map([[0, { link: 'https://www.voorbeeld.be/a', image: null }]]));
    expect(marks(ogUrl, 'file:///tmp/lijst.html')).toEqual(new Map([[0, { link: 'https://m.voorbeeld.be/a', image: null }]]));
    expect(marks(canonical, 'https://spiegel.example/lijst/')).toEqual(new Map([[0, { link: 'https://spiegel.example/a', image: null }]]));
  });
});

describe('<time datetime> in a dateline list', () => {
  const html = [
    '<main>',
    '<article><h2><a href="/a/1">Harbour strike ends after two weeks</a></h2><time datetime="2026-12-07T10:05:00Z">11:05</time>',
    '<p>ROTTERDAM (ANP) - Dockers in the harbour went back to work on Monday after a deal on pay.</p></article>',
    '<article><h2><a href="/a/2">Snow closes mountain passes</a></h2><time datetime="2026-12-07T09:40:00+01:00">09:40</time>',
    '<p>INNSBRUCK (APA) - Heavy snow closed three passes in the Tyrol overnight, police said.</p></article>',
    '</main>',
  ].join('\n');

  it('marks the line it stands in, with or without a page URL', () => {
    const withUrl = extract(doc(html, 'https://x.example/lijst/'), { format: 'html' });
    expect(withUrl.kind === 'lines' && withUrl.marks?.get(1)).toEqual({ link: null, image: null, datetime: new Date('2026-12-07T10:05:00Z') });
    const withoutUrl = extract(doc(html, 'file:///tmp/lijst.html'), { format: 'html' });
    expect(withoutUrl.kind === 'lines' && [...(withoutUrl.marks ?? new Map()).entries()]).toEqual([
      [1, { link: null, image: null, datetime: new Date('2026-12-07T10:05:00Z') }],
      [4, { link: null, image: null, datetime: new Date('2026-12-07T08:40:00Z') }],
    ]);
  });

  it('dates the story whose headline and lead it stands between, over the clock text', () => {
    const result = parseExtracted(extract(doc(html, 'https://x.example/lijst/'), { format: 'auto' }), { lang: 'auto' });
    expect(result.layout).toBe('text grammar: headline · time · dateline lead · body');
    expect(result.stories.map((s) => [s.headline, s.link, s.ageText, s.datetime?.toISOString()])).toEqual([
      ['Harbour strike ends after two weeks', 'https://x.example/a/1', '11:05', '2026-12-07T10:05:00.000Z'],
      ['Snow closes mountain passes', 'https://x.example/a/2', '09:40', '2026-12-07T08:40:00.000Z'],
    ]);
  });
});

describe('more-links', () => {
  it("a teaser's `mehr...`, inside its line or on a line of its own, is the story's link, and no paragraph", () => {
    const html = [
      '<div class="ticker">',
      '<div class="item"><span>vor 1 Stunde</span><h3>Bahn streicht Nachtzüge nach Wien</h3><p>Die Bahn stellt zwei Nachtzüge ein, weil Wagen fehlen. <a href="/meldung/101">mehr...</a></p></div>',
      '<div class="item"><span>vor 2 Stunden</span><h3>Hochwasser an der Oder steigt weiter</h3><p>Die Pegel an der Oder steigen seit Sonntag. <a href="/meldung/102">mehr...</a></p></div>',
      '<div class="item"><span>vor 3 Stunden</span><h3>Flughafen testet neue Kontrollen</h3><p>Am Flughafen laufen seit heute neue Kontrollen.</p><a href="/meldung/103">mehr...</a></div>',
      '<div class="item"><span>vor 4 Stunden</span><h3>Zoo zeigt junge Pandas</h3><p>Der Zoo zeigt seit heute zwei junge Pandas, <a href="/thema/zoo">Zoo</a> und Stadt freuen sich.</p></div>',
      '</div>',
    ].join('\n');
    const result = parseExtracted(extract(doc(html, 'https://t.example/ticker'), { format: 'html' }), { lang: 'de' });
    expect(result.stories.map((s) => [s.headline, s.link, s.body])).toEqual([
      ['Bahn streicht Nachtzüge nach Wien', 'https://t.example/meldung/101', ['Die Bahn stellt zwei Nachtzüge ein, weil Wagen fehlen.']],
      ['Hochwasser an der Oder steigt weiter', 'https://t.example/meldung/102', ['Die Pegel an der Oder steigen seit Sonntag.']],
      ['Flughafen testet neue Kontrollen', 'https://t.example/meldung/103', ['Am Flughafen laufen seit heute neue Kontrollen.']],
      // A topic link inside a sentence is not the story's.
      ['Zoo zeigt junge Pandas', null, ['Der Zoo zeigt seit heute zwei junge Pandas, Zoo und Stadt freuen sich.']],
    ]);
  });
});

describe('per-item images in selector items', () => {
  it('an item takes the first picture inside it', () => {
    const html = '<article><img src="/b/1.jpg"><h2>Kop een</h2><p>Tekst een.</p></article><article><h2>Kop twee</h2><p>Tekst twee.</p></article>';
    const ex = extract(doc(html, 'https://x.example/lijst/'), { format: 'html', selectors: { item: 'article', headline: 'h2' } });
    const stories = parseExtracted(ex, { lang: 'nl' }).stories;
    expect(stories.map((s) => [s.headline, s.image])).toEqual([['Kop een', 'https://x.example/b/1.jpg'], ['Kop twee', null]]);
  });
});

function stored(over: Partial<StoredStory>): StoredStory {
  return {
    id: 'a'.repeat(32), keys: ['a'.repeat(32)], leadKey: null, sources: ['vb'], headline: 'Kop', headlineDerived: false, place: null,
    agencies: ['ANP'], section: null, body: ['GENT (ANP) - Tekst.'], bodyHash: 'h', link: null, author: null, image: null, lang: 'nl',
    firstSeen: '2026-12-07T10:00:00.000Z', lastSeen: '2026-12-07T10:00:00.000Z', publishedEarliest: null, publishedLatest: '2026-12-07T10:00:00.000Z',
    updated: '2026-12-07T10:00:00.000Z', ...over,
  };
}

describe('the entry image in every format', () => {
  const ctx = { baseUrl: 'https://feeds.example', hub: null, sources: new Map([['vb', { title: 'Voorbeeldblad', pageUrl: 'https://www.voorbeeldblad.nl/' }]]) };

  it('select keeps only an http(s) image', () => {
    const entry = (image: string | null): EntryView => toEntry(stored({ image }), 'urn:uuid:6f1d2c3a-0001-4a5b-8c7d-000000000001', ctx, 'https://x.example/');
    expect(entry('https://cdn.example/a.jpg').image).toBe('https://cdn.example/a.jpg');
    expect(entry('javascript:alert(1)').image).toBeUndefined();
    expect(entry(null).image).toBeUndefined();
  });

  it('Atom enclosure link, RSS enclosure and media:thumbnail, JSON Feed image; valid and read back by feedparser', async () => {
    const view: FeedView = {
      id: 'vb', title: 'Voorbeeldblad', language: 'nl', alternateUrl: 'https://www.voorbeeldblad.nl/', baseUrl: 'https://feeds.example',
      updated: new Date('2026-12-07T10:00:00Z'), hub: null,
      entries: [
        toEntry(stored({ link: 'https://www.voorbeeldblad.nl/a', image: 'https://cdn.example/w320/haven.webp?x=1&y=2' }), 'urn:uuid:6f1d2c3a-0001-4a5b-8c7d-000000000001', ctx, 'https://x.example/'),
        toEntry(stored({ id: 'b'.repeat(32), headline: 'Zonder', image: 'https://cdn.example/beeld/123' }), 'urn:uuid:6f1d2c3a-0001-4a5b-8c7d-000000000002', ctx, 'https://x.example/'),
        toEntry(stored({ id: 'c'.repeat(32), headline: 'Geen beeld' }), 'urn:uuid:6f1d2c3a-0001-4a5b-8c7d-000000000003', ctx, 'https://x.example/'),
      ],
    };
    const atom = renderFeed(view, 'atom');
    const rss = renderFeed(view, 'rss');
    const json = JSON.parse(renderFeed(view, 'json')) as { items: { image?: string }[] };
    expect(atom).toContain('<link rel="enclosure" type="image/webp" href="https://cdn.example/w320/haven.webp?x=1&amp;y=2"/>');
    expect(atom).toContain('<link rel="enclosure" type="image/*" href="https://cdn.example/beeld/123"/>');
    expect(rss).toContain('<rss xmlns:media="http://search.yahoo.com/mrss/" ');
    expect(rss).toContain('<media:thumbnail url="https://cdn.example/w320/haven.webp?x=1&amp;y=2"/>');
    expect(json.items.map((i) => i.image)).toEqual(['https://cdn.example/w320/haven.webp?x=1&y=2', 'https://cdn.example/beeld/123', undefined]);

    const checked = await readByClients(atom, rss);
    expect(checked.wellFormed).toEqual([]);
    expect(checked.atom).toEqual([]);
    for (const read of checked.reads) {
      expect(read.bozo).toBe(false);
      expect(read.entries.map((e) => e.links.filter((l) => l.rel === 'enclosure').map((l) => [l.type, l.href]))).toEqual([
        [['image/webp', 'https://cdn.example/w320/haven.webp?x=1&y=2']],
        [['image/*', 'https://cdn.example/beeld/123']],
        [],
      ]);
    }
  });
});
