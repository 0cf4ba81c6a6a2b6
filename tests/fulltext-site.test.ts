/**
 * Issue 18, full text against a loopback site: a listing page and its article pages (a plain one,
 * one with sidebar, share buttons and comments, lazy images, scripts and hostile attributes, a
 * paywall stub, a 404, a 500, one that never finishes, 20 MB, a PDF, a redirect to a private
 * address). Articles come from the source's fetcher, one request at a time per host with ≥ 1 s
 * between two, at most maxPerPoll per poll, each entry once; a failure keeps the teaser and is
 * counted by result.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { fetchFullTexts, hostGate, readArticle } from '../src/fulltext/index.js';
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
let condLead = 'GENT (ANP) - Een bericht waarvan het artikel blijft.';
/** What the conditional article saw: the validators of each request. */
const condAsked: { ifNoneMatch: string | null; ifModifiedSince: string | null }[] = [];

/** Article slugs, served at /2026/12/<slug> (the extract tests' base, so that relative links resolve alike), and what each comes to. */
const ARTICLES = {
  plain: 'stored',
  cluttered: 'stored',
  lazy: 'stored',
  hostile: 'stored',
  paywall: 'kept_teaser',
  gone: 'http_error',
  broken: 'http_error',
  slow: 'timeout',
  report: 'not_html',
  moved: 'blocked',
  huge: 'too_large',
} as const;
type Slug = keyof typeof ARTICLES;
const SLUGS = Object.keys(ARTICLES) as Slug[];
/** The paywall's teaser says more than its stub: the stub must not replace it. */
const PAYWALL_TEASER = 'BRUSSEL (ANP) - De centrale bank verhoogt de rente met een kwart procentpunt, tot 3,5 procent, zo maakte zij donderdag bekend.';
const teaser = (slug: Slug, i: number) => (slug === 'paywall' ? PAYWALL_TEASER : `BRUSSEL (ANP) - Bericht ${i} over ${slug} in het kort.`);
/** 20 MB of one article: four times the default http.maxBytes. */
const HUGE = `<html><body><article>${'<p>Te veel tekst voor een artikel.</p>'.repeat(20 * 1024 * 1024 / 37)}</article></body></html>`;

function listing(): string {
  const item = (slug: Slug, i: number) => `<div><h2><a href="/2026/12/${slug}">Nieuws ${slug} vandaag</a></h2><p>${teaser(slug, i)}</p></div>`;
  return `<!DOCTYPE html><html><head><title>Nieuws</title></head><body><main>${SLUGS.map(item).join('')}</main></body></html>`;
}

