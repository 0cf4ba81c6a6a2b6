import { describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { BASE, catalogFeed, entry, get, makeDeps } from './serve-helpers.js';
import { afterThisTest } from './helpers/tmp.js';

async function serve(hub: string | null = null, extra: Partial<Parameters<typeof startServer>[1]> = {}) {
  const deps = makeDeps([catalogFeed('anp'), catalogFeed('world', { kind: 'feed' }), catalogFeed('secret', { token: 't0ken' })], hub);
  const srv = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections: 1000, ...extra });
  afterThisTest(() => srv.close());
  return { deps, srv };
}

/** A socket that has sent a request line and one header, and never finishes its headers. */
function partialRequest(port: number): Promise<{ sock: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.write('GET /feeds/anp.atom HTTP/1.1\r\nHost: t\r\n');
      resolve({ sock, received: () => data, closed });
    });
  });
}

describe('slowloris', () => {
  it('500 connections trickling headers do not stop a normal reader, and the headers timeout ends them', async () => {
    const { srv } = await serve(null, { timeouts: { headersMs: 2000, requestMs: 4000, checkIntervalMs: 200 } });
    const loris = await Promise.all(Array.from({ length: 500 }, () => partialRequest(srv.port)));
    // Keep them alive with one more header line each, as a slowloris client does.
    const trickle = setInterval(() => {
      for (const l of loris) if (!l.sock.destroyed) l.sock.write('X-Slow: 1\r\n');
    }, 300);
    try {
      const r = await get(srv.url, '/feeds/anp.atom');
      expect(r.status).toBe(200);
      expect(r.body.length).toBeGreaterThan(0);
      await Promise.all(loris.map((l) => l.closed));
    } finally {
      clearInterval(trickle);
    }
    // Node answers a headers timeout with 408 before closing.
    const statuses = new Set(loris.map((l) => l.received().slice(0, 12)));
    expect([...statuses]).toEqual(['HTTP/1.1 408']);
    expect((await get(srv.url, '/healthz')).status).toBe(200);
  });

  it('refuses request headers over 16 KB with 431', async () => {
    const { srv } = await serve();
    const r = await get(srv.url, '/feeds/anp.atom', { 'x-big': 'a'.repeat(17 * 1024) }).catch((err: unknown) => ({ status: String(err) }));
    expect(r.status).toBe(431);
  });

  it('close() ends connections that never finish their request after the grace period', async () => {
    const deps = makeDeps([catalogFeed('anp')]);
    const srv: RunningServer = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections: 10, timeouts: { closeGraceMs: 100 } });
    const stuck = await Promise.all(Array.from({ length: 5 }, () => partialRequest(srv.port)));
    // A keep-alive connection that finished its request is idle and is closed at once.
    const idle = await get(srv.url, '/feeds/anp.rss');
    expect(idle.status).toBe(200);
    await srv.close();
    await Promise.all(stuck.map((s) => s.closed));
    expect(stuck.every((s) => s.sock.destroyed)).toBe(true);
  });
});

describe('connections and the access log', () => {
  it('past maxConnections, the oldest connection without a request in progress makes room for a reader', async () => {
    const { srv } = await serve(null, { maxConnections: 2 });
    const held = [await partialRequest(srv.port), await partialRequest(srv.port)];
    expect((await get(srv.url, '/feeds/anp.atom')).status).toBe(200);
    await held[0]?.closed;
    expect(held.map((h) => h.sock.destroyed)).toEqual([true, false]);
    expect(held[0]?.received()).toBe('');
  });

  it('logs one debug line per request with the path but never the query or token', async () => {
    const { srv, deps } = await serve(null, { accessLog: true });
    await get(srv.url, '/feeds/secret.json?token=t0ken&limit=2');
    await get(srv.url, '/feeds/secret.json', { authorization: 'Bearer t0ken' }, 'HEAD');
    await get(srv.url, '/nope?token=t0ken');
    const http = deps.lines.filter((l) => l.includes(' debug http '));
    expect(http.length).toBe(3);
    expect(http[0]).toMatch(/ method=GET path=\/feeds\/secret\.json status=200 bytes=\d+$/);
    expect(http[1]).toContain(' method=HEAD path=/feeds/secret.json status=200 bytes=0');
    expect(http[2]).toContain(' method=GET path=/nope status=404 bytes=10');
    expect(deps.lines.join('\n')).not.toContain('t0ken');
  });
});

