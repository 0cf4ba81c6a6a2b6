/**
 * Hostile input and curious readers through the whole daemon: markup, `]]>`, control
 * characters and script links from a source arrive in every feed as text; the server listens on
 * loopback unless told otherwise; private feeds stay out of every public listing and their
 * tokens out of the log. (Path traversal and slowloris against the server: tests/serve*.test.ts.)
 */
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { load } from 'cheerio';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { startDaemon, writeConfig } from './helpers/daemon.js';
import { startFaultSite, textPage, wirePage, type FaultSite } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { parseWithFeedparser } from './clients/feedparser.js';

async function site(routes: Parameters<typeof startFaultSite>[0]): Promise<FaultSite> {
  const s = await startFaultSite(routes);
  afterThisTest(() => s.close());
  return s;
}

// A plain-text page with markup, `]]>`, quotes, an ampersand and control characters in it.
const TEXT_HEADLINE = '<script>alert(1)</script> Storm ]]> treft "kust" & co';
const TEXT_PAGE = `${TEXT_HEADLINE}
VLISSINGEN (ANP) - Een <img src=x onerror=alert(1)> zware storm\u0007 heeft dinsdag ]]> de kust\u0001\u001b getroffen. Er vielen geen gewonden.
`;
const TEXT_BODY = 'VLISSINGEN (ANP) - Een <img src=x onerror=alert(1)> zware storm heeft dinsdag ]]> de kust getroffen. Er vielen geen gewonden.';

// An HTML page cut by selectors: escaped markup is text, a real <script> is dropped, and only
// the http(s) link survives.
const HTML_PAGE = `<!doctype html><html><body><ul>
<li class="item"><h3>&lt;img src=x onerror=alert(1)&gt; Brand ]]&gt; in haven</h3>
  <p>ROTTERDAM (ANP) - In de haven &lt;script&gt;alert(2)&lt;/script&gt; woedt een brand. <script>alert(3)</script>Niemand raakte gewond.</p>
  <a href="javascript:alert(1)">lees</a><span class="age">4 minuten geleden</span></li>
<li class="item"><h3>Tweede bericht met data-link</h3><p>UTRECHT (ANP) - Een tweede bericht.</p>
  <a href="data:text/html,&lt;script&gt;alert(4)&lt;/script&gt;">lees</a><span class="age">5 minuten geleden</span></li>
<li class="item"><h3>Derde bericht met echte link</h3><p>ARNHEM (ANP) - Een derde bericht.</p>
  <a href="https://example.org/nieuws/3?a=1&amp;b=2">lees</a><span class="age">6 minuten geleden</span></li>
</ul></body></html>`;

interface Expected {
  title: string;
  body: string;
  link: string | null;
}

const EXPECTED: Record<string, Expected[]> = {
  text: [{ title: TEXT_HEADLINE, body: TEXT_BODY, link: null }],
  html: [
    {
      title: '<img src=x onerror=alert(1)> Brand ]]> in haven',
      body: 'ROTTERDAM (ANP) - In de haven <script>alert(2)</script> woedt een brand. Niemand raakte gewond.',
      link: null,
    },
    { title: 'Tweede bericht met data-link', body: 'UTRECHT (ANP) - Een tweede bericht.', link: null },
    { title: 'Derde bericht met echte link', body: 'ARNHEM (ANP) - Een derde bericht.', link: 'https://example.org/nieuws/3?a=1&b=2' },
  ],
};

const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'entry' || name === 'item' || name === 'link' });

type Node = string | { '#text'?: string; '@_type'?: string; '@_href'?: string };
const textOf = (n: Node | undefined): string => (typeof n === 'string' ? n : (n?.['#text'] ?? ''));

/** HTML content of an entry: no element that runs or loads anything, and its text is the body. */
function checkHtml(html: string, body: string, where: string): void {
  const $ = load(html);
  expect($('script, img, iframe, object, embed, [onerror], [onload], [href^="javascript"]').length, where).toBe(0);
  expect($('p').text(), where).toBe(body);
}