beforeAll(async () => {
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/fulltext/${name}.html`, import.meta.url), 'utf8');
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, at: performance.now() });
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (path === '/') return html(listing());
    if (path === '/self-list') return html(`<html><body><main><div><h2><a href="/self-list">Het overzicht zelf</a></h2><p>BRUSSEL (ANP) - Een bericht zonder eigen pagina.</p></div><div><h2><a href="/2026/12/plain">De dam is weer open</a></h2><p>MILLFORD (ANP) - De dam is open.</p></div></main></body></html>`);
    if (path === '/flaky-list') return html(`<html><body><main><div><h2><a href="/news/flaky">Een bericht dat verandert</a></h2><p>${flakyLead}</p></div></main></body></html>`);
    if (path === '/cond-list') return html(`<html><body><main><div><h2><a href="/news/cond">Een bericht met een vast artikel</a></h2><p>${condLead}</p></div></main></body></html>`);
    if (path === '/news/cond') {
      condAsked.push({ ifNoneMatch: req.headers['if-none-match'] ?? null, ifModifiedSince: req.headers['if-modified-since'] ?? null });
      if (req.headers['if-none-match'] === '"artikel-1"') return res.writeHead(304, { etag: '"artikel-1"' }).end();
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"artikel-1"', 'last-modified': 'Mon, 07 Dec 2026 12:00:00 GMT' }).end(fixture('plain'));
    }
    if (path === '/news/flaky') return flakyFailures-- > 0 ? res.writeHead(500).end('oops') : html(fixture('plain'));
    if (path === '/2026/12/plain' || path === '/2026/12/cluttered' || path === '/2026/12/lazy' || path === '/2026/12/hostile' || path === '/2026/12/paywall') {
      return html(fixture(path.slice('/2026/12/'.length)));
    }
    if (path === '/2026/12/gone') return res.writeHead(404).end('not found');
    if (path === '/2026/12/broken') return res.writeHead(500).end('oops');
    if (path === '/2026/12/slow') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body><p>Half');
      return; // never ends
    }
    if (path === '/2026/12/report') return res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 a report');
    if (path === '/2026/12/huge') return html(HUGE);
    if (path === '/2026/12/moved') return res.writeHead(302, { location: 'http://10.0.0.1/internal' }).end();
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
  it('three polls: good articles stored, bad ones keep the teaser and are counted by result, each fetched once, ≥ 1 s apart per host, ≤ maxPerPoll per poll', async () => {
    const config = parseConfig(
      `sources:\n  - id: nieuws\n    title: Nieuws\n    url: ${base}/\n    lang: nl\n    fullText:\n      maxPerPoll: 4\nfeeds:\n  - id: alles\n    title: Nieuws\n    sources: [nieuws]\n`,
      'wirefeed.yaml',
    );
    const source = config.sources[0]!;
    expect(source.fullText).toEqual({ maxPerPoll: 4 });
    const store = await openStore(await tempDir());
    const gate = hostGate(1000, () => performance.now());
    // The default maxBytes (5 MB): the 20 MB page is cut off by it.
    const http = { connectTimeoutMs: 1000, headersTimeoutMs: 500, bodyTimeoutMs: 500, totalTimeoutMs: 2000, sourceIsPublic: true };
    const perPoll: number[] = [];
    const outcomes: { slug: string; result: string; reason: string | null; extracted: boolean }[] = [];
    const isArticle = (r: { path: string }) => r.path.startsWith('/2026/12/');
    for (let poll = 0; poll < 3; poll++) {
      const now = new Date(Date.UTC(2026, 11, 7, 12, poll));
      const fetch = { now, userAgent: 'wirefeed-test', http, allowPrivateRedirects: false };
      const before = requests.filter(isArticle).length;
      const r = await refreshSource(source, { store, scopeOf: () => PUBLIC_SCOPE, fetch, intervalMs: 300_000 });
      expect([r.outcome, r.error === null ? null : String(r.error)]).toEqual([poll === 0 ? 'ok' : 'unchanged-page', null]);
      const run = await fetchFullTexts(source, { store, fetch, now: () => fetch.now, gate, clock: () => performance.now(), intervalMs: 300_000 });
      for (const a of run.articles) outcomes.push({ slug: a.link.slice(`${base}/2026/12/`.length), result: a.result, reason: a.reason, extracted: a.extractSeconds !== null });
      perPoll.push(requests.filter(isArticle).length - before);
    }
    expect(perPoll).toEqual([4, 4, 3]);
    const articles = requests.filter(isArticle);
    expect(articles.map((r) => r.path).sort()).toEqual(SLUGS.map((a) => `/2026/12/${a}`).sort());
    for (let i = 1; i < articles.length; i++) expect(articles[i]!.at - articles[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    // Every attempt counted by its result; extraction timed for the pages that got that far.
    expect(Object.fromEntries(outcomes.map((o) => [o.slug, o.result]))).toEqual(ARTICLES);
    expect(outcomes.filter((o) => o.extracted).map((o) => o.slug).sort()).toEqual(['cluttered', 'hostile', 'lazy', 'paywall', 'plain']);
    // A reason names its stage: the fetcher's failures `fetch`, the extraction step's `extract`.
    expect(Object.fromEntries(outcomes.filter((o) => o.reason !== null).map((o) => [o.slug, o.reason!.split(':').slice(0, 2).join(':')]))).toEqual({
      paywall: 'extract: E_NO_ARTICLE',
      gone: 'fetch: E_HTTP_STATUS',
      broken: 'fetch: E_HTTP_STATUS',
      slow: 'fetch: E_TIMEOUT',
      report: 'extract: E_NOT_HTML',
      moved: 'fetch: E_PRIVATE_REDIRECT',
      huge: 'fetch: E_TOO_LARGE',
    });

    const stories = await store.feed({ sourceIds: ['nieuws'], limit: 20 });
    const bySlug = (slug: Slug): ListedStory => stories.find((s) => s.link === `${base}/2026/12/${slug}`)!;
    expect(bySlug('plain').fullText).toBe(
      [
        '<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>',
        '<p>Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024.</p>',
        '<p>Traffic over the dam road resumes on Wednesday; cyclists may use it from today.</p>',
      ].join('\n'),
    );
    expect(bySlug('cluttered').fullText).toBe(
      [
        '<p>The city council approved a budget of 412 million euros on Tuesday night, after a debate that lasted nine hours.</p>',
        `<p>Most of the extra money goes to schools and to the repair of bridges, the alderman for finance said in a <a href="${base}/statement.pdf">written statement</a>.</p>`,
        '<p>The opposition voted against, saying the plan raises local taxes by four percent without a clear reason.</p>',
      ].join('\n'),
    );
    expect(bySlug('lazy').fullText).toBe(
      [
        '<p>Three new container cranes arrived in the harbour on Friday on board a ship from Shanghai.</p>',
        `<figure><img src="${base}/img/cranes.jpg" alt="Cranes on the ship" /><figcaption>The cranes on the ship.</figcaption></figure>`,
        '<p>Each crane is eighty metres tall and can lift two containers at once, the port authority said.</p>',
        `<figure><img src="${base}/img/quay-800.jpg" alt="The quay" /></figure>`,
        '<p>The cranes start work in March, after tests on the new quay.</p>',
        '<figure><img src="https://cdn.example.net/img/ship.jpg" alt="The ship" /></figure>',
        '<p>The old cranes go to a harbour in Poland.</p>',
      ].join('\n'),
    );
    expect(bySlug('hostile').fullText).toBe(
      [
        `<p>The city museum reopens its east wing on Saturday, with <a href="${base}/2026/collection/paintings">the painting collection</a> back on display.</p>`,
        '<p>Visitors can book tickets online or <a href="mailto:tickets@museum.example">write to the desk</a>.</p>',
        '<p>Entrance is free for children under twelve, the <a href="http://evil.example/x">director</a> said.</p>',
        `<img src="${base}/img/wing.jpg" alt="The east wing" />`,
        '<p>The west wing stays closed until <a href="https://museum.example/news?id=3&amp;x=1">next year</a>.</p>',
      ].join('\n'),
    );
    for (const slug of SLUGS.filter((s) => ARTICLES[s] !== 'stored')) {
      expect(bySlug(slug).fullText).toBeUndefined();
      expect(bySlug(slug).body).toEqual([teaser(slug, SLUGS.indexOf(slug))]);
    }
    await store.close();
  }, 60_000);

  it('a story that links to the listing page itself has no article: never requested, never due again', async () => {
    const config = parseConfig(`sources:\n  - id: zelf\n    title: Zelf\n    url: ${base}/self-list\n    lang: nl\n    fullText: true\n`, 'wirefeed.yaml');
    const source = config.sources[0]!;
    const store = await openStore(await tempDir());
    const fetch = { now: new Date(Date.UTC(2026, 11, 7, 14)), userAgent: 'wirefeed-test', http: { sourceIsPublic: true }, allowPrivateRedirects: false };
    const before = requests.length;
    expect((await refreshSource(source, { store, scopeOf: () => PUBLIC_SCOPE, fetch, intervalMs: 300_000 })).error).toBeNull();
    expect((await store.feed({ sourceIds: ['zelf'], limit: 5 })).map((s) => s.link).sort()).toEqual([`${base}/2026/12/plain`, `${base}/self-list`]);
    const run = await fetchFullTexts(source, { store, fetch, now: () => fetch.now, gate: hostGate(0, () => performance.now()), clock: () => performance.now(), intervalMs: 300_000 });
    expect(run.articles.map((a) => [a.link, a.result])).toEqual([[`${base}/2026/12/plain`, 'stored']]);
    expect(requests.slice(before).map((r) => r.path)).toEqual(['/self-list', '/2026/12/plain']);
    expect(await store.fullTextDue('zelf', '2026-12-08T00:00:00.000Z', 3, 10)).toEqual([]);
    await store.close();
  });

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
      await fetchFullTexts(source, { store, fetch, now: () => fetch.now, gate, clock: () => performance.now(), intervalMs: 300_000 });
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

describe('an updated story', () => {
  it('whose link stayed asks for its article with the stored validators; a 304 keeps the article and changes nothing', async () => {
    const config = parseConfig(`sources:\n  - id: cond\n    title: Cond\n    url: ${base}/cond-list\n    lang: nl\n    fullText: true\n`, 'wirefeed.yaml');
    const source = config.sources[0]!;
    const store = await openStore(await tempDir());
    const gate = hostGate(0, () => performance.now());
    const http = { totalTimeoutMs: 5000, sourceIsPublic: true };
    const poll = async (minute: number): Promise<string[]> => {
      const fetch = { now: new Date(Date.UTC(2026, 11, 7, 13, minute)), userAgent: 'wirefeed-test', http, allowPrivateRedirects: false };
      expect((await refreshSource(source, { store, scopeOf: () => PUBLIC_SCOPE, fetch, intervalMs: 300_000 })).error).toBeNull();
      const run = await fetchFullTexts(source, { store, fetch, now: () => fetch.now, gate, clock: () => performance.now(), intervalMs: 300_000 });
      return run.articles.map((a) => a.result);
    };
    expect(await poll(0)).toEqual(['stored']);
    const [stored] = await store.feed({ sourceIds: ['cond'], limit: 1 });
    condLead = 'GENT (ANP) - Een bericht waarvan het artikel blijft, al is de tekst in de lijst nu langer.';
    expect(await poll(5)).toEqual(['not_modified']);
    expect(await poll(10)).toEqual([]);
    expect(condAsked).toEqual([
      { ifNoneMatch: null, ifModifiedSince: null },
      { ifNoneMatch: '"artikel-1"', ifModifiedSince: 'Mon, 07 Dec 2026 12:00:00 GMT' },
    ]);
    const [after] = await store.feed({ sourceIds: ['cond'], limit: 1 });
    expect(after?.fullText).toBe(stored?.fullText);
    expect(after?.fullText?.split('\n')[0]).toBe('<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>');
    // Updated by its new teaser at minute 5, not by the 304.
    expect(after?.updated).toBe('2026-12-07T13:05:00.000Z');
    await store.close();
  }, 30_000);
});

describe('one article', () => {
  const deps = (allowPrivateRedirects: boolean) => ({
    fetch: { now: new Date(Date.UTC(2026, 11, 7, 15)), userAgent: 'wirefeed-test', http: { totalTimeoutMs: 5000 }, allowPrivateRedirects },
    now: () => new Date(Date.UTC(2026, 11, 7, 15)),
    gate: hostGate(0, () => performance.now()),
    clock: () => performance.now(),
  });

  it('a link to a private address on another host than its page is refused unless allowPrivateRedirects; on the page\'s own host it is read', async () => {
    const before = requests.length;
    const refused = (url: string, page: string, why: string) =>
      `fetch: E_PRIVATE_REDIRECT: GET ${url}: link from ${page} to private address ${url} refused (set allowPrivateRedirects: true to allow): caused by ${why}`;
    const LOOPBACK = '127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)';
    const viaName = `${base.replace('127.0.0.1', 'localhost')}/2026/12/plain`;
    const outcomes = [
      await readArticle('http://10.0.0.1/internal', `${base}/`, {}, deps(false)),
      await readArticle(viaName, `${base}/`, {}, deps(false)),
      // A saved page (wirefeed ingest, a spool directory) has no host: every article is checked.
      await readArticle(`${base}/2026/12/plain`, 'file:///srv/spool/nieuws.html', {}, deps(false)),
    ];
    expect(outcomes.map((o) => [o.result, o.reason])).toEqual([
      ['blocked', refused('http://10.0.0.1/internal', `${base}/`, '10.0.0.1 is in 10.0.0.0/8 Private-Use (RFC 1918)')],
      ['blocked', refused(viaName, `${base}/`, LOOPBACK)],
      ['blocked', refused(`${base}/2026/12/plain`, 'file:///srv/spool/nieuws.html', LOOPBACK)],
    ]);
    expect(requests.length).toBe(before);
    expect((await readArticle(`${base}/2026/12/plain`, `${base}/`, {}, deps(false))).result).toBe('stored');
    expect((await readArticle(`${base}/2026/12/plain`, 'file:///srv/spool/nieuws.html', {}, deps(true))).result).toBe('stored');
  });

  it('an extraction that throws (a selector linkedom cannot parse) is an `extract` error, counted as error', async () => {
    const o = await readArticle(`${base}/2026/12/plain`, `${base}/`, { selector: 'p[[[' }, deps(false));
    expect([o.result, o.reason?.split(': caused by')[0], o.extractSeconds === null]).toEqual(['error', `extract: E_EXTRACT: ${base}/2026/12/plain: the article could not be read`, false]);
  });
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
