/**
 * Issue 18, full text against a loopback site: a listing page and its article pages (good ones,
 * 404, 500, one that never finishes, a PDF, a redirect to a private address). Articles come from
 * the source's fetcher, one request at a time per host with ≥ 1 s between two, at most maxPerPoll
 * per poll, each entry once; a failure keeps the teaser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { fetchFullTexts, hostGate } from '../src/fulltext/index.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { refreshSource } from '../src/refresh.js';
import { openStore, type ListedStory } from '../src/store/index.js';
import { startDaemon, startSite, waitFor } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const requests: { path: string; at: number }[] = [];
let server: Server;
let base = '';
let flakyLead = 'BRUSSEL (ANP) - Een bericht dat later verandert.';
let flakyFailures = 3;

const ARTICLES = ['good-dam', 'good-council', 'gone', 'broken', 'slow', 'report', 'moved', 'huge'] as const;

function listing(): string {
  const item = (slug: string, i: number) =>
    `<div><h2><a href="/news/${slug}">Nieuws ${slug} vandaag</a></h2><p>BRUSSEL (ANP) - Bericht ${i} over ${slug} in het kort.</p></div>`;
  return `<!DOCTYPE html><html><head><title>Nieuws</title></head><body><main>${ARTICLES.map(item).join('')}</main></body></html>`;
}

beforeAll(async () => {
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/fulltext/${name}.html`, import.meta.url), 'utf8');
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, at: performance.now() });
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (path === '/') return html(listing());
    if (path === '/flaky-list') return html(`<html><body><main><div><h2><a href="/news/flaky">Een bericht dat verandert</a></h2><p>${flakyLead}</p></div></main></body></html>`);
    if (path === '/news/flaky') return flakyFailures-- > 0 ? res.writeHead(500).end('oops') : html(fixture('plain'));
    if (path === '/news/good-dam') return html(fixture('plain'));
    if (path === '/news/good-council') return html(fixture('cluttered'));
    if (path === '/news/gone') return res.writeHead(404).end('not found');
    if (path === '/news/broken') return res.writeHead(500).end('oops');
    if (path === '/news/slow') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body><p>Half');
      return; // never ends
    }
    if (path === '/news/report') return res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 a report');
    if (path === '/news/huge') return html(`<html><body><article>${'<p>Te veel tekst voor een artikel.</p>'.repeat(1000)}</article></body></html>`);
    if (path === '/news/moved') return res.writeHead(302, { location: 'http://10.0.0.1/internal' }).end();
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('full text from a loopback site', () => {
  it('three polls (maxBytes 20000): good articles stored, bad ones keep the teaser, each fetched once, ≥ 1 s apart per host, ≤ maxPerPoll per poll', async () => {
    const config = parseConfig(
      `sources:\n  - id: nieuws\n    title: Nieuws\n    url: ${base}/\n    lang: nl\n    fullText:\n      maxPerPoll: 3\nfeeds:\n  - id: alles\n    title: Nieuws\n    sources: [nieuws]\n`,
      'wirefeed.yaml',
    );
    const source = config.sources[0]!;
    expect(source.fullText).toEqual({ maxPerPoll: 3 });
    const store = await openStore(await tempDir());
    const gate = hostGate(1000, () => performance.now());
    const http = { connectTimeoutMs: 1000, headersTimeoutMs: 500, bodyTimeoutMs: 500, totalTimeoutMs: 2000, maxBytes: 20_000, sourceIsPublic: true };
    const perPoll: number[] = [];
    const failed: string[] = [];
    for (let poll = 0; poll < 3; poll++) {
      const now = new Date(Date.UTC(2026, 11, 7, 12, poll));
      const fetch = { now, userAgent: 'wirefeed-test', http, allowPrivateRedirects: false };
      const before = requests.filter((r) => r.path.startsWith('/news/')).length;
      const r = await refreshSource(source, { store, scopeOf: () => PUBLIC_SCOPE, fetch, intervalMs: 300_000 });
      expect([r.outcome, r.error === null ? null : String(r.error)]).toEqual([poll === 0 ? 'ok' : 'unchanged-page', null]);
      const run = await fetchFullTexts(source, { store, fetch, now: () => fetch.now, gate, intervalMs: 300_000 });
      failed.push(...run.failed);
      perPoll.push(requests.filter((r) => r.path.startsWith('/news/')).length - before);
    }
    expect(perPoll).toEqual([3, 3, 2]);
    const articles = requests.filter((r) => r.path.startsWith('/news/'));
    expect(articles.map((r) => r.path).sort()).toEqual(ARTICLES.map((a) => `/news/${a}`).sort());
    for (let i = 1; i < articles.length; i++) expect(articles[i]!.at - articles[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(failed.map((f) => f.split(':').slice(0, 2).join(':')).sort()).toEqual(
      ['extract: E_NOT_HTML', 'fetch: E_HTTP_STATUS', 'fetch: E_HTTP_STATUS', 'fetch: E_PRIVATE_REDIRECT', 'fetch: E_TIMEOUT', 'fetch: E_TOO_LARGE'].sort(),
    );

    const stories = await store.feed({ sourceIds: ['nieuws'], limit: 10 });
    const bySlug = (slug: string): ListedStory => stories.find((s) => s.link === `${base}/news/${slug}`)!;
    expect(bySlug('good-dam').fullText).toBe(
      [
        '<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>',
        '<p>Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024.</p>',
        '<p>Traffic over the dam road resumes on Wednesday; cyclists may use it from today.</p>',
      ].join('\n'),
    );
    expect(bySlug('good-council').fullText).toContain(`<a href="${base}/statement.pdf">written statement</a>`);
    for (const slug of ['gone', 'broken', 'slow', 'report', 'moved', 'huge']) {
      expect(bySlug(slug).fullText).toBeUndefined();
      expect(bySlug(slug).body).toEqual([`BRUSSEL (ANP) - Bericht ${ARTICLES.indexOf(slug as (typeof ARTICLES)[number])} over ${slug} in het kort.`]);
    }
    await store.close();
  }, 30_000);

  it('a failure is retried after its backoff, at most 3 times; a changed entry is fetched again', async () => {
    const config = parseConfig(`sources:\n  - id: flaky\n    title: Flaky\n    url: ${base}/flaky-list\n    lang: nl\n    fullText: true\n`, 'wirefeed.yaml');
    const source = config.sources[0]!;
    const store = await openStore(await tempDir());
    const gate = hostGate(1000, () => performance.now());
    const http = { connectTimeoutMs: 1000, headersTimeoutMs: 500, bodyTimeoutMs: 500, totalTimeoutMs: 2000, sourceIsPublic: true };
    const poll = async (minute: number): Promise<number> => {
      const fetch = { now: new Date(Date.UTC(2026, 11, 7, 13, minute)), userAgent: 'wirefeed-test', http, allowPrivateRedirects: false };
      const before = requests.filter((r) => r.path === '/news/flaky').length;
      const r = await refreshSource(source, { store, scopeOf: () => PUBLIC_SCOPE, fetch, intervalMs: 300_000 });
      expect(r.error).toBeNull();
      await fetchFullTexts(source, { store, fetch, now: () => fetch.now, gate, intervalMs: 300_000 });
      return requests.filter((r) => r.path === '/news/flaky').length - before;
    };
    // Backoff 5, 10 min after the 1st and 2nd failure; none after the 3rd.
    const counts = [await poll(0), await poll(1), await poll(6), await poll(15), await poll(16), await poll(40)];
    expect(counts).toEqual([1, 0, 1, 0, 1, 0]);
    const [held] = await store.feed({ sourceIds: ['flaky'], limit: 1 });
    expect(held?.fullText).toBeUndefined();
    flakyLead = 'BRUSSEL (ANP) - Een bericht dat later verandert, en nu is het veranderd.';
    expect([await poll(41), await poll(50)]).toEqual([1, 0]);
    const [after] = await store.feed({ sourceIds: ['flaky'], limit: 1 });
    expect(after?.fullText?.split('\n')[0]).toBe('<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>');
    await store.close();
  }, 30_000);
});

describe('full text in the daemon', () => {
  it('the page is committed and served with its teaser while the article is still loading; the feed gets the full text after', async () => {
    let release: () => void = () => undefined;
    let clock = new Date('2026-12-07T14:00:00Z');
    const held = new Promise<void>((resolve) => (release = resolve));
    const fixture = readFileSync(new URL('./fixtures/fulltext/plain.html', import.meta.url), 'utf8');
    const news = await startSite({
      '/': (_q, r) =>
        r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<html><body><main><div><h2><a href="/a">Dam weer open na herstel</a></h2><p>MILLFORD (ANP) - De dam is weer open.</p></div></main></body></html>'),
      '/a': (_q, r) => void held.then(() => r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixture)),
    });
    const dir = await tempDir();
    const d = await startDaemon(
      dir,
      `sources:\n  - id: dam\n    title: Dam\n    url: ${news.url}/\n    lang: nl\n    fullText: true\nfeeds:\n  - id: alles\n    title: Alles\n    sources: [dam]\n`,
      { http: { sourceIsPublic: true, headersTimeoutMs: 20_000 }, now: () => clock },
    );
    try {
      await d.app.settled;
      const items = async () =>
        ((await (await fetch(`${d.app.url}/feeds/alles.json`)).json()) as { items: { content_html: string; summary: string; date_modified: string }[] }).items;
      expect(await items()).toEqual([
        expect.objectContaining({ content_html: '<p>MILLFORD (ANP) - De dam is weer open.</p>', summary: 'MILLFORD (ANP) - De dam is weer open.', date_modified: '2026-12-07T14:00:00Z' }),
      ]);
      // The article arrives a minute later: the entry is updated then, so readers see the change.
      clock = new Date('2026-12-07T14:01:00Z');
      release();
      await waitFor('the full text in the feed', async () => (await items())[0]!.content_html.startsWith('<p>The river dam'));
      expect((await items())[0]!.content_html.split('\n')).toEqual([
        '<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>',
        '<p>Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024.</p>',
        '<p>Traffic over the dam road resumes on Wednesday; cyclists may use it from today.</p>',
      ]);
      expect(news.hits.filter((h) => h.path === '/a')).toHaveLength(1);
      expect((await items())[0]!.date_modified).toBe('2026-12-07T14:01:00Z');
    } finally {
      release();
      await d.app.stop(1000);
      await news.close();
    }
  }, 30_000);
});
