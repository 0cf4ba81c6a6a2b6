import { afterEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { validatorsFor, variantFor } from '../src/serve/representation.js';
import { renderFeed } from '../src/render/index.js';
import { catalogFeed, entry, get, makeDeps, type TestDeps } from './serve-helpers.js';

/** Three feeds whose ids have the same length, so their Atom documents have the same size. */
const IDS = ['aaa', 'bbb', 'ccc'] as const;

let srv: RunningServer | null = null;

afterEach(async () => {
  await srv?.close();
  srv = null;
});

async function start(budget: number): Promise<{ deps: TestDeps; url: string }> {
  const deps = makeDeps(IDS.map((id) => catalogFeed(id)));
  srv = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections: 10, feedCacheBytes: budget });
  return { deps, url: srv.url };
}

async function atomBytes(deps: TestDeps, id: string): Promise<Buffer> {
  const view = await deps.feedView(id, 50);
  if (view === null) throw new Error(`no test feed ${id}`);
  deps.viewCalls.length = 0;
  return Buffer.from(renderFeed(view, 'atom'), 'utf8');
}

/** The cache's four series as numbers, read from /metrics. */
async function cacheMetrics(url: string): Promise<Record<string, number>> {
  const text = (await get(url, '/metrics')).body.toString();
  const out: Record<string, number> = {};
  for (const name of ['bytes', 'entries', 'hits_total', 'misses_total']) {
    const m = new RegExp(`^wirefeed_feed_cache_${name} (\\d+)$`, 'm').exec(text);
    out[name] = Number(m?.[1] ?? NaN);
  }
  return out;
}

describe('rendered-feed cache under a byte budget', () => {
  it('evicts the least recently used body, re-renders it on a miss with the same bytes and ETag', async () => {
    const probe = makeDeps(IDS.map((id) => catalogFeed(id)));
    const size = (await atomBytes(probe, 'aaa')).length;
    expect(await Promise.all(IDS.map(async (id) => (await atomBytes(probe, id)).length))).toEqual([size, size, size]);
    // Room for exactly two identity bodies.
    const { deps, url } = await start(2 * size);

    const first = await get(url, '/feeds/aaa.atom');
    await get(url, '/feeds/bbb.atom');
    expect(await cacheMetrics(url)).toEqual({ bytes: 2 * size, entries: 2, hits_total: 0, misses_total: 2 });

    await get(url, '/feeds/aaa.atom'); // aaa is now the most recently used
    await get(url, '/feeds/ccc.atom'); // evicts bbb
    expect(deps.viewCalls).toEqual(['aaa:50', 'bbb:50', 'ccc:50']);
    expect(await cacheMetrics(url)).toEqual({ bytes: 2 * size, entries: 2, hits_total: 1, misses_total: 3 });

    await get(url, '/feeds/aaa.atom'); // still cached: no render
    await get(url, '/feeds/bbb.atom'); // re-rendered, evicts ccc
    await get(url, '/feeds/ccc.atom'); // re-rendered, evicts aaa
    expect(deps.viewCalls).toEqual(['aaa:50', 'bbb:50', 'ccc:50', 'bbb:50', 'ccc:50']);

    // aaa's bytes are gone, its validators are not: 304 with the first ETag, nothing rendered.
    const etag = String(first.headers['etag']);
    const cond = await get(url, '/feeds/aaa.atom', { 'if-none-match': etag });
    expect([cond.status, cond.body.length, cond.headers['etag'], cond.headers['vary']]).toEqual([304, 0, etag, 'Accept-Encoding']);
    expect(cond.headers['last-modified']).toBe(first.headers['last-modified']);
    expect(deps.viewCalls).toEqual(['aaa:50', 'bbb:50', 'ccc:50', 'bbb:50', 'ccc:50']);

    // A plain request renders it again: the same bytes under the same strong ETag.
    const again = await get(url, '/feeds/aaa.atom');
    expect(deps.viewCalls.at(-1)).toBe('aaa:50');
    expect(again.body.equals(first.body)).toBe(true);
    expect([again.headers['etag'], again.headers['content-length'], again.headers['vary']]).toEqual([etag, String(size), 'Accept-Encoding']);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect((await get(url, '/feeds/aaa.atom', { 'if-none-match': etag })).status).toBe(304);
  });

  it('counts every coding against the budget and derives one coding from another without rendering', async () => {
    const probe = makeDeps(IDS.map((id) => catalogFeed(id)));
    const plain = await atomBytes(probe, 'aaa');
    const { deps, url } = await start(1024 * 1024);

    const id = await get(url, '/feeds/aaa.atom');
    const gz = await get(url, '/feeds/aaa.atom', { 'accept-encoding': 'gzip' });
    expect(deps.viewCalls).toEqual(['aaa:50']);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toBe('Accept-Encoding');
    expect(gz.headers['etag']).toBe(`${String(id.headers['etag']).slice(0, -1)}-gz"`);
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);
    expect(await cacheMetrics(url)).toEqual({ bytes: plain.length + gz.body.length, entries: 2, hits_total: 0, misses_total: 2 });

    const gzAgain = await get(url, '/feeds/aaa.atom', { 'accept-encoding': 'gzip' });
    expect(gzAgain.body.equals(gz.body)).toBe(true);
    expect((await cacheMetrics(url)).hits_total).toBe(1);
  });

  it('keeps only the coding a reader asked for (a gzip reader caches no identity bytes)', async () => {
    const { url } = await start(1024 * 1024);
    const gz = await get(url, '/feeds/bbb.rss', { 'accept-encoding': 'gzip, deflate' });
    expect(await cacheMetrics(url)).toEqual({ bytes: gz.body.length, entries: 1, hits_total: 0, misses_total: 1 });
  });

  it('a budget smaller than one body caches no bytes, yet 304s still need no render', async () => {
    const probe = makeDeps(IDS.map((id) => catalogFeed(id)));
    const size = (await atomBytes(probe, 'ccc')).length;
    const { deps, url } = await start(size - 1);
    const first = await get(url, '/feeds/ccc.atom');
    expect([first.status, first.body.length]).toEqual([200, size]);
    await get(url, '/feeds/ccc.atom');
    expect(deps.viewCalls).toEqual(['ccc:50', 'ccc:50']);
    const cond = await get(url, '/feeds/ccc.atom', { 'if-none-match': String(first.headers['etag']) });
    expect(cond.status).toBe(304);
    expect(deps.viewCalls).toEqual(['ccc:50', 'ccc:50']);
    expect(await cacheMetrics(url)).toEqual({ bytes: 0, entries: 0, hits_total: 1, misses_total: 2 });
  });

  it('a new revision drops the bytes and the validators: the old ETag gets 200', async () => {
    const { deps, url } = await start(1024 * 1024);
    const before = await get(url, '/feeds/aaa.json', { 'accept-encoding': 'br' });
    const feed = deps.feeds.get('aaa');
    if (!feed) throw new Error('test feed missing');
    feed.entries = [entry(7, new Date('2026-11-28T11:50:00.000Z')), ...feed.entries];
    feed.revision += 1;
    const after = await get(url, '/feeds/aaa.json', { 'accept-encoding': 'br', 'if-none-match': String(before.headers['etag']) });
    expect(after.status).toBe(200);
    expect(after.headers['content-encoding']).toBe('br');
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    expect(await cacheMetrics(url)).toEqual({ bytes: after.body.length, entries: 1, hits_total: 0, misses_total: 2 });
  });
});

