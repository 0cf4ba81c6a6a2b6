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
import { feedUrls, renderFeed } from '../src/render/index.js';
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
const files = {} as Record<FeedFormat, string>;
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
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

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
    expect(feed.items.map((i) => i.date_published)).toEqual(NL_ENTRIES.map((e) => e.published.toISOString().replace('.000', '')));
    expect(feed.items.map((i) => i.date_modified)).toEqual(NL_ENTRIES.map((e) => e.updated.toISOString().replace('.000', '')));
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
  // OPML: tests/render-pages.test.ts.
  it('xmllint --noout passes for Atom and RSS', async () => {
    expect(await wellFormedErrors([files.atom, files.rss])).toEqual([]);
  });
});

describe('edge cases', () => {
  const base = 'http://127.0.0.1:8080';
  const empty: FeedView = {
    id: 'empty',
    title: '',
    language: 'en',
    alternateUrl: 'https://example.org/',
    baseUrl: base,
    updated: new Date(0),
    hub: null,
    entries: [],
  };

  it('an empty feed with no title is still valid Atom, RSS and JSON Feed', async () => {
    const atom = join(dir, 'empty.atom');
    const rss = join(dir, 'empty.rss');
    await writeFile(atom, renderFeed(empty, 'atom'));
    await writeFile(rss, renderFeed(empty, 'rss'));
    expect(await wellFormedErrors([atom, rss])).toEqual([]);
    expect(await atomErrors([atom])).toEqual([]);
    for (const file of [atom, rss]) {
      const parsed = await parseWithFeedparser(file);
      expect([parsed.bozo, parsed.entries.length, parsed.feed.updated]).toEqual([false, 0, '1970-01-01T00:00:00Z']);
    }
    expect(parseJsonFeed(renderFeed(empty, 'json'))).toEqual({
      version: 'https://jsonfeed.org/version/1.1',
      title: '',
      home_page_url: 'https://example.org/',
      feed_url: `${base}/feeds/empty.json`,
      language: 'en',
      authors: [{ name: 'wirefeed' }],
      items: [],
    });
  });

  it('strips control characters from feed-level text too', async () => {
    const dirty: FeedView = { ...empty, title: 'A\u0000B\u001F\uFFFEC\uD800', language: 'nl\u0007', entries: [{ ...NL_ENTRIES[0]!, author: 'AN\u0001P', category: 'Bui\u000Btenland' }] };
    const file = join(dir, 'dirty.atom');
    await writeFile(file, renderFeed(dirty, 'atom'));
    expect(await wellFormedErrors([file])).toEqual([]);
    const parsed = await parseWithFeedparser(file);
    expect([parsed.feed.title, parsed.feed.language, parsed.feed.author, parsed.entries[0]?.author, parsed.entries[0]?.tags]).toEqual([
      'ABC',
      'nl',
      'ABC',
      'ANP',
      ['Buitenland'],
    ]);
    expect(JSON.parse(renderFeed(dirty, 'json'))).toMatchObject({ title: 'ABC', language: 'nl', items: [{ authors: [{ name: 'ANP' }], tags: ['Buitenland'] }] });
  });

  it('writes no hub link when no hub is set', () => {
    for (const format of XML_FORMATS) expect(renderFeed(empty, format)).not.toContain('rel="hub"');
  });

  it('refuses an entry id that is no URI in normal form, naming it', () => {
    // The last two are a uuid URN but for an upper-case scheme and a trailing newline, which the
    // URL parser would rewrite: the fast path for entryUri's form must not let them through.
    const UUID = '00000000-0000-4000-8000-000000000001';
    for (const id of ['story-1', 'HTTP://Example.org/a', 'urn:uuid:\u0008x', `URN:uuid:${UUID}`, `urn:uuid:${UUID}\n`]) {
      const bad: FeedView = { ...empty, entries: [{ ...NL_ENTRIES[0]!, id }] };
      for (const format of FORMATS) {
        expect(() => renderFeed(bad, format)).toThrow(expect.objectContaining({ name: 'WirefeedError', stage: 'render', code: 'E_BAD_ID' }));
      }
    }
  });
});
