/**
 * The connection cap under connections that never finish their request headers: they cannot fill
 * it, because the oldest connection without a request in progress makes room for a new one.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { startServer } from '../src/serve/index.js';
import { afterThisTest } from './helpers/tmp.js';
import { catalogFeed, entry, get, makeDeps } from './serve-helpers.js';

interface Client {
  sock: Socket;
  /** Bytes received so far. */
  received: number;
  closed: boolean;
  whenClosed: Promise<void>;
}

/**
 * A raw connection that writes `text` once connected; never fails the test on a reset. A `stall`
 * client stops reading after its first chunk.
 */
function open(port: number, text: string, stall = false): Promise<Client> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const c: Client = { sock, received: 0, closed: false, whenClosed: Promise.resolve() };
    c.whenClosed = new Promise<void>((r) =>
      sock.on('close', () => {
        c.closed = true;
        r();
      }),
    );
    sock.on('data', (chunk: Buffer) => {
      c.received += chunk.length;
      if (stall) sock.pause();
    });
    sock.on('error', (err) => (c.closed ? undefined : sock.connecting ? reject(err) : undefined));
    sock.once('connect', () => {
      sock.write(text);
      resolve(c);
    });
  });
}

const PARTIAL = 'GET / HTTP/1.1\r\nHost: x';

async function serve(maxConnections: number, feedCacheBytes?: number) {
  const deps = makeDeps([catalogFeed('anp')]);
  const srv = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections, ...(feedCacheBytes ? { feedCacheBytes } : {}) });
  afterThisTest(() => srv.close());
  return { deps, srv };
}

describe('partial headers and the connection cap', () => {
  it('1,005 connections sending partial headers: a complete request is still answered, the oldest partial ones make room', { timeout: 8000 }, async () => {
    const { srv } = await serve(1000);
    const partial: Client[] = [];
    // In batches, so that the server accepts them in about the order they were opened.
    for (let i = 0; i < 1005; i += 25) partial.push(...(await Promise.all(Array.from({ length: Math.min(25, 1005 - i) }, () => open(srv.port, PARTIAL)))));
    afterThisTest(() => partial.forEach((p) => p.sock.destroy()));
    await vi.waitFor(() => expect(partial.filter((p) => p.closed).length).toBe(5), { timeout: 5000, interval: 20 });

    const r = await get(srv.url, '/feeds/anp.atom');
    expect(r.status).toBe(200);
    // The five over the cap and one for the reader's connection; none of them got an answer.
    await vi.waitFor(() => expect(partial.filter((p) => p.closed).length).toBe(6), { timeout: 5000, interval: 20 });
    expect(partial.filter((p) => p.closed).every((p) => p.received === 0)).toBe(true);
    expect(partial.slice(0, 25).filter((p) => p.closed).length).toBe(6);
  });

  it('refuses a new connection only while every connection has a request in progress, and serves again once one is done', async () => {
    const { deps, srv } = await serve(2, 256 * 1024 * 1024);
    const anp = deps.feeds.get('anp');
    if (!anp) throw new Error('test feed missing');
    // A body far larger than the socket buffers: a reader that stops reading keeps its response in progress.
    anp.entries = Array.from({ length: 500 }, (_, i) => ({ ...entry(i, anp.updated), body: ['x'.repeat(96 * 1024)] }));
    anp.revision += 1;
    const slow = await Promise.all([0, 1].map(() => open(srv.port, 'GET /feeds/anp.json?limit=500 HTTP/1.1\r\nHost: x\r\n\r\n', true)));
    await vi.waitFor(() => expect(slow.map((s) => s.received > 0)).toEqual([true, true]), { timeout: 10_000, interval: 20 });

    const refused = await get(srv.url, '/healthz').then(
      (r) => `status ${r.status}`,
      (err: unknown) => String((err as { code?: unknown }).code),
    );
    expect(refused).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    expect(slow.map((s) => s.closed)).toEqual([false, false]);

    for (const s of slow) s.sock.destroy();
    await Promise.all(slow.map((s) => s.whenClosed));
    await vi.waitFor(async () => expect((await get(srv.url, '/healthz')).status).toBe(200), { timeout: 5000, interval: 50 });
  });
});
