/**
 * The daemon's own feeds, built from the fixture, read over HTTP by real readers (feedparser,
 * newsboat), validated (jing, xmllint), stable across restart and reload, and the index page
 * opened in headless Chromium.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWithFeedparser } from './clients/feedparser.js';
import { readWithNewsboat } from './clients/newsboat.js';
import { atomErrors, wellFormedErrors } from './clients/xml.js';
import { parseJsonFeed } from './clients/jsonfeed.js';
import { startDaemon, writeConfig, type TestDaemon } from './helpers/daemon.js';
import { startFaultSite, textPage, wireHeadlines, wirePage } from './helpers/faults.js';

const FIX = join(import.meta.dirname, 'fixtures');
/** Screenshots and other files a person may want to look at after a run (kept, not checked in). */
const OUTPUT = process.env['WIREFEED_TEST_OUTPUT'] ?? join(import.meta.dirname, 'output');
const T0 = new Date('2026-11-28T12:00:00Z');

const HEADLINES = [
  'VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000',
  'De Israëlische premier Benjamin Netanyahu heeft een uitnodiging geaccepteerd om deel te nemen aan de Raad van Vrede.',
  'De Zuid-Koreaanse oud-premier Han Duck-soo heeft 23 jaar gevangenisstraf gekregen in een zaak rond de militaire noodtoestand van 2024.',
  'De man die in 2022 de Japanse oud-premier Shinzo Abe vermoordde, is veroordeeld tot een levenslange gevangenisstraf.',
  'De Braziliaanse regering heeft Elon Musks bedrijf xAI dertig dagen de tijd gegeven om te voorkomen dat chatbot Grok seksueel getinte nepbeelden verspreidt.',
  'De machinist van de forensentrein die dinsdag in de omgeving van Barcelona op een omgevallen muur botste, is overleden.',
  'De NAVO is veel sterker dan een jaar geleden en dat komt volgens de Amerikaanse president Donald Trump door zijn beleid.',
  'Donald Trump is niet geïnteresseerd om af te reizen naar Parijs voor een bijeenkomst van de G7.',
];
const PUBLISHED = ['2026-11-28T12:00:00Z', '2026-11-28T11:56:00Z', '2026-11-28T11:45:00Z', '2026-11-28T11:00:00Z', '2026-11-28T07:00:00Z', '2026-11-28T07:00:00Z', '2026-11-28T03:00:00Z', '2026-11-28T03:00:00Z'];

const YAML = `
server: { host: 127.0.0.1, port: 0 }
state: { dir: ./state }
sources:
  - { id: anp, title: ANP Buitenland, path: anp.txt, lang: nl }
feeds:
  - { id: wereld, title: "Wereld & Oorlog", sources: [anp], include: [Noord-Korea, Trump] }
`;

let dir: string;
let d: TestDaemon;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirefeed-e2e-'));
  await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'anp.txt'));
  d = await startDaemon(dir, YAML, { now: () => T0 });
  await d.app.settled;
});

afterAll(async () => {
  await d.app.stop(1000);
  await rm(dir, { recursive: true, force: true });
});

/** Entries as (title, published) pairs sorted the way a reader lists them. */
function byTitle<T extends { title: string | null }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.title ?? '').localeCompare(b.title ?? ''));
}

