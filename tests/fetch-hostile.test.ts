/**
 * Issue 19, finding 1: every early exit of the HTTP fetcher is a thrown FetchError with a code,
 * never an unhandled stream error that ends the process. Each hostile response below is one
 * early-exit path; a temporary `uncaughtException` listener proves none leaks an error.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeHttp, fetchHttp, FetchError, userAgent, type HttpOptions } from '../src/fetch/index.js';
import { startDaemon, startDaemonProcess, waitFor } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const NOW = new Date('2026-01-21T12:00:00Z');
const PAGE = 'VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000\n';
const MAX = 10_000;
const OPTS: HttpOptions = { connectTimeoutMs: 2000, headersTimeoutMs: 2000, bodyTimeoutMs: 500, totalTimeoutMs: 5000, maxBytes: MAX };

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** One hostile response per early-exit path: [path, handler, code, detail of the message]. */
export const HOSTILE: [string, Route, string, string][] = [
  [
    'zstd',
    (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'zstd', 'content-length': '5' }).end('hello'),
    'E_DECOMPRESS',
    'unsupported Content-Encoding "zstd"',
  ],
  [
    'unknown-coding',
    // A token every JavaScript object has a property for: the decoder table must not find it.
    (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip, constructor' }).end(gzipSync(PAGE)),
    'E_DECOMPRESS',
    'unsupported Content-Encoding "constructor"',
  ],
  [
    'declared-too-large',
    // The whole body is sent: the fetcher refuses it on Content-Length alone.
    (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(2 * MAX) }).end(Buffer.alloc(2 * MAX, 0x61)),
    'E_TOO_LARGE',
    `body larger than ${MAX} bytes`,
  ],
  [
    'growing',
    (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 6; i++) res.write(Buffer.alloc(MAX / 2, 0x61));
      res.end();
    },
    'E_TOO_LARGE',
    `body larger than ${MAX} bytes`,
  ],
  [
    'bomb',
    (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(1024 * 1024))),
    'E_TOO_LARGE',
    `body larger than ${MAX} bytes`,
  ],
  [
    'chain-5000',
    // 14,999 bytes: under undici's header size limit, so the coding list itself reaches the fetcher.
    (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': new Array(5000).fill('br').join(',') }).end('x'),
    'E_DECOMPRESS',
    '5000 content codings (at most 2 are decoded)',
  ],
  [
    'chain-3',
    (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip, gzip, gzip' })
        .end(gzipSync(gzipSync(gzipSync(PAGE)))),
    'E_DECOMPRESS',
    '3 content codings (at most 2 are decoded)',
  ],
  [
    'corrupt-gzip',
    (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
        .end(Buffer.concat([gzipSync(PAGE).subarray(0, 10), Buffer.from('not deflate data at all')])),
    'E_DECOMPRESS',
    'corrupt compressed body',
  ],
  [
    'corrupt-br',
    (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'br' }).end(Buffer.from('this is not brotli, not at all')),
    'E_DECOMPRESS',
    'corrupt compressed body',
  ],
  [
    'reset',
    (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' });
      res.write('x'.repeat(1000), () => setTimeout(() => res.socket?.resetAndDestroy(), 50));
    },
    'E_RESET',
    'connection reset',
  ],
  [
    'stall',
    // Half a body, then silence: the body (idle) timeout fires mid-body.
    (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' });
      res.write('x'.repeat(2500));
    },
    'E_TIMEOUT',
    'no body data for 500 ms',
  ],
  [
    'status-huge',
    // An error page is discarded unread, however long it says it is.
    (_q, res) => res.writeHead(503, { 'content-type': 'text/plain', 'content-length': String(2 * MAX) }).end(Buffer.alloc(2 * MAX, 0x61)),
    'E_HTTP_STATUS',
    '503 Service Unavailable',
  ],
  ['redirect-ftp', (_q, res) => res.writeHead(302, { location: 'ftp://127.0.0.1/wire.txt' }).end(), 'E_REDIRECT_SCHEME', ''],
  ['redirects', (q, res) => res.writeHead(302, { location: `${q.url ?? '/'}/more` }).end(), 'E_TOO_MANY_REDIRECTS', 'more than 5 redirects'],
];

/** A site that serves `/<name>` (and everything under it) with HOSTILE's handler of that name. */
async function startHostileSite(extra: Record<string, Route> = {}): Promise<{ url: string; server: Server }> {
  const routes = { ...Object.fromEntries(HOSTILE.map(([name, route]) => [name, route])), ...extra };
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('/')[1] ?? ''];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Errors that reached `uncaughtException` during a test: each one would have ended the daemon. */
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);
beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
});

