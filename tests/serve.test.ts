import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { renderFeed } from '../src/render/index.js';
import { BASE, NOW, catalogFeed, entry, get, makeDeps, rawGet, type TestDeps } from './serve-helpers.js';

const TOKEN = 's3cret-token-ü';

let deps: TestDeps;
let srv: RunningServer;

beforeAll(async () => {
  deps = makeDeps([
    catalogFeed('anp-buitenland'),
    catalogFeed('combined', { kind: 'feed', refreshSeconds: 10 }),
    catalogFeed('slow', { refreshSeconds: 86_400 }),
    catalogFeed('empty'),
    catalogFeed('secret-desk', { token: TOKEN }),
  ]);
  const empty = deps.feeds.get('empty');
  if (empty) empty.entries = [];
  srv = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections: 100 });
});

afterAll(async () => {
  await srv.close();
});

const g = (path: string, headers: Record<string, string> = {}, method = 'GET') => get(srv.url, path, headers, method);

describe('endpoints', () => {
  it.each([
    ['/feeds/anp-buitenland.atom', 'application/atom+xml; charset=utf-8'],
    ['/feeds/anp-buitenland.rss', 'application/rss+xml; charset=utf-8'],
    ['/feeds/anp-buitenland.json', 'application/feed+json; charset=utf-8'],
    ['/feeds.opml', 'text/x-opml; charset=utf-8'],
    ['/', 'text/html; charset=utf-8'],
    ['/healthz', 'application/json; charset=utf-8'],
    ['/metrics', 'text/plain; version=0.0.4; charset=utf-8'],
  ])('%s is %s with a Content-Length', async (path, type) => {
    const r = await g(path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['content-length']).toBe(String(r.body.length));
  });

  it('serves the rendered feed bytes with validators and caching headers', async () => {
    const r = await g('/feeds/anp-buitenland.atom');
    const view = await deps.feedView('anp-buitenland', 50);
    if (!view) throw new Error('test feed missing');
    expect(r.body.toString('utf8')).toBe(renderFeed(view, 'atom'));
    expect(r.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    // FeedView.updated 11:30:15.750 rounded down to the second.
    expect(r.headers['last-modified']).toBe('Sat, 28 Nov 2026 11:30:15 GMT');
    expect(r.headers['cache-control']).toBe('public, max-age=600');
    expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(r.headers['content-encoding']).toBeUndefined();
  });

  it('reads back as Atom with every entry, newest first', async () => {
    const r = await g('/feeds/anp-buitenland.atom');
    const doc = new XMLParser({ ignoreAttributes: false }).parse(r.body.toString('utf8')) as { feed: { entry: { title: unknown }[] } };
    const titles = doc.feed.entry.map((e) => (typeof e.title === 'object' && e.title !== null ? (e.title as Record<string, unknown>)['#text'] : e.title));
    expect(titles).toEqual(['Headline number 0', 'Headline number 1', 'Headline number 2', 'Headline number 3', 'Headline number 4']);
  });

  it('clamps Cache-Control max-age to [60, 3600]', async () => {
    expect((await g('/feeds/combined.rss')).headers['cache-control']).toBe('public, max-age=60');
    expect((await g('/feeds/slow.rss')).headers['cache-control']).toBe('public, max-age=3600');
  });

  it('uses the render time as Last-Modified for an empty feed', async () => {
    const r = await g('/feeds/empty.json');
    expect(r.status).toBe(200);
    expect(r.headers['last-modified']).toBe(NOW.toUTCString());
  });

  it('HEAD has the GET headers and no body', async () => {
    const full = await g('/feeds/anp-buitenland.rss');
    const head = await g('/feeds/anp-buitenland.rss', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const h of ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control', 'vary']) {
      expect(head.headers[h]).toBe(full.headers[h]);
    }
    const index = await g('/', {}, 'HEAD');
    expect([index.status, index.body.length, index.headers['content-type']]).toEqual([200, 0, 'text/html; charset=utf-8']);
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])('%s gets 405 with Allow', async (method) => {
    const r = await g('/feeds/anp-buitenland.atom', {}, method);
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, HEAD');
  });

  it('unknown paths get a short text 404', async () => {
    for (const path of ['/nope', '/feeds/nope.atom', '/feeds/anp-buitenland.xml', '/feeds/anp-buitenland', '/feeds.opml/x', '/healthz/']) {
      const r = await g(path);
      expect([path, r.status, r.headers['content-type'], r.body.toString()]).toEqual([path, 404, 'text/plain; charset=utf-8', 'not found\n']);
    }
  });

  it('healthz answers 200 or 503 with the JSON from deps', async () => {
    deps.healthy = true;
    const ok = await g('/healthz');
    expect([ok.status, JSON.parse(ok.body.toString())]).toEqual([200, { ok: true, sources: {} }]);
    expect(ok.headers['cache-control']).toBe('no-store');
    deps.healthy = false;
    const bad = await g('/healthz');
    expect([bad.status, JSON.parse(bad.body.toString())]).toEqual([503, { ok: false, sources: {} }]);
    deps.healthy = true;
  });
});

describe('limit', () => {
  it('defaults to 50 and passes ?limit=N to the view rounded up to a fixed step', async () => {
    deps.viewCalls.length = 0;
    await g('/feeds/combined.json?limit=2');
    const r = await g('/feeds/combined.json?limit=2');
    const doc = JSON.parse(r.body.toString()) as { items: unknown[] };
    // The step of 10 holds all five entries of the test feed.
    expect(doc.items.length).toBe(5);
    await g('/feeds/combined.json?limit=500');
    await g('/feeds/combined.json?limit=1');
    await g('/feeds/combined.json');
    expect(deps.viewCalls).toEqual(['combined:10', 'combined:500', 'combined:50']);
  });

  it.each(['0', '-1', 'abc', '1.5', '', '007', '1e2'])('limit=%s is 400', async (limit) => {
    const r = await g(`/feeds/combined.atom?limit=${limit}`);
    expect(r.status).toBe(400);
    expect(r.body.toString()).toBe('limit must be a positive whole number\n');
  });
});

describe('conditional requests and the cache', () => {
  it('renders once and answers later requests from the cache', async () => {
    deps.viewCalls.length = 0;
    for (let i = 0; i < 5; i++) await g('/feeds/slow.atom', { 'accept-encoding': i % 2 ? 'gzip' : 'br' });
    expect(deps.viewCalls).toEqual(['slow:50']);
  });

  it('304 on a matching ETag, also weak and in a list', async () => {
    const first = await g('/feeds/anp-buitenland.atom');
    const etag = String(first.headers['etag']);
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const r = await g('/feeds/anp-buitenland.atom', { 'if-none-match': inm });
      expect([inm, r.status, r.body.length]).toEqual([inm, 304, 0]);
      expect(r.headers['etag']).toBe(etag);
      expect(r.headers['cache-control']).toBe('public, max-age=600');
    }
    expect((await g('/feeds/anp-buitenland.atom', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('304 on If-Modified-Since at or after Last-Modified, 200 before', async () => {
    const lm = 'Sat, 28 Nov 2026 11:30:15 GMT';
    expect((await g('/feeds/anp-buitenland.rss', { 'if-modified-since': lm })).status).toBe(304);
    expect((await g('/feeds/anp-buitenland.rss', { 'if-modified-since': 'Sat, 28 Nov 2026 11:30:14 GMT' })).status).toBe(200);
    expect((await g('/feeds/anp-buitenland.rss', { 'if-modified-since': 'not a date' })).status).toBe(200);
  });

  it('If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2)', async () => {
    const r = await g('/feeds/anp-buitenland.rss', { 'if-none-match': '"stale"', 'if-modified-since': 'Sat, 28 Nov 2026 11:30:15 GMT' });
    expect(r.status).toBe(200);
  });

  it('a new revision gives 200 with a new ETag', async () => {
    const before = await g('/feeds/combined.atom');
    const feed = deps.feeds.get('combined');
    if (!feed) throw new Error('test feed missing');
    feed.entries = [entry(9, new Date('2026-11-28T11:45:00.000Z')), ...feed.entries];
    feed.updated = new Date('2026-11-28T11:45:00.000Z');
    feed.revision += 1;
    const after = await g('/feeds/combined.atom', { 'if-none-match': String(before.headers['etag']) });
    expect(after.status).toBe(200);
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    expect(after.headers['last-modified']).toBe('Sat, 28 Nov 2026 11:45:00 GMT');
    expect(after.body.toString()).toContain('Headline number 9');
    expect((await g('/feeds/combined.atom', { 'if-none-match': String(after.headers['etag']) })).status).toBe(304);
  });
});

describe('compression', () => {
  it('gzip and br decode to the plain body, with their own ETags', async () => {
    const plain = await g('/feeds/anp-buitenland.json');
    const gz = await g('/feeds/anp-buitenland.json', { 'accept-encoding': 'gzip, deflate' });
    const br = await g('/feeds/anp-buitenland.json', { 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const tag = String(plain.headers['etag']).slice(0, -1);
    expect([gz.headers['etag'], br.headers['etag']]).toEqual([`${tag}-gz"`, `${tag}-br"`]);
    for (const r of [plain, gz, br]) expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(gz.headers['content-length']).toBe(String(gz.body.length));
    // The identity ETag does not validate the gzip representation, its own does.
    expect((await g('/feeds/anp-buitenland.json', { 'accept-encoding': 'gzip', 'if-none-match': String(plain.headers['etag']) })).status).toBe(200);
    expect((await g('/feeds/anp-buitenland.json', { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers['etag']) })).status).toBe(304);
  });

  it.each([
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['gzip;q=0, br', 'br'],
    ['br;q=0, gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', undefined],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['identity;q=0, gzip', 'gzip'],
    ['deflate', undefined],
  ])('Accept-Encoding %j → %s', async (accept, expected) => {
    const r = await g('/feeds/anp-buitenland.rss', { 'accept-encoding': accept });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe(expected);
  });

  it('406 when no coding is acceptable', async () => {
    for (const accept of ['identity;q=0', '*;q=0', 'gzip;q=0, br;q=0, identity;q=0']) {
      expect((await g('/feeds/anp-buitenland.rss', { 'accept-encoding': accept })).status).toBe(406);
    }
  });
});

describe('paths that are not feeds', () => {
  const hostile = [
    '/feeds/../../etc/passwd',
    '/feeds/%2e%2e/x.atom',
    '/feeds/%2E%2E/%2E%2E/etc/passwd',
    '/feeds/..%2f..%2fetc%2fpasswd',
    '/feeds/anp-buitenland%2eatom',
    '/feeds/a%00.atom',
    '/feeds/anp-buitenland.atom%00',
    '/feeds/' + 'a'.repeat(5000) + '.atom',
    '/feeds/%EF%BD%81%EF%BD%8E%EF%BD%90.atom',
    '/feeds/%C0%AE%C0%AE/x.atom',
    '//feeds/anp-buitenland.atom',
    '/feeds//anp-buitenland.atom',
    '/./feeds/anp-buitenland.atom',
    '/feeds/./anp-buitenland.atom',
    '/FEEDS/anp-buitenland.atom',
    '/feeds/ANP-BUITENLAND.atom',
    '/feeds/anp-buitenland.ATOM',
    '/feeds/anp-buitenland.atom/',
    '/feeds/anp-buitenland.atom;x',
    '/feeds/secret-desk.atom',
    '/feeds/%73ecret-desk.atom?token=' + encodeURIComponent(TOKEN),
    '/feeds/anp%2Dbuitenland.atom',
    '/%66eeds.opml',
    '/feeds.opml%00',
    '/metrics/../healthz',
  ];
  it.each(hostile)('%s → 404', async (path) => {
    const r = await rawGet(srv.port, path);
    expect([r.status, r.body]).toEqual([404, 'not found\n']);
  });

  it('raw fullwidth UTF-8 in the request line is refused by the HTTP parser (400, empty)', async () => {
    // A request-target must be ASCII (RFC 9112 §3.2); Node's parser answers before any route runs.
    const r = await rawGet(srv.port, Buffer.from('/feeds/ａｎｐ.atom', 'utf8'));
    expect([r.status, r.body]).toEqual([400, '']);
  });
});

describe('private feeds', () => {
  const path = '/feeds/secret-desk.atom';
  it('without the token: the same 404 as an unknown feed', async () => {
    const unknown = await g('/feeds/no-such-feed.atom');
    const attempts = [
      await g(path),
      await g(`${path}?token=wrong`),
      await g(`${path}?token=`),
      await g(`${path}?token=${encodeURIComponent(TOKEN)}x`),
      await g(path, { authorization: 'Bearer wrong' }),
      await g(path, { authorization: `Basic ${TOKEN}` }),
    ];
    for (const r of attempts) {
      expect([r.status, r.body.toString()]).toEqual([404, 'not found\n']);
      expect(r.headers).toEqual({ ...unknown.headers, date: r.headers['date'] });
    }
    const head = await g(path, {}, 'HEAD');
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([404, 0, unknown.headers['content-length']]);
  });

  it('with ?token= or Bearer: 200, privately cacheable', async () => {
    const q = await g(`${path}?token=${encodeURIComponent(TOKEN)}&limit=3`);
    expect(q.status).toBe(200);
    expect(q.headers['cache-control']).toBe('private, max-age=600');
    const b = await g(path, { authorization: `Bearer ${TOKEN}` });
    expect(b.status).toBe(200);
    expect(b.headers['etag']).toBeDefined();
  });

  it('is left out of the index, the OPML and the metrics labels', async () => {
    deps.metrics.fetches.inc({ source: 'secret-desk', result: 'ok' });
    deps.metrics.storiesStored.set({ source: 'secret-desk' }, 5);
    deps.metrics.fetchDuration.observe({ source: 'secret-desk' }, 0.3);
    for (const p of ['/', '/feeds.opml', '/metrics']) {
      const r = await g(p);
      expect(r.status).toBe(200);
      expect(r.body.toString()).not.toContain('secret-desk');
      expect(r.body.toString()).not.toContain('Feed secret');
    }
    const index = (await g('/')).body.toString();
    const opml = (await g('/feeds.opml')).body.toString();
    for (const doc of [index, opml]) {
      expect(doc).toContain(`${BASE}/feeds/anp-buitenland.atom`);
      expect(doc).toContain(`${BASE}/feeds/combined.atom`);
    }
  });

  it('never logs the token', () => {
    expect(deps.lines.join('\n')).not.toContain(TOKEN);
    expect(deps.lines.join('\n')).not.toContain(encodeURIComponent(TOKEN));
  });
});

describe('metrics', () => {
  it('is Prometheus text: every sample line is name{labels} value', async () => {
    deps.metrics.fetches.inc({ source: 'anp-buitenland', result: 'ok' }, 3);
    deps.metrics.fetches.inc({ source: 'anp-buitenland', result: 'error' });
    deps.metrics.fetchDuration.observe({ source: 'anp-buitenland' }, 0.2);
    deps.metrics.fetchDuration.observe({ source: 'anp-buitenland' }, 42);
    deps.metrics.storiesStored.set({ source: 'anp-buitenland' }, 123);
    const text = (await g('/metrics')).body.toString();
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|-Inf|NaN)$/;
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      expect(line).toMatch(sample);
    }
    const lines = text.split('\n');
    expect(lines).toContain('# TYPE wirefeed_fetches_total counter');
    expect(lines).toContain('wirefeed_fetches_total{source="anp-buitenland",result="ok"} 3');
    expect(lines).toContain('wirefeed_fetches_total{source="anp-buitenland",result="error"} 1');
    expect(lines).toContain('# TYPE wirefeed_fetch_duration_seconds histogram');
    expect(lines).toContain('wirefeed_fetch_duration_seconds_bucket{source="anp-buitenland",le="0.25"} 1');
    expect(lines).toContain('wirefeed_fetch_duration_seconds_bucket{source="anp-buitenland",le="30"} 1');
    expect(lines).toContain('wirefeed_fetch_duration_seconds_bucket{source="anp-buitenland",le="+Inf"} 2');
    expect(lines).toContain('wirefeed_fetch_duration_seconds_sum{source="anp-buitenland"} 42.2');
    expect(lines).toContain('wirefeed_fetch_duration_seconds_count{source="anp-buitenland"} 2');
    expect(lines).toContain('wirefeed_stories_stored{source="anp-buitenland"} 123');
    expect(lines.some((l) => /^wirefeed_feed_requests_total\{status="200"\} \d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^wirefeed_feed_requests_total\{status="404"\} \d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^wirefeed_not_modified_total \d+$/.test(l))).toBe(true);
  });

  it('counts feed requests by status and 304s exactly', async () => {
    const before200 = deps.metrics.feedRequests.value({ status: '200' });
    const before304 = deps.metrics.notModified.value({});
    const r = await g('/feeds/empty.rss');
    await g('/feeds/empty.rss', { 'if-none-match': String(r.headers['etag']) });
    await g('/feeds/empty.rss', { 'if-none-match': String(r.headers['etag']) });
    expect(deps.metrics.feedRequests.value({ status: '200' }) - before200).toBe(1);
    expect(deps.metrics.notModified.value({}) - before304).toBe(2);
  });

  it('escapes label values', async () => {
    deps.metrics.storiesStored.set({ source: 'we"ird\\na\nme' }, 1);
    const text = (await g('/metrics')).body.toString();
    expect(text.split('\n')).toContain('wirefeed_stories_stored{source="we\\"ird\\\\na\\nme"} 1');
  });
});

describe('catalog changes', () => {
  it('a new catalog array is re-indexed: removed feeds 404, new feeds serve', async () => {
    const old = deps.catalog();
    deps.setCatalog([...old.filter((c) => c.id !== 'slow'), catalogFeed('late')]);
    const late = deps.feeds.get('anp-buitenland');
    if (late) deps.feeds.set('late', { ...late, catalog: catalogFeed('late') });
    expect((await g('/feeds/slow.atom')).status).toBe(404);
    expect((await g('/feeds/late.atom')).status).toBe(200);
    const opml = (await g('/feeds.opml')).body.toString();
    expect(opml).toContain(`${BASE}/feeds/late.atom`);
    expect(opml).not.toContain(`${BASE}/feeds/slow.atom`);
    deps.setCatalog([...old]);
  });
});
