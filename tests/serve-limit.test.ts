/**
 * `?limit=`: a request's limit is served from one of a few fixed representations, so rotating
 * limits cannot make every request render and compress a feed again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { catalogFeed, entry, get, makeDeps, type TestDeps } from './serve-helpers.js';

let deps: TestDeps;
let srv: RunningServer;

beforeAll(async () => {
  deps = makeDeps([catalogFeed('big'), catalogFeed('small', { maxEntries: 30 })]);
  const at = new Date('2026-11-28T11:00:00.000Z');
  for (const id of ['big', 'small']) {
    const feed = deps.feeds.get(id);
    if (!feed) throw new Error('test feed missing');
    // More entries than the largest step, as a real feed holds.
    feed.entries = Array.from({ length: 600 }, (_, i) => entry(i, new Date(at.getTime() - i * 60_000)));
  }
  srv = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections: 100 });
});

afterAll(async () => {
  await srv.close();
});

const g = (path: string, headers: Record<string, string> = {}) => get(srv.url, path, headers);
const items = async (path: string) => (JSON.parse((await g(path)).body.toString()) as { items: unknown[] }).items.length;

describe('?limit= and the feed cache', () => {
  it('rotating limits 1..500 renders each format at most once per fixed step', async () => {
    for (const ext of ['atom', 'rss', 'json']) {
      deps.viewCalls.length = 0;
      for (let n = 1; n <= 500; n++) {
        const r = await g(`/feeds/big.${ext}?limit=${n}`, { 'accept-encoding': 'br' });
        expect(r.status).toBe(200);
      }
      expect(deps.viewCalls).toEqual(['big:10', 'big:25', 'big:50', 'big:100', 'big:250', 'big:500']);
    }
  });

  it('a limit is rounded up to the next step: the same bytes and ETag as the step itself', async () => {
    const seven = await g('/feeds/big.atom?limit=7');
    const ten = await g('/feeds/big.atom?limit=10');
    expect(seven.headers['etag']).toBe(ten.headers['etag']);
    expect(seven.body.equals(ten.body)).toBe(true);
    expect([await items('/feeds/big.json?limit=1'), await items('/feeds/big.json?limit=26'), await items('/feeds/big.json')]).toEqual([10, 50, 50]);
  });

  it("steps stop at the feed's own maximum", async () => {
    deps.viewCalls.length = 0;
    for (let n = 1; n <= 500; n += 7) await g(`/feeds/small.rss?limit=${n}`);
    expect(deps.viewCalls).toEqual(['small:10', 'small:25', 'small:30']);
  });

  it('a limit over the maximum is capped, not refused', async () => {
    const r = await g('/feeds/big.json?limit=9999');
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body.toString()) as { items: unknown[] }).items.length).toBe(500);
    expect(await items('/feeds/big.json?limit=501')).toBe(500);
    expect(await items('/feeds/big.json?limit=99999999999999999999999')).toBe(500);
    expect(await items('/feeds/small.json?limit=9999')).toBe(30);
  });

  it.each(['0', '-1', 'abc', '1.5', '', '007', '1e2'])('limit=%s is still 400', async (limit) => {
    const r = await g(`/feeds/big.atom?limit=${limit}`);
    expect([r.status, r.body.toString()]).toEqual([400, 'limit must be a positive whole number\n']);
  });
});