describe('what a cached coding holds', () => {
  it('each coding is its own allocation of exactly its length, so the budget counts what the cache holds', async () => {
    const { deps } = await start(1024 * 1024);
    const plain = await atomBytes(deps, 'aaa');
    const v = validatorsFor(plain, { revision: 0, contentType: 'application/atom+xml', cacheControl: 'no-cache', lastModified: null });
    for (const enc of ['identity', 'gzip', 'br'] as const) {
      const { body } = variantFor(v, enc, plain);
      // zlib's sync output for a small document is a view into its 16 KB chunk.
      expect(body.length).toBeLessThan(16 * 1024);
      expect([enc, body.byteOffset, body.buffer.byteLength]).toEqual([enc, 0, body.length]);
    }
    // A short document (Buffer.from's 8 KB pool) too.
    const tiny = Buffer.from('<feed/>', 'utf8');
    expect(variantFor(validatorsFor(tiny, { revision: 0, contentType: 'text/plain', cacheControl: 'no-cache', lastModified: null }), 'identity', tiny).body.buffer.byteLength).toBe(7);
  });
});

describe('memory gauges', () => {
  it('/metrics shows the process and heap gauges prom-client names, as whole byte counts', async () => {
    const { url } = await start(1024 * 1024);
    const lines = (await get(url, '/metrics')).body.toString().split('\n');
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes']) {
      expect(lines).toContain(`# TYPE ${name} gauge`);
      const sample = lines.find((l) => l.startsWith(`${name} `));
      expect(sample).toMatch(new RegExp(`^${name} [1-9]\\d*$`));
    }
    for (const [name, type] of [
      ['wirefeed_feed_cache_bytes', 'gauge'],
      ['wirefeed_feed_cache_entries', 'gauge'],
      ['wirefeed_feed_cache_hits_total', 'counter'],
      ['wirefeed_feed_cache_misses_total', 'counter'],
    ]) {
      expect(lines).toContain(`# TYPE ${name} ${type}`);
      expect(lines).toContain(`${name} 0`);
    }
  });
});
