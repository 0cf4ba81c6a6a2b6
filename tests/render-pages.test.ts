/**
 * The OPML list and the HTML index page: well-formed, every feed present with its links, every
 * piece of text escaped, no external assets.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedUrls, renderIndex, renderOpml, type IndexPage } from '../src/render/index.js';
import { wellFormedErrors } from './clients/xml.js';

const BASE = 'https://feeds.example.org/wire';
const HOSTILE_TITLE = 'ANP Buitenland & "wereld" <script>alert(1)</script>';

const PAGE: IndexPage = {
  title: 'wirefeed <test> & co',
  baseUrl: BASE,
  version: '0.1.0',
  generatedAt: new Date('2026-01-21T10:15:00Z'),
  feeds: [
    {
      id: 'nl-buitenland',
      title: HOSTILE_TITLE,
      kind: 'source',
      urls: feedUrls(BASE, 'nl-buitenland'),
      htmlUrl: 'https://www.example.nl/nieuws/buitenland?a=1&b=2',
      status: { lastFetch: '2026-01-21T10:10:00.000Z', lastError: null, stories: 6 },
    },
    {
      id: 'world',
      title: "All 'world' news \u0008🚀",
      kind: 'feed',
      urls: feedUrls(BASE, 'world'),
      htmlUrl: 'javascript:alert(1)',
      status: { lastFetch: null, lastError: 'fetch: E_HTTP_STATUS: <b>503</b> & "down"', stories: 0 },
    },
  ],
};
const TITLES = [HOSTILE_TITLE, "All 'world' news 🚀"];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirefeed-pages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderOpml', () => {
  it('is well-formed OPML 2.0 with one exact outline per feed', async () => {
    const opml = renderOpml(PAGE);
    const file = join(dir, 'feeds.opml');
    await writeFile(file, opml);
    expect(await wellFormedErrors([file])).toEqual([]);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, isArray: (name) => name === 'outline' }).parse(opml);
    expect(doc.opml.version).toBe('2.0');
    expect(doc.opml.head).toEqual({ title: 'wirefeed <test> & co', dateCreated: 'Wed, 21 Jan 2026 10:15:00 GMT', docs: 'http://opml.org/spec2.opml' });
    expect(doc.opml.body.outline).toEqual([
      { type: 'rss', text: TITLES[0], title: TITLES[0], xmlUrl: `${BASE}/feeds/nl-buitenland.atom`, htmlUrl: 'https://www.example.nl/nieuws/buitenland?a=1&b=2' },
      { type: 'rss', text: TITLES[1], title: TITLES[1], xmlUrl: `${BASE}/feeds/world.atom`, htmlUrl: 'javascript:alert(1)' },
    ]);
  });
});

describe('renderIndex', () => {
  const html = renderIndex(PAGE);
  const $ = cheerio.load(html);

  it('is a phone-readable HTML5 page with no scripts and no external assets', () => {
    expect(html.startsWith('<!doctype html>\n')).toBe(true);
    expect($('meta[name=viewport]').attr('content')).toBe('width=device-width, initial-scale=1');
    expect($('meta[charset]').attr('charset')).toBe('utf-8');
    expect($('script').length).toBe(0);
    expect(html).not.toMatch(/<script/i);
    expect($('[src]').length).toBe(0);
    expect($('link[rel=stylesheet]').length).toBe(0);
    expect($('style').length).toBe(1);
    expect($('title').text()).toBe('wirefeed <test> & co');
    expect($('h1').text()).toBe('wirefeed <test> & co');
  });

  it('announces every feed in every format for autodiscovery', () => {
    const alternates = $('head link[rel=alternate]')
      .toArray()
      .map((el) => [$(el).attr('type'), $(el).attr('title'), $(el).attr('href')]);
    expect(alternates).toEqual([
      ...PAGE.feeds.flatMap((f, i) => [
        ['application/atom+xml', `${TITLES[i]} (Atom)`, f.urls.atom],
        ['application/rss+xml', `${TITLES[i]} (RSS)`, f.urls.rss],
        ['application/feed+json', `${TITLES[i]} (JSON Feed)`, f.urls.json],
      ]),
      ['text/x-opml', 'All feeds (OPML)', `${BASE}/feeds.opml`],
    ]);
  });

  it('lists every feed with its title, links and status, all text escaped', () => {
    const cards = $('section.feed').toArray().map((el) => $(el));
    expect(cards.map((c) => c.attr('data-feed'))).toEqual(['nl-buitenland', 'world']);
    expect(cards.map((c) => c.find('h2').text())).toEqual([`${TITLES[0]} source`, `${TITLES[1]} feed`]);
    expect(cards.map((c) => c.find('.links a').toArray().map((a) => [$(a).text(), $(a).attr('href')]))).toEqual(
      PAGE.feeds.map((f) => [
        ['Atom', f.urls.atom],
        ['RSS', f.urls.rss],
        ['JSON Feed', f.urls.json],
      ]),
    );
    expect(cards.map((c) => c.find('dd').toArray().map((dd) => $(dd).text()))).toEqual([
      ['2026-01-21T10:10:00.000Z', 'none', '6'],
      ['never', 'fetch: E_HTTP_STATUS: <b>503</b> & "down"', '0'],
    ]);
  });

  it('links the source page only when it is http(s)', () => {
    const heads = $('section.feed h2').toArray().map((el) => $(el).find('a').attr('href') ?? null);
    expect(heads).toEqual(['https://www.example.nl/nieuws/buitenland?a=1&b=2', null]);
    expect($('a[href^="javascript:"]').length).toBe(0);
  });

  it('says so when there are no feeds', () => {
    expect(cheerio.load(renderIndex({ ...PAGE, feeds: [] }))('main').text().trim()).toBe('No feeds configured.');
  });
});
