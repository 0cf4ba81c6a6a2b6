/**
 * The render stage read back by real clients: feedparser, newsboat, xmllint, jing. A feed with the
 * wire fixture's stories and hostile entries must reach every client exactly as written (minus
 * the control character), and every format must be valid.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedFormat, FeedView } from '../src/model.js';
import { feedUrls, renderFeed, renderIndex, renderOpml, type IndexPage } from '../src/render/index.js';
import { parseWithFeedparser } from './clients/feedparser.js';
import { paragraphsOf } from './clients/html-text.js';
import { readWithNewsboat } from './clients/newsboat.js';
import { startStaticServer, type StaticServer } from './clients/static-server.js';
import { parseJsonFeed } from './clients/jsonfeed.js';
import { atomErrors, wellFormedErrors } from './clients/xml.js';
import { expectedText, NL_ENTRIES, nlFeedView } from './fixtures/render/nl-view.js';

const CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};
const FORMATS: FeedFormat[] = ['atom', 'rss', 'json'];

let server: StaticServer;
let dir: string;
let view: FeedView;
const rendered = {} as Record<FeedFormat, string>;
const files = {} as Record<FeedFormat | 'opml', string>;
let urls: Record<FeedFormat, string>;

beforeAll(async () => {
  server = await startStaticServer();
  dir = await mkdtemp(join(tmpdir(), 'wirefeed-render-'));
  const baseUrl = server.url('');
  view = nlFeedView(baseUrl, 'https://hub.example.org/websub');
  urls = feedUrls(baseUrl, view.id);
  for (const format of FORMATS) {
    rendered[format] = renderFeed(view, format);
    server.set(new URL(urls[format]).pathname, { body: rendered[format], contentType: CONTENT_TYPES[format] });
    files[format] = join(dir, `feed.${format}`);
    await writeFile(files[format], rendered[format]);
  }
  files.opml = join(dir, 'feeds.opml');
  await writeFile(files.opml, renderOpml(indexPage(baseUrl)));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function indexPage(baseUrl: string): IndexPage {
  return {
    title: 'wirefeed <test> & co',
    baseUrl,
    version: '0.1.0',
    generatedAt: new Date('2026-01-21T10:15:00Z'),
    feeds: [
      {
        id: 'nl-buitenland',
        title: 'ANP Buitenland & "wereld" <script>alert(1)</script>',
        kind: 'source',
        urls: feedUrls(baseUrl, 'nl-buitenland'),
        htmlUrl: 'https://www.example.nl/nieuws/buitenland',
        status: { lastFetch: '2026-01-21T10:10:00.000Z', lastError: null, stories: 6 },
      },
      {
        id: 'world',
        title: "All 'world' news",
        kind: 'feed',
        urls: feedUrls(baseUrl, 'world'),
        htmlUrl: 'javascript:alert(1)',
        status: { lastFetch: null, lastError: 'fetch: E_HTTP_STATUS: <b>503</b> & down', stories: 0 },
      },
    ],
  };
}

const XML_FORMATS = ['atom', 'rss'] as const;

describe('feedparser reads Atom and RSS exactly', () => {
  for (const format of XML_FORMATS) {
    it(`${format}`, async () => {
      const parsed = await parseWithFeedparser(urls[format]);
      expect(parsed.bozo_exception).toBe(null);
      expect(parsed.bozo).toBe(false);
      expect(parsed.feed.title).toBe('ANP Buitenland & "wereld"');
      expect(parsed.entries.map((e) => e.id)).toEqual(NL_ENTRIES.map((e) => e.id));
      expect(parsed.entries.map((e) => e.title)).toEqual(NL_ENTRIES.map((e) => expectedText(e.title)));
      expect(parsed.entries.map((e) => e.link)).toEqual(NL_ENTRIES.map((e) => e.link));
      expect(parsed.entries.map((e) => e.published)).toEqual(NL_ENTRIES.map((e) => e.published.toISOString().replace('.000', '')));
      expect(parsed.entries.map((e) => e.author)).toEqual(NL_ENTRIES.map((e) => e.author));
      expect(parsed.entries.map((e) => e.tags)).toEqual(NL_ENTRIES.map((e) => (e.category === null ? [] : [e.category])));
      expect(parsed.entries.map((e) => paragraphsOf(e.content ?? ''))).toEqual(NL_ENTRIES.map((e) => e.body.map(expectedText)));
      expect(parsed.entries.map((e) => paragraphsOf(e.summary ?? ''))).toEqual(NL_ENTRIES.map((e) => [expectedText(e.summary)]));
      expect(parsed.feed.language).toBe('nl');
      expect(parsed.feed.generator).toBe('wirefeed');
      expect(parsed.feed.updated).toBe('2026-01-21T10:10:00Z');
      expect(parsed.feed.links.map((l) => [l.rel, l.href])).toEqual([
        ['alternate', 'https://www.example.nl/nieuws/buitenland'],
        ['self', urls[format]],
        ['hub', 'https://hub.example.org/websub'],
      ]);
    });
  }
});

describe('JSON Feed 1.1', () => {
  it('parses, passes the spec schema, and carries every entry exactly', () => {
    const feed = parseJsonFeed(rendered.json);
    expect(feed.title).toBe('ANP Buitenland & "wereld"');
    expect(feed.feed_url).toBe(urls.json);
    expect(feed.home_page_url).toBe('https://www.example.nl/nieuws/buitenland');
    expect(feed.language).toBe('nl');
    expect(feed.authors).toEqual([{ name: 'ANP Buitenland & "wereld"' }]);
    expect(feed.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example.org/websub' }]);
    expect(feed.items.map((i) => i.id)).toEqual(NL_ENTRIES.map((e) => e.id));
    expect(feed.items.map((i) => i.title)).toEqual(NL_ENTRIES.map((e) => expectedText(e.title)));
    expect(feed.items.map((i) => i.url)).toEqual(NL_ENTRIES.map((e) => e.link));
    expect(feed.items.map((i) => i.summary)).toEqual(NL_ENTRIES.map((e) => expectedText(e.summary)));
    expect(feed.items.map((i) => i.date_published)).toEqual(NL_ENTRIES.map((e) => e.published.toISOString()));
    expect(feed.items.map((i) => i.date_modified)).toEqual(NL_ENTRIES.map((e) => e.updated.toISOString()));
    expect(feed.items.map((i) => i.authors)).toEqual(NL_ENTRIES.map((e) => [{ name: e.author }]));
    expect(feed.items.map((i) => i.tags)).toEqual(NL_ENTRIES.map((e) => (e.category === null ? undefined : [e.category])));
    expect(feed.items.map((i) => paragraphsOf(i.content_html ?? ''))).toEqual(NL_ENTRIES.map((e) => e.body.map(expectedText)));
  });

  it('leaves hubs out when no hub is set', () => {
    expect(Object.keys(parseJsonFeed(renderFeed({ ...view, hub: null }, 'json')))).not.toContain('hubs');
  });
});

// newsboat 2.21 (Debian) does not read JSON Feed ("XML root node is NULL"): Atom and RSS only.
// One run per format: newsboat keys items by guid across feeds, and both formats share the ids.
describe('newsboat reads Atom and RSS exactly', () => {
  for (const format of XML_FORMATS) {
    it(`${format}: exact titles, links, dates, authors and content`, async () => {
      const result = await readWithNewsboat([urls[format]]);
      expect(result.feeds).toEqual([{ rssurl: urls[format], url: 'https://www.example.nl/nieuws/buitenland', title: 'ANP Buitenland & "wereld"' }]);
      const items = [...result.items].sort((a, b) => a.guid.localeCompare(b.guid));
      expect(items.map((i) => i.guid)).toEqual(NL_ENTRIES.map((e) => e.id));
      expect(items.map((i) => i.feedurl)).toEqual(NL_ENTRIES.map(() => urls[format]));
      expect(items.map((i) => i.title)).toEqual(NL_ENTRIES.map((e) => expectedText(e.title)));
      expect(items.map((i) => i.url)).toEqual(NL_ENTRIES.map((e) => e.link));
      expect(items.map((i) => i.pubDate)).toEqual(NL_ENTRIES.map((e) => e.published.getTime() / 1000));
      expect(items.map((i) => i.author)).toEqual(NL_ENTRIES.map((e) => e.author));
      expect(items.map((i) => paragraphsOf(i.content))).toEqual(NL_ENTRIES.map((e) => e.body.map(expectedText)));
    });
  }
});

describe('XML validity', () => {
  it('Atom validates against RFC 4287 (RELAX NG) and its Schematron rules', async () => {
    expect(await atomErrors([files.atom])).toEqual([]);
  });
  it('xmllint --noout passes for Atom, RSS and OPML', async () => {
    expect(await wellFormedErrors([files.atom, files.rss, files.opml])).toEqual([]);
  });
});
