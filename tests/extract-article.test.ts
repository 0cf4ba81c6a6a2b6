/**
 * Issue 15, article pages: one story from the <h1> and the dateline lead, dated and signed from the
 * page's metadata (JSON-LD NewsArticle, article:published_time, <time datetime>); navigation,
 * related-story lists, teasers, scripts and JSON blobs never become stories or text.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { resolveStories } from '../src/ages/index.js';
import { extract } from '../src/extract/index.js';
import type { Document } from '../src/model.js';
import { parseExtracted } from '../src/parse/index.js';

const FIXTURES = new URL('./fixtures/extract/article/', import.meta.url);
const NOW = new Date('2026-12-07T12:00:00Z');

async function read(name: string, url: string): Promise<Document> {
  return { sourceId: 'a', url, mediaType: 'text/html', text: await readFile(new URL(name, FIXTURES), 'utf8'), fetchedAt: NOW };
}

async function story(name: string, url = 'https://www.example.org/page') {
  const parsed = parseExtracted(extract(await read(name, url), { format: 'auto' }), { lang: 'auto' });
  const dated = resolveStories(parsed.stories, { now: NOW, timeZone: 'Europe/Amsterdam', lang: parsed.lang });
  return { parsed, dated: dated.stories };
}

describe('article pages', () => {
  it('JSON-LD NewsArticle: headline, authors, datePublished, canonical link, image; related lists, ads and script JSON left out', async () => {
    const { parsed, dated } = await story('en-jsonld.html');
    expect(parsed.layout).toBe('article page');
    expect(parsed.stories).toHaveLength(1);
    const s = dated[0]!;
    expect([s.headline, s.headlineDerived, s.place, s.agencies, s.author]).toEqual([
      'Port workers walk out over pay talks', false, 'ANTWERP', ['WND'], 'Hannah Moreau, Tomasz Wilk',
    ]);
    expect([s.publishedEarliest?.toISOString(), s.publishedLatest.toISOString()]).toEqual(['2026-11-19T00:21:00.000Z', '2026-11-19T00:21:00.000Z']);
    expect(s.link).toBe('https://www.worldnewsdesk.example/world/europe/port-workers-walk-out-2026-11-19/');
    expect(s.image).toBe('https://img.worldnewsdesk.example/port-walkout-800.jpg');
    expect(s.body).toEqual([
      "ANTWERP, Belgium (WND) - Dock workers at Europe's second-largest port stopped work on Wednesday after talks over a new wage deal broke down late on Tuesday, a union spokesperson said.",
      'The walkout is set to last 24 hours and could delay dozens of container ships, according to the port authority.',
      'Employers said they had offered a rise above inflation and called the strike "out of proportion".',
      'Talks are scheduled to resume on Friday.',
    ]);
  });

  it('Open Graph and article:published_time: the <h1> inside the article header, the meta author, a link paragraph left out', async () => {
    const { parsed, dated } = await story('de-og.html');
    expect(parsed.layout).toBe('article page');
    const s = dated[0]!;
    expect([s.headline, s.place, s.agencies, s.author, s.link, s.image]).toEqual([
      'Sturmtief sorgt für Ausfälle im Bahnverkehr', 'Berlin', ['dpa'], 'dpa', 'https://www.nachrichten-beispiel.de/panorama/sturmtief-bahn-100.html', null,
    ]);
    expect([s.publishedEarliest?.toISOString(), s.publishedLatest.toISOString()]).toEqual(['2026-12-07T09:01:00.000Z', '2026-12-07T09:01:00.000Z']);
    expect(s.body).toEqual([
      'Berlin (dpa) - Ein Sturmtief hat am Sonntag im Westen und Süden Deutschlands den Bahnverkehr auf mehreren Strecken zum Erliegen gebracht.',
      'Umgestürzte Bäume blockierten nach Angaben der Bahn zahlreiche Gleise.',
      'Reisende sollten sich vor Fahrtantritt informieren, hieß es.',
    ]);
  });

  it('broken JSON-LD is no metadata: dated by <time datetime>, linked to the page itself, no author', async () => {
    const { parsed, dated } = await story('fr-time.html', 'https://www.quotidien-exemple.fr/monde/colombie-pluies');
    expect(parsed.layout).toBe('article page');
    const s = dated[0]!;
    expect([s.headline, s.place, s.agencies, s.author, s.link]).toEqual([
      'Colombie : des pluies torrentielles font des dégâts', 'Bogotá', ['AFP'], null, 'https://www.quotidien-exemple.fr/monde/colombie-pluies',
    ]);
    expect([s.publishedEarliest?.toISOString(), s.publishedLatest.toISOString()]).toEqual(['2026-12-07T07:32:00.000Z', '2026-12-07T07:32:00.000Z']);
    expect(s.body).toHaveLength(2);
  });

  it('a listing whose metadata says article is read as the listing it is', async () => {
    const listing = await readFile(new URL('../blocks/en-article-cards.html', FIXTURES), 'utf8');
    const html = listing.replace('<meta property="og:type" content="website">', '<meta property="og:type" content="article">');
    expect(html).not.toBe(listing);
    const parsed = parseExtracted(extract({ sourceId: 'a', url: 'https://x.example/', mediaType: 'text/html', text: html, fetchedAt: NOW }, { format: 'auto' }), { lang: 'en' });
    expect([parsed.layout, parsed.stories.length]).toEqual(['repeated blocks at #content > div.card-grid > article.card', 6]);
  });

  it('a page without article metadata is read as lines, as before', () => {
    const html = '<h1>Nieuws</h1><h2>Kop van het bericht hier</h2><p>ROME (ANP) - Tekst van het bericht.</p>';
    const parsed = parseExtracted(extract({ sourceId: 'a', url: 'https://x.example/', mediaType: 'text/html', text: html, fetchedAt: NOW }, { format: 'auto' }), { lang: 'nl' });
    expect([parsed.layout, parsed.stories.map((s) => s.headline)]).toEqual(['text grammar: headline · dateline lead · body (ages trail)', ['Kop van het bericht hier']]);
  });
});