describe('feeds from the fixture, read by real clients', () => {
  it('feedparser reads Atom and RSS without bozo, every entry dated, titles exactly the headlines', async () => {
    for (const ext of ['atom', 'rss']) {
      const parsed = await parseWithFeedparser(`${d.app.url}/feeds/anp.${ext}`);
      expect(parsed.bozo, `${ext}: ${parsed.bozo_exception}`).toBe(false);
      expect(parsed.feed.title).toBe('ANP Buitenland');
      expect(parsed.feed.language).toBe('nl');
      const pairs = parsed.entries.map((e) => [e.title, e.published]);
      expect(byTitle(pairs.map(([title, published]) => ({ title, published })))).toEqual(
        byTitle(HEADLINES.map((title, i) => ({ title, published: PUBLISHED[i] ?? null }))),
      );
      expect(parsed.entries.every((e) => e.id?.startsWith('urn:uuid:'))).toBe(true);
      expect(parsed.entries.find((e) => e.title === HEADLINES[0])?.author).toBe('ANP/AFP');
      expect(parsed.entries.find((e) => e.title === HEADLINES[1])?.tags).toEqual(['Buitenland']);
    }
  });

  it('newsboat stores the exact titles, links and dates', async () => {
    for (const ext of ['atom', 'rss']) {
      const url = `${d.app.url}/feeds/anp.${ext}`;
      const { items } = await readWithNewsboat([url]);
      expect(byTitle(items).map((i) => [i.title, new Date(i.pubDate * 1000).toISOString().replace('.000', '')])).toEqual(
        byTitle(HEADLINES.map((title, i) => ({ title, p: PUBLISHED[i] }))).map((x) => [x.title, x.p]),
      );
      // A path source has no page of its own: entries link to the wirefeed index.
      expect(new Set(items.map((i) => i.url))).toEqual(new Set([`${d.app.url}/`]));
    }
  });

  it('validates: Atom against RFC 4287 and its rules, XML well-formed, JSON Feed 1.1', async () => {
    const files: Record<string, string> = {};
    const tmp = await mkdtemp(join(tmpdir(), 'wirefeed-xml-'));
    try {
      for (const path of ['/feeds/anp.atom', '/feeds/anp.rss', '/feeds/wereld.atom', '/feeds/wereld.rss', '/feeds.opml']) {
        const res = await request(`${d.app.url}${path}`);
        const file = join(tmp, path.replace(/\//g, '_'));
        await writeFile(file, await res.body.text());
        files[path] = file;
      }
      expect(await atomErrors([files['/feeds/anp.atom']!, files['/feeds/wereld.atom']!])).toEqual([]);
      expect(await wellFormedErrors(Object.values(files))).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const json = parseJsonFeed(await (await request(`${d.app.url}/feeds/anp.json`)).body.text());
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((i) => i.title).sort()).toEqual([...HEADLINES].sort());
  });

  it('a combined feed keeps only the stories with its words', async () => {
    const parsed = await parseWithFeedparser(`${d.app.url}/feeds/wereld.atom`);
    expect(parsed.feed.title).toBe('Wereld & Oorlog');
    expect(parsed.entries.map((e) => e.title).sort()).toEqual([HEADLINES[0], HEADLINES[6], HEADLINES[7]].sort());
  });
});

describe('ids', () => {
  it('stay the same across a restart and a config reload', async () => {
    const ids = async (url: string) => (await parseWithFeedparser(`${url}/feeds/anp.atom`)).entries.map((e) => `${e.id} ${e.title}`).sort();
    const before = await ids(d.app.url);
    const other = await mkdtemp(join(tmpdir(), 'wirefeed-e2e2-'));
    try {
      await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(other, 'anp.txt'));
      // Same page, another state directory, another day: ids come from the text alone.
      const second = await startDaemon(other, YAML, { now: () => new Date('2026-12-01T08:00:00Z') });
      await second.app.settled;
      expect(await ids(second.app.url)).toEqual(before);
      await second.app.reload(await writeConfig(other, YAML.replace('ANP Buitenland', 'ANP Buitenland (herladen)')));
      expect(await ids(second.app.url)).toEqual(before);
      expect((await parseWithFeedparser(`${second.app.url}/feeds/anp.atom`)).feed.title).toBe('ANP Buitenland (herladen)');
      await second.app.stop(1000);
      const third = await startDaemon(other, YAML, { now: () => new Date('2026-12-02T08:00:00Z') });
      expect(await ids(third.app.url)).toEqual(before);
      await third.app.stop(1000);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('index page in headless Chromium', () => {
  it('lists every feed, its links work, and the discovery links are there', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const res = await page.goto(`${d.app.url}/`);
      expect(res?.status()).toBe(200);
      const alternates = await page.$$eval('link[rel="alternate"]', (ls) => ls.map((l) => [l.getAttribute('type'), l.getAttribute('href')]));
      for (const id of ['anp', 'wereld']) {
        expect(alternates).toContainEqual(['application/atom+xml', `${d.app.url}/feeds/${id}.atom`]);
      }
      // Each card counts what its feed holds: the combined feed only its three matching stories.
      expect(await page.innerText('section[data-feed="anp"] dl')).toMatch(/Stories\s+8/);
      expect(await page.innerText('section[data-feed="wereld"] dl')).toMatch(/Stories\s+3/);
      const text = await page.innerText('body');
      expect(text).toContain('ANP Buitenland');
      expect(text).toContain('Wereld & Oorlog');
      const hrefs = (await page.$$eval('a[href*="/feeds/"]', (as) => as.map((a) => a.getAttribute('href') ?? ''))).map((h) => new URL(h, `${d.app.url}/`).href);
      expect(hrefs.length).toBeGreaterThanOrEqual(6);
      for (const href of hrefs) {
        expect(href.startsWith(`${d.app.url}/feeds/`)).toBe(true);
        const r = await page.request.get(href);
        expect(r.status(), href).toBe(200);
      }
      // Readable on a phone: nothing wider than the screen.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    } finally {
      await browser.close();
    }
  });
});

describe("the operator's index page in headless Chromium", () => {
  const API_KEY = 'PARTNER-API-KEY-123';
  const CHROMIUM = {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  };

  /** Width and height from a PNG's IHDR chunk. */
  async function pngSize(file: string): Promise<[number, number]> {
    const png = await readFile(file);
    return [png.readUInt32BE(16), png.readUInt32BE(20)];
  }

  it('shows three headlines per feed, one chart per source, no private source, at desktop and phone width, without JavaScript', async () => {
    const site = await startFaultSite({ web: textPage(wirePage('Delft')) });
    const home = await mkdtemp(join(tmpdir(), 'wirefeed-index-'));
    const browser = await chromium.launch(CHROMIUM);
    let daemon: TestDaemon | null = null;
    try {
      await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(home, 'anp.txt'));
      daemon = await startDaemon(
        home,
        `
server: { host: 127.0.0.1, port: 0 }
state: { dir: ./state }
sources:
  - { id: anp, title: ANP Buitenland, path: anp.txt, lang: nl }
  - { id: web, title: Delfts Nieuws, url: "${site.url}/web", lang: nl }
  - { id: partner, title: Partner desk, url: "${site.url}/nothere?apikey=${API_KEY}", lang: nl, token: Partner-token_0123456789abcdef }
feeds:
  - { id: alles, title: Alles, sources: [anp, partner] }
`,
        { now: () => T0 },
      );
      await daemon.app.settled;
      const url = `${daemon.app.url}/`;
      await mkdir(OUTPUT, { recursive: true });

      const shots: [string, { width: number; height: number }, 'light' | 'dark'][] = [
        ['index-desktop.png', { width: 1280, height: 900 }, 'light'],
        ['index-phone.png', { width: 390, height: 844 }, 'light'],
        ['index-phone-dark.png', { width: 390, height: 844 }, 'dark'],
      ];
      for (const [file, viewport, colorScheme] of shots) {
        // No JavaScript at all: the page must not need any.
        const context = await browser.newContext({ viewport, colorScheme, javaScriptEnabled: false });
        const page = await context.newPage();
        expect((await page.goto(url))?.status()).toBe(200);

        const html = await page.content();
        for (const secret of ['partner', API_KEY, 'nothere']) expect(html.toLowerCase(), secret).not.toContain(secret.toLowerCase());

        const cards = await page.$$eval('section.feed', (sections) =>
          sections.map((s) => ({
            id: s.getAttribute('data-feed'),
            titleLink: s.querySelector('h2 a')?.getAttribute('href') ?? null,
            headlines: [...s.querySelectorAll('.headlines li')].map((li) => {
              const time = li.querySelector('time');
              return [li.firstChild?.textContent?.trim(), time?.textContent, time?.getAttribute('title')];
            }),
            charts: s.querySelectorAll('svg').length,
            hours: s.querySelectorAll('svg g').length,
            error: s.querySelector('.error')?.textContent ?? null,
          })),
        );
        const anp = [
          [HEADLINES[0], 'just now', '28 Nov 2026, 13:00 CET'],
          [HEADLINES[1], '4 min ago', '28 Nov 2026, 12:56 CET'],
          [HEADLINES[2], '15 min ago', '28 Nov 2026, 12:45 CET'],
        ];
        const web = wireHeadlines('Delft');
        expect(cards).toEqual([
          { id: 'anp', titleLink: null, headlines: anp, charts: 1, hours: 48, error: null },
          {
            id: 'web',
            titleLink: `${site.url}/web`,
            headlines: [
              [web[0], 'just now', '28 Nov 2026, 13:00 CET'],
              [web[1], '4 min ago', '28 Nov 2026, 12:56 CET'],
              [web[2], '15 min ago', '28 Nov 2026, 12:45 CET'],
            ],
            charts: 1,
            hours: 48,
            error: null,
          },
          // The public combined feed leaves its private source out, its failure included.
          { id: 'alles', titleLink: null, headlines: anp, charts: 0, hours: 0, error: null },
        ]);
        // This hour's stories and fetch are in the last column of each chart.
        expect(await page.$$eval('section.feed svg g:last-of-type title', (ts) => ts.map((t) => t.textContent))).toEqual([
          'Sat 13:00: 8 stories; fetches: 1 ok, 0 not modified, 0 failed',
          'Sat 13:00: 3 stories; fetches: 1 ok, 0 not modified, 0 failed',
        ]);

        // Readable on a phone: nothing wider than the screen, the charts scaled down to fit.
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
        const chartWidths = await page.$$eval('svg.activity', (svgs) => svgs.map((svg) => svg.getBoundingClientRect().width));
        expect(chartWidths.every((w) => w > 0 && w <= viewport.width)).toBe(true);

        // Pointing anywhere in an hour's column (even an empty one) reaches that hour's tooltip.
        const pointed = await page.evaluate<string | null>(`(() => {
          const r = document.querySelector('svg.activity').getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + 1, r.top + 2);
          return hit && hit.closest('g') ? hit.closest('g').querySelector('title').textContent : null;
        })()`);
        expect(pointed).toBe('Thu 14:00: 0 stories; fetches not recorded');

        const path = join(OUTPUT, file);
        await page.screenshot({ path, fullPage: true });
        expect((await pngSize(path))[0]).toBe(viewport.width);
        await context.close();
      }
    } finally {
      await browser.close();
      await daemon?.app.stop(1000);
      await site.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
