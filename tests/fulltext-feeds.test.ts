/**
 * Issue 18, full text in the feeds: Atom `content type="html"` is the article with `summary` the
 * teaser; RSS `description` the teaser and `content:encoded` the article; JSON Feed `content_html`
 * and `summary`. Without a full text, the body paragraphs stay the content. Read back by feedparser,
 * checked by xmllint and the Atom schema.
 */
import { describe, expect, it } from 'vitest';
import type { FeedView, StoredStory } from '../src/model.js';
import { renderFeed } from '../src/render/index.js';
import { toEntry } from '../src/select/index.js';
import { readByClients } from './clients/check-feeds.js';

const FULL = '<p>Eerste alinea met <a href="https://x.example/b?a=1&amp;c=2">een link</a>.</p>\n<p>Tweede &amp; laatste alinea.</p>';

function stored(over: Partial<StoredStory>): StoredStory {
  return {
    id: 'a'.repeat(32), keys: ['a'.repeat(32)], leadKey: null, sources: ['vb'], headline: 'Kop', headlineDerived: false, place: null,
    agencies: ['ANP'], section: null, body: ['GENT (ANP) - Tekst.', 'Meer tekst.'], bodyHash: 'h', link: 'https://www.voorbeeldblad.nl/a', author: null, image: null, lang: 'nl',
    firstSeen: '2026-12-07T10:00:00.000Z', lastSeen: '2026-12-07T10:00:00.000Z', publishedEarliest: null, publishedLatest: '2026-12-07T10:00:00.000Z',
    updated: '2026-12-07T10:00:00.000Z', ...over,
  };
}

describe('full text in every format', () => {
  const ctx = { baseUrl: 'https://feeds.example', hub: null, sources: new Map([['vb', { title: 'Voorbeeldblad', pageUrl: 'https://www.voorbeeldblad.nl/' }]]) };
  const view: FeedView = {
    id: 'vb', title: 'Voorbeeldblad', language: 'nl', alternateUrl: 'https://www.voorbeeldblad.nl/', baseUrl: 'https://feeds.example',
    updated: new Date('2026-12-07T10:00:00Z'), hub: null,
    entries: [
      toEntry({ ...stored({}), fullText: FULL }, 'urn:uuid:6f1d2c3a-0001-4a5b-8c7d-000000000001', ctx, 'https://x.example/'),
      toEntry(stored({ id: 'b'.repeat(32), headline: 'Zonder' }), 'urn:uuid:6f1d2c3a-0001-4a5b-8c7d-000000000002', ctx, 'https://x.example/'),
    ],
  };

  it('JSON Feed: content_html is the article, summary the teaser; without one the body paragraphs', () => {
    const json = JSON.parse(renderFeed(view, 'json')) as { items: { content_html: string; summary: string }[] };
    expect(json.items.map((i) => [i.content_html, i.summary])).toEqual([
      [FULL, 'GENT (ANP) - Tekst.'],
      ['<p>GENT (ANP) - Tekst.</p>\n<p>Meer tekst.</p>', 'GENT (ANP) - Tekst.'],
    ]);
  });

  it('Atom content and RSS content:encoded carry the article, summary/description the teaser; valid and read back by feedparser', async () => {
    const atom = renderFeed(view, 'atom');
    const rss = renderFeed(view, 'rss');
    expect(atom).toContain('<content type="html">&lt;p&gt;Eerste alinea met &lt;a href=&quot;https://x.example/b?a=1&amp;amp;c=2&quot;&gt;een link&lt;/a&gt;.&lt;/p&gt;\n&lt;p&gt;Tweede &amp;amp; laatste alinea.&lt;/p&gt;</content>');
    const checked = await readByClients(atom, rss);
    expect(checked.wellFormed).toEqual([]);
    expect(checked.atom).toEqual([]);
    for (const read of checked.reads) {
      expect(read.bozo).toBe(false);
      expect(read.entries.map((e) => [e.content, e.summary])).toEqual([
        [FULL, '<p>GENT (ANP) - Tekst.</p>'],
        ['<p>GENT (ANP) - Tekst.</p>\n<p>Meer tekst.</p>', '<p>GENT (ANP) - Tekst.</p>'],
      ]);
    }
  });
});