/** Let stream errors that fire after the fetch settled (setImmediate, nextTick) surface. */
const drain = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('fetchHttp early exits', () => {
  let site: { url: string; server: Server };
  beforeAll(async () => {
    site = await startHostileSite({ page: (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(PAGE) });
  });
  afterAll(async () => {
    await closeHttp();
    site.server.closeAllConnections();
    site.server.close();
  });

  const get = (path: string) =>
    fetchHttp({ url: `${site.url}/${path}`, etag: null, lastModified: null, userAgent: userAgent('0.1.0', 'http://127.0.0.1:8080'), now: NOW, allowPrivateRedirects: false }, OPTS);

  for (const [path, , code, detail] of HOSTILE) {
    it(`${path}: a FetchError ${code}, no uncaught error`, async () => {
      const err = await get(path).then(
        () => null,
        (e: unknown) => e,
      );
      await drain();
      expect(uncaught).toEqual([]);
      expect(err).toBeInstanceOf(FetchError);
      const fe = err as FetchError;
      expect(fe.code).toBe(code);
      if (detail !== '') expect(fe.message.endsWith(`: ${detail}`), fe.message).toBe(true);
    });
  }

  it('decodes a chain of two codings, applied gzip first then br', async () => {
    const body = brotliCompressSync(gzipSync(PAGE));
    const server = createServer((_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip, br' }).end(body));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    afterThisTest(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const res = await fetchHttp({ url, etag: null, lastModified: null, userAgent: 'ua', now: NOW, allowPrivateRedirects: false }, OPTS);
    expect(res.status === 'ok' && Buffer.from(res.bytes).toString()).toBe(PAGE);
  });
});

describe('daemon against a hostile site', () => {
  it('survives every early-exit path, and records each as a source failure, twice', async () => {
    const site = await startHostileSite();
    afterThisTest(() => {
      site.server.closeAllConnections();
      return new Promise((resolve) => site.server.close(resolve));
    });
    const dir = await tempDir();
    const yaml = [
      'state: { dir: ./state }',
      `http: { maxBytes: ${MAX} }`,
      'sources:',
      ...HOSTILE.map(([name]) => `  - { id: ${name}, title: ${name}, url: ${site.url}/${name}, schedule: "0 0 1 1 *", lang: nl }`),
    ].join('\n');
    const { app } = await startDaemon(dir, yaml, { http: { ...OPTS, maxBytes: MAX } });
    afterThisTest(() => app.stop(3000));
    await app.settled;
    const ids = HOSTILE.map(([name]) => name);
    // The start-up poll is the first failure of each; one more poll is the second.
    await waitFor('every source to fail once', async () => (await Promise.all(ids.map((id) => app.store.source(id)))).every((s) => s.consecutiveFailures >= 1));
    await Promise.all(ids.map((id) => app.pollNow(id)));
    await drain();
    expect(uncaught).toEqual([]);

    const health = (await (await fetch(`${app.url}/healthz`)).json()) as {
      sources: Record<string, { lastError: string | null; consecutiveFailures: number }>;
    };
    const got = ids.map((id) => {
      const h = health.sources[id]!;
      return [id, h.lastError?.match(/^fetch: (E_[A-Z_]+): GET /)?.[1] ?? h.lastError, h.consecutiveFailures];
    });
    expect(got).toEqual(HOSTILE.map(([name, , code]) => [name, code, 2]));
  });
});

describe('daemon process against a hostile site', () => {
  // The two responses of the issue that ended the process (13 of 14 starts), run by the built
  // bundle as a child: it must stay up and record a failure per poll.
  it('stays up on zstd and on an over-long Content-Length, and fails each poll with its code', async () => {
    const site = await startHostileSite();
    afterThisTest(() => {
      site.server.closeAllConnections();
      return new Promise((resolve) => site.server.close(resolve));
    });
    const dir = await tempDir();
    const config = join(dir, 'wirefeed.yaml');
    await writeFile(
      config,
      [
        'server: { port: 0 }',
        'state: { dir: ./state }',
        `http: { maxBytes: ${MAX} }`,
        'sources:',
        // Every second: the backoff after failure 1 is one second, so the second poll comes soon.
        ...['zstd', 'declared-too-large'].map((id) => `  - { id: ${id}, title: ${id}, url: ${site.url}/${id}, schedule: "* * * * * *", lang: nl }`),
      ].join('\n'),
    );
    const daemon = await startDaemonProcess(['--config', config]);
    afterThisTest(() => daemon.kill('SIGTERM'));
    type Health = { sources: Record<string, { lastError: string | null; consecutiveFailures: number }> };
    let health: Health | null = null;
    await waitFor(
      'both sources to fail twice',
      async () => {
        health = (await (await fetch(`${daemon.url}/healthz`)).json()) as Health;
        return Object.values(health.sources).every((s) => s.consecutiveFailures >= 2);
      },
      30_000,
    );
    const codes = Object.entries(health!.sources).map(([id, s]) => [id, s.lastError?.match(/^fetch: (E_[A-Z_]+): /)?.[1]]);
    expect(codes).toEqual([
      ['zstd', 'E_DECOMPRESS'],
      ['declared-too-large', 'E_TOO_LARGE'],
    ]);
    expect(daemon.lines.filter((l) => l.includes('Request aborted'))).toEqual([]);
  });
});
