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
import { feedUrls, renderIndex, renderOpml, type Activity, type IndexPage } from '../src/render/index.js';
import { wellFormedErrors } from './clients/xml.js';

const BASE = 'https://feeds.example.org/wire';
const HOSTILE_TITLE = 'ANP Buitenland & "wereld" <script>alert(1)</script>';

/** 48 hours up to 2026-01-21 10:xx UTC; recording began at 07:40, in the 07:00 hour (index 44). */
const ACTIVITY: Activity = {
  from: '2026-01-19T11:00:00.000Z',
  recordedSince: '2026-01-21T07:40:00.000Z',
  stories: [2, ...Array<number>(45).fill(0), 4, 1],
  fetches: [
    ...Array<null>(44).fill(null),
    { ok: 0, notModified: 0, error: 0 },
    { ok: 3, notModified: 9, error: 0 },
    { ok: 1, notModified: 0, error: 2 },
    { ok: 0, notModified: 0, error: 3 },
  ],
};

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
      status: {
        lastFetch: '2026-01-21T10:10:00.000Z',
        lastError: null,
        stories: 6,
        headlines: [
          { title: 'Raket & "Japanse" <kust>', link: 'https://www.example.nl/a?x=1&y=2', published: '2026-01-21T10:14:30.000Z' },
          { title: 'Zonder link', link: null, published: '2026-01-21T09:03:00.000Z' },
          { title: 'Script link', link: 'javascript:alert(1)', published: '2026-01-18T08:00:00.000Z' },
          { title: 'Een vierde', link: null, published: '2026-01-17T08:00:00.000Z' },
        ],
        timeZone: 'Europe/Amsterdam',
        activity: ACTIVITY,
        fullText: { stored: 4, of: 6 },
      },
    },
    {
      id: 'world',
      title: "All 'world' news \u0008🚀",
      kind: 'feed',
      urls: feedUrls(BASE, 'world'),
      htmlUrl: 'javascript:alert(1)',
      status: { lastFetch: null, lastError: 'fetch: E_HTTP_STATUS: <b>503</b> & "down"', stories: 0, headlines: [], timeZone: 'America/New_York', activity: null, fullText: null },
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
    expect($('head > title').text()).toBe('wirefeed <test> & co');
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

  it('lists every feed with its title, links and status (a full-text source: how many stories have their article), all text escaped', () => {
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
      ['5 min ago', 'none', '6', '4 of 6 stories'],
      ['never', 'fetch: E_HTTP_STATUS: <b>503</b> & "down"', '0'],
    ]);
  });

  it('links the source page only when it is http(s)', () => {
    const heads = $('section.feed h2').toArray().map((el) => $(el).find('a').attr('href') ?? null);
    expect(heads).toEqual(['https://www.example.nl/nieuws/buitenland?a=1&b=2', null]);
    expect($('a[href^="javascript:"]').length).toBe(0);
  });

  it("lists each feed's newest three headlines with relative times and the exact time in its zone on hover", () => {
    const lists = $('section.feed').toArray().map((el) =>
      $(el)
        .find('.headlines li')
        .toArray()
        .map((li) => {
          const time = $(li).find('time');
          return [$(li).find('a').attr('href') ?? null, $(li).contents().first().text().trim(), time.attr('datetime'), time.attr('title'), time.text()];
        }),
    );
    expect(lists).toEqual([
      [
        ['https://www.example.nl/a?x=1&y=2', 'Raket & "Japanse" <kust>', '2026-01-21T10:14:30Z', '21 Jan 2026, 11:14 CET', 'just now'],
        [null, 'Zonder link', '2026-01-21T09:03:00Z', '21 Jan 2026, 10:03 CET', '1 h ago'],
        [null, 'Script link', '2026-01-18T08:00:00Z', '18 Jan 2026, 09:00 CET', '3 days ago'],
      ],
      [],
    ]);
    expect($('section[data-feed="world"] p.muted').text()).toBe('No stories yet.');
    expect($('section[data-feed="nl-buitenland"] dd time').attr('title')).toBe('21 Jan 2026, 11:10 CET');
  });

  it('never shows a raw ISO timestamp as text', () => {
    expect($('body').text()).not.toMatch(/\d{4}-\d\d-\d\dT\d\d/);
    expect($('footer time').attr('datetime')).toBe('2026-01-21T10:15:00Z');
    expect($('footer time').text()).toBe('21 Jan 2026, 10:15 UTC');
  });

  it('draws one inline SVG chart per source: 48 hours of story bars and fetch cells, each with a tooltip', () => {
    expect($('section[data-feed="world"] svg').length).toBe(0);
    const svg = $('section[data-feed="nl-buitenland"] svg');
    expect(svg.length).toBe(1);
    expect([svg.attr('viewBox'), svg.attr('width'), svg.attr('role'), svg.attr('aria-label')]).toEqual([
      '0 0 480 56',
      '100%',
      'img',
      `${TITLES[0]}, last 48 hours: 7 new stories; fetches: 4 ok, 9 not modified, 5 failed`,
    ]);
    const hours = svg.find('g').toArray().map((g) => $(g));
    expect(hours).toHaveLength(48);
    expect(hours.map((g) => g.find('title').text()).filter((_, k) => [0, 1, 44, 45, 46, 47].includes(k))).toEqual([
      'Mon 12:00: 2 stories; fetches not recorded',
      'Mon 13:00: 0 stories; fetches not recorded',
      'Wed 08:00: 0 stories; no fetch',
      'Wed 09:00: 0 stories; fetches: 3 ok, 9 not modified, 0 failed',
      'Wed 10:00: 4 stories; fetches: 1 ok, 0 not modified, 2 failed',
      'Wed 11:00: 1 story; fetches: 0 ok, 0 not modified, 3 failed',
    ]);
    expect(hours.map((g) => g.find('.bar').attr('height') ?? null).filter((h) => h !== null)).toEqual(['20', '40', '10']);
    expect(hours.map((g) => g.find('rect:not(.hit):not(.bar)').attr('class') ?? null).slice(43)).toEqual([null, 'none', 'ok', 'partial', 'fail']);
    expect(svg.parent().find('figcaption').text()).toBe(
      'New stories per hour and fetch results over the last 48 hours:okpartly failingfailingno fetch. Fetch results are kept in memory since the daemon started, 21 Jan 2026, 08:40 CET.',
    );
  });

  it('links a title only to a page of its own: not to the index itself', () => {
    const own = renderIndex({ ...PAGE, feeds: [{ ...PAGE.feeds[0]!, htmlUrl: `${BASE}/` }] });
    expect(cheerio.load(own)('section.feed h2 a').length).toBe(0);
  });

  it('says so when there are no feeds', () => {
    expect(cheerio.load(renderIndex({ ...PAGE, feeds: [] }))('main').text().trim()).toBe('No feeds configured.');
  });
});