describe('failures inside the server', () => {
  it('a feed that cannot be rendered gets 500 with a short body and an error log line; others still serve', async () => {
    const { srv, deps } = await serve();
    const anp = deps.feeds.get('anp');
    if (!anp) throw new Error('test feed missing');
    anp.entries = [{ ...entry(1, anp.updated), id: 'not a uri' }];
    anp.revision += 1;
    const r = await get(srv.url, '/feeds/anp.atom');
    expect([r.status, r.body.toString(), r.headers['content-type']]).toEqual([500, 'internal error\n', 'text/plain; charset=utf-8']);
    expect(deps.lines.filter((l) => l.includes(' error serve: request failed method=GET path=/feeds/anp.atom ')).length).toBe(1);
    expect(deps.lines.some((l) => l.includes('E_BAD_ID') || l.includes('not a uri'))).toBe(true);
    expect(deps.metrics.feedRequests.value({ status: '500' })).toBe(1);
    expect((await get(srv.url, '/feeds/world.atom')).status).toBe(200);
  });

  it('rejects with serve: E_LISTEN when the port is taken', async () => {
    const { srv } = await serve();
    const deps = makeDeps([catalogFeed('anp')]);
    await expect(startServer(deps, { host: '127.0.0.1', port: srv.port, maxConnections: 10 })).rejects.toMatchObject({
      code: 'E_LISTEN',
      message: `serve: cannot listen on 127.0.0.1:${srv.port}: listen EADDRINUSE: address already in use 127.0.0.1:${srv.port}`,
    });
  });
});

interface HubPost {
  contentType: string | undefined;
  body: string;
}

/** A WebSub hub on 127.0.0.1 that records publish POSTs and answers with `status(nth POST for that hub.url)`. */
async function startHub(status: (attempt: number) => number) {
  const posts: HubPost[] = [];
  const attempts = new Map<string, number>();
  const hub = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      posts.push({ contentType: req.headers['content-type'], body });
      const url = new URLSearchParams(body).get('hub.url') ?? '';
      const n = (attempts.get(url) ?? 0) + 1;
      attempts.set(url, n);
      res.writeHead(status(n)).end();
    });
  });
  await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
  afterThisTest(() => new Promise<void>((r) => hub.close(() => r())));
  return { url: `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`, posts };
}

const publishBody = (id: string, ext: string) => `hub.mode=publish&hub.url=${encodeURIComponent(`${BASE}/feeds/${id}.${ext}`)}`;

describe('WebSub', () => {
  it('notifyChanged POSTs hub.mode=publish for every format of each public feed', async () => {
    const hub = await startHub(() => 204);
    const { srv } = await serve(hub.url);
    srv.notifyChanged(['anp', 'secret', 'unknown']);
    await vi.waitFor(() => expect(hub.posts.length).toBe(3), { timeout: 10_000, interval: 20 });
    expect(hub.posts.map((p) => p.body).sort()).toEqual([publishBody('anp', 'atom'), publishBody('anp', 'json'), publishBody('anp', 'rss')]);
    expect(new Set(hub.posts.map((p) => p.contentType))).toEqual(new Set(['application/x-www-form-urlencoded']));
  });

  it('retries a failing hub with backoff: fails twice, then 3 POSTs per URL', async () => {
    const hub = await startHub((n) => (n <= 2 ? 503 : 204));
    const { srv, deps } = await serve(hub.url, { websubRetryDelaysMs: [10, 20, 40] });
    srv.notifyChanged(['world']);
    await vi.waitFor(() => expect(hub.posts.length).toBe(9), { timeout: 10_000, interval: 20 });
    const counts = new Map<string, number>();
    for (const p of hub.posts) counts.set(p.body, (counts.get(p.body) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ [publishBody('world', 'atom')]: 3, [publishBody('world', 'rss')]: 3, [publishBody('world', 'json')]: 3 });
    await vi.waitFor(() => expect(deps.lines.filter((l) => l.includes('websub: hub notified')).length).toBe(3), { timeout: 5000, interval: 20 });
    expect(deps.lines.filter((l) => l.includes('websub: hub notification failed, retrying')).length).toBe(6);
    expect(deps.lines.filter((l) => l.includes('E_WEBSUB_STATUS') || l.includes('answered 503')).length).toBe(6);
  });

  it('gives up after the last retry and logs an error naming the hub and URL', async () => {
    const hub = await startHub(() => 500);
    const { srv, deps } = await serve(hub.url, { websubRetryDelaysMs: [5, 5] });
    srv.notifyChanged(['anp']);
    await vi.waitFor(() => expect(deps.lines.filter((l) => l.includes('giving up')).length).toBe(3), { timeout: 10_000, interval: 20 });
    expect(hub.posts.length).toBe(9);
    const line = deps.lines.find((l) => l.includes('giving up') && l.includes('anp.atom')) ?? '';
    expect(line).toContain(`hub=${hub.url}`);
    expect(line).toContain('attempts=3');
  });

  it('serving does not wait for a hub that never answers, and close() cancels it', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    afterThisTest(async () => {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(() => r(undefined)));
    });
    const { srv } = await serve(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`);
    srv.notifyChanged(['anp', 'world']);
    expect((await get(srv.url, '/feeds/anp.atom')).status).toBe(200);
  });
});