describe('hostile text from a source', () => {
  it('arrives in Atom, RSS and JSON as text: no markup, no control characters, links only http(s)', async () => {
    const news = await site({ text: textPage(TEXT_PAGE), html: textPage(HTML_PAGE, 'text/html; charset=utf-8') });
    const { app } = await startDaemon(
      await tempDir(),
      `state: { dir: ./state }
sources:
  - { id: text, title: Tekst, url: ${news.url}/text, lang: nl }
  - id: html
    title: Html
    url: ${news.url}/html
    lang: nl
    selectors: { item: li.item, headline: h3, body: p, age: .age, link: a }
`,
    );
    afterThisTest(() => app.stop(1000));
    await app.settled;
    const page = (id: string) => `${news.url}/${id}`;

    for (const [id, expected] of Object.entries(EXPECTED)) {
      const sorted = [...expected].sort((a, b) => a.title.localeCompare(b.title));
      const byTitle = <T extends { title: string }>(list: T[]) => [...list].sort((a, b) => a.title.localeCompare(b.title));

      const atomText = await (await fetch(`${app.url}/feeds/${id}.atom`)).text();
      expect(XMLValidator.validate(atomText), `${id}.atom`).toBe(true);
      expect(atomText).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      const atom = (xml.parse(atomText) as { feed: { entry: { title: Node; content: Node; link: { '@_href': string }[] }[] } }).feed.entry;
      const atomEntries = byTitle(atom.map((e) => ({ title: textOf(e.title), type: typeof e.title === 'string' ? null : e.title['@_type'], e })));
      expect(atomEntries.map((e) => [e.title, e.type])).toEqual(sorted.map((x) => [x.title, 'text']));
      atomEntries.forEach((e, i) => {
        checkHtml(textOf(e.e.content), sorted[i]!.body, `${id}.atom content`);
        expect(e.e.link.map((l) => l['@_href'])).toEqual([sorted[i]!.link ?? page(id)]);
      });

      const rssText = await (await fetch(`${app.url}/feeds/${id}.rss`)).text();
      expect(XMLValidator.validate(rssText), `${id}.rss`).toBe(true);
      expect(rssText).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      const rss = (xml.parse(rssText) as { rss: { channel: { item: { title: string; description: string; 'content:encoded': string; link: string[] }[] } } }).rss.channel.item;
      byTitle(rss.map((it) => ({ ...it, title: String(it.title) }))).forEach((it, i) => {
        expect(it.title).toBe(sorted[i]!.title);
        checkHtml(it['content:encoded'], sorted[i]!.body, `${id}.rss content:encoded`);
        checkHtml(it.description, sorted[i]!.body, `${id}.rss description`);
        expect(it.link).toEqual([sorted[i]!.link ?? page(id)]);
      });

      const json = (await (await fetch(`${app.url}/feeds/${id}.json`)).json()) as { items: { title: string; url: string; content_html: string; summary: string }[] };
      byTitle(json.items).forEach((it, i) => {
        expect(it.title).toBe(sorted[i]!.title);
        expect(it.summary).toBe(sorted[i]!.body);
        checkHtml(it.content_html, sorted[i]!.body, `${id}.json content_html`);
        expect(it.url).toBe(sorted[i]!.link ?? page(id));
      });

      // A real reader's parser sees the same titles, as plain text.
      for (const ext of ['atom', 'rss']) {
        const parsed = await parseWithFeedparser(`${app.url}/feeds/${id}.${ext}`);
        expect(parsed.bozo, `${id}.${ext}: ${parsed.bozo_exception}`).toBe(false);
        expect(parsed.entries.map((e) => e.title).sort((a, b) => a!.localeCompare(b!))).toEqual(sorted.map((x) => x.title));
        for (const e of parsed.entries) expect(e.link).toMatch(/^https?:\/\//);
      }
    }
  });
});

describe('where the server listens', () => {
  it('server.host defaults to 127.0.0.1, and the daemon binds there', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, `sources:\n  - { id: alfa, title: Alfa, path: ./alfa.txt }\n`);
    expect([config.server.host, config.server.port, config.server.baseUrl]).toEqual(['127.0.0.1', 8080, 'http://127.0.0.1:8080']);
    const { app } = await startDaemon(dir, `state: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, path: ./alfa.txt }\n`);
    afterThisTest(() => app.stop(1000));
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

/** GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the daemon under a slowloris and hostile paths', () => {
  it('500 connections that never finish their headers do not stop a reader; odd paths are the plain 404', async () => {
    const dir = await tempDir();
    await writeFile(`${dir}/alfa.txt`, wirePage('alfa'));
    const { app } = await startDaemon(dir, `state: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, path: ./alfa.txt, lang: nl }\n`);
    afterThisTest(() => app.stop(1000));
    await app.settled;
    const { port } = new URL(app.url);
    const loris: Socket[] = await Promise.all(
      Array.from(
        { length: 500 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const sock = connect(Number(port), '127.0.0.1', () => {
              sock.write('GET /feeds/alfa.atom HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
              resolve(sock);
            });
            // The server may end them (headers timeout) while the test runs: that is its job.
            sock.on('error', () => sock.destroy());
            sock.once('error', reject);
          }),
      ),
    );
    afterThisTest(async () => {
      for (const s of loris) s.destroy();
    });
    const feed = await fetch(`${app.url}/feeds/alfa.json`);
    expect(feed.status).toBe(200);
    expect(((await feed.json()) as { items: unknown[] }).items).toHaveLength(3);
    for (const path of ['/feeds/../../etc/passwd', '/feeds/..%2f..%2fetc%2fpasswd', '/feeds/alfa.atom%00', '/feeds/%2e%2e/state/wirefeed.json', '/state/wirefeed.json', '/alfa.txt', '/feeds/' + 'a'.repeat(5000) + '.atom']) {
      expect(await rawGet(app.url, path), path).toEqual({ status: 404, body: 'not found\n' });
    }
  });
});

describe('private feeds through the daemon', () => {
  const SOURCE_TOKEN = 'Src-token_0123456789abcdef';
  const FEED_TOKEN = 'Feed.token~fedcba9876543210';

  it('are left out of /, /feeds.opml, /metrics and /healthz, answer a wrong token like an unknown feed, and never log a token', async () => {
    const news = await site({ open: textPage(wirePage('open')), geheim: textPage(wirePage('geheim')) });
    const { app, lines } = await startDaemon(
      await tempDir(),
      `state: { dir: ./state }
sources:
  - { id: open, title: Open bron, url: ${news.url}/open, lang: nl }
  - { id: geheime-bron, title: Geheime bron, url: ${news.url}/geheim, lang: nl, token: ${SOURCE_TOKEN} }
feeds:
  - { id: besloten, title: Besloten selectie, sources: [open, geheime-bron], token: ${FEED_TOKEN} }
`,
      { accessLog: true },
    );
    afterThisTest(() => app.stop(1000));
    await app.settled;
    expect(await app.store.countOf('geheime-bron')).toBe(3);

    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { headers });
    for (const path of ['/', '/feeds.opml', '/metrics', '/healthz']) {
      const body = await (await get(path)).text();
      for (const secret of ['geheime-bron', 'Geheime bron', 'besloten', 'Besloten selectie', SOURCE_TOKEN, FEED_TOKEN]) {
        expect(body, `${path} shows ${secret}`).not.toContain(secret);
      }
    }
    // The private source's feed still counts in /healthz, under a name that gives nothing away.
    const health = (await (await get('/healthz')).json()) as { sources: Record<string, { stories: number }> };
    expect(Object.keys(health.sources).sort()).toEqual(['open', 'private-1']);
    expect(health.sources['private-1']!.stories).toBe(3);

    const answer = async (res: Response) => ({
      status: res.status,
      type: res.headers.get('content-type'),
      length: res.headers.get('content-length'),
      cache: res.headers.get('cache-control'),
      body: await res.text(),
    });
    const unknown = await answer(await get('/feeds/bestaat-niet.atom'));
    expect(unknown.status).toBe(404);
    for (const [id, token] of [
      ['geheime-bron', SOURCE_TOKEN],
      ['besloten', FEED_TOKEN],
    ] as const) {
      const other = token === SOURCE_TOKEN ? FEED_TOKEN : SOURCE_TOKEN;
      for (const [path, headers] of [
        [`/feeds/${id}.atom`, {}],
        [`/feeds/${id}.atom?token=wrong-token-0123456789`, {}],
        [`/feeds/${id}.atom?token=${other}`, {}],
        [`/feeds/${id}.rss?token=${token.slice(0, -1)}`, {}],
        [`/feeds/${id}.json`, { authorization: `Bearer ${other}` }],
      ] as const) {
        expect(await answer(await get(path, headers)), path).toEqual(unknown);
      }
      expect((await get(`/feeds/${id}.atom?token=${token}`)).status).toBe(200);
      expect((await get(`/feeds/${id}.json`, { authorization: `Bearer ${token}` })).status).toBe(200);
    }

    // Every request above is in the access log, by path; no token is anywhere in the log.
    expect(lines.filter((l) => l.includes('debug http ') && l.includes('path=/feeds/geheime-bron.atom')).length).toBeGreaterThanOrEqual(4);
    for (const token of [SOURCE_TOKEN, FEED_TOKEN, 'wrong-token-0123456789', SOURCE_TOKEN.slice(0, -1), FEED_TOKEN.slice(0, -1)]) {
      expect(lines.filter((l) => l.includes(token))).toEqual([]);
    }
  });
});
