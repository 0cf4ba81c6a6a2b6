import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttp, fetchHttp, fetchSource, FetchError, userAgent, type FetchContext, type HttpOptions } from '../src/fetch/index.js';

const NOW = new Date('2026-01-21T12:00:00Z');
const UA = userAgent('0.1.0', 'http://127.0.0.1:8080');
const PAGE = 'VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000\n';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');

type Handler = (res: ServerResponse, headers: IncomingHttpHeaders) => void;
const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
let server: Server;
let base: string;
let port: number;
/** Bytes the /huge route managed to write before the client hung up. */
let hugeWritten = 0;

const redirect = (to: string): Handler => (res) => {
  res.writeHead(302, { location: to });
  res.end();
};

const routes: Record<string, Handler> = {
  '/page': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', etag: '"v1"', 'last-modified': 'Wed, 21 Jan 2026 11:00:00 GMT' });
    res.end(PAGE);
  },
  '/conditional': (res, h) => {
    if (h['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"' });
      res.end(PAGE);
    }
  },
  '/gzip': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync(PAGE));
  },
  '/br': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'br' });
    res.end(brotliCompressSync(PAGE));
  },
  '/corrupt-gzip': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(Buffer.concat([gzipSync(PAGE).subarray(0, 10), Buffer.from('not deflate data at all')]));
  },
  '/r1': redirect('/r2'),
  '/r2': redirect('r3'),
  '/r3': redirect('/page'),
  '/loop-a': redirect('/loop-b'),
  '/loop-b': redirect('/loop-a'),
  '/to-file': redirect('file:///etc/passwd'),
  '/to-data': redirect('data:text/plain,hi'),
  '/to-localhost': (res) => redirect(`http://localhost:${port}/page`)(res, {}),
  '/to-loopback-ip': (res) => redirect(`http://127.0.0.1:${port}/page`)(res, {}),
  '/500': (res) => {
    res.writeHead(500);
    res.end('boom');
  },
  '/503-seconds': (res) => {
    res.writeHead(503, { 'retry-after': '120' });
    res.end();
  },
  '/503-date': (res) => {
    res.writeHead(503, { 'retry-after': 'Wed, 21 Jan 2026 12:05:00 GMT' });
    res.end();
  },
  '/429': (res) => {
    res.writeHead(429, { 'retry-after': '30' });
    res.end();
  },
  '/404': (res) => {
    res.writeHead(404);
    res.end();
  },
  '/hang': () => {
    // Never answers: the headers timeout must fire.
  },
  '/trickle': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('x'), 100);
    res.on('close', () => clearInterval(timer));
  },
  '/reset': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
    res.write('x'.repeat(1000), () => setTimeout(() => res.socket?.resetAndDestroy(), 50));
  },
  '/huge': (res) => {
    // 50 MB in 64 KB chunks, chunked (no Content-Length), honouring back-pressure.
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    hugeWritten = 0;
    const pump = (): void => {
      while (hugeWritten < 50 * 1024 * 1024 && !res.destroyed) {
        hugeWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  },
  '/huge-declared': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(50 * 1024 * 1024) });
    res.write('x');
  },
  '/bomb': (res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
    res.end(BOMB);
  },
  '/empty': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end();
  },
  '/png': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PNG);
  },
};
for (let i = 1; i <= 6; i++) routes[`/chain${i}`] = redirect(i === 6 ? '/page' : `/chain${i + 1}`);

let BOMB: Buffer;

beforeAll(async () => {
  BOMB = gzipSync(Buffer.alloc(100 * 1024 * 1024));
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, headers: req.headers });
    const route = routes[path];
    if (route) route(res, req.headers);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await closeHttp();
  server.closeAllConnections();
  server.close();
});

const FAST: HttpOptions = { connectTimeoutMs: 1000, headersTimeoutMs: 300, bodyTimeoutMs: 300, totalTimeoutMs: 2000 };

function get(path: string, extra: Partial<{ etag: string; lastModified: string; allowPrivateRedirects: boolean }> = {}, opts: HttpOptions = FAST) {
  return fetchHttp(
    {
      url: base + path,
      etag: extra.etag ?? null,
      lastModified: extra.lastModified ?? null,
      userAgent: UA,
      now: NOW,
      allowPrivateRedirects: extra.allowPrivateRedirects ?? false,
    },
    opts,
  );
}

async function failure(p: Promise<unknown>): Promise<FetchError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof FetchError)) throw new Error(`expected a FetchError, got ${String(err)}`);
  return err;
}

describe('fetchHttp', () => {
  it('returns the body with its validators and sends our exact headers', async () => {
    expect(await get('/page')).toEqual({
      status: 'ok',
      bytes: Buffer.from(PAGE),
      contentType: 'text/plain; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Wed, 21 Jan 2026 11:00:00 GMT',
      finalUrl: `${base}/page`,
    });
    const h = seen.findLast((s) => s.path === '/page')?.headers;
    expect(h?.['user-agent']).toBe('wirefeed/0.1.0 (+http://127.0.0.1:8080)');
    expect(h?.accept).toBe('text/html, text/plain;q=0.9, */*;q=0.5');
    expect(h?.['accept-encoding']).toBe('gzip, br');
    expect(h?.['if-none-match']).toBeUndefined();
  });

  it('sends the stored validators and reports 304 as not-modified', async () => {
    expect(await get('/conditional', { etag: '"v1"', lastModified: 'Wed, 21 Jan 2026 11:00:00 GMT' })).toEqual({ status: 'not-modified' });
    const h = seen.findLast((s) => s.path === '/conditional')?.headers;
    expect([h?.['if-none-match'], h?.['if-modified-since']]).toEqual(['"v1"', 'Wed, 21 Jan 2026 11:00:00 GMT']);
    const fresh = await get('/conditional', { etag: '"v0"' });
    expect(fresh.status).toBe('ok');
  });

  it('decompresses gzip and br bodies', async () => {
    for (const path of ['/gzip', '/br']) {
      const res = await get(path);
      expect(res.status === 'ok' && Buffer.from(res.bytes).toString()).toBe(PAGE);
    }
  });

  it('reports a corrupt gzip body as E_DECOMPRESS', async () => {
    const err = await failure(get('/corrupt-gzip'));
    expect(err.code).toBe('E_DECOMPRESS');
    expect(err.message).toBe(`fetch: E_DECOMPRESS: GET ${base}/corrupt-gzip: corrupt compressed body`);
  });

  it('follows a chain of 3 redirects and reports the final URL', async () => {
    const res = await get('/r1');
    expect(res.status === 'ok' && res.finalUrl).toBe(`${base}/page`);
  });

  it('follows 5 redirects but not 6', async () => {
    const five = await get('/chain2');
    expect(five.status === 'ok' && five.finalUrl).toBe(`${base}/page`);
    const err = await failure(get('/chain1'));
    expect(err.code).toBe('E_TOO_MANY_REDIRECTS');
    expect(err.message).toBe(`fetch: E_TOO_MANY_REDIRECTS: GET ${base}/chain6: more than 5 redirects`);
  });

  it('stops a redirect loop', async () => {
    const err = await failure(get('/loop-a'));
    expect(err.code).toBe('E_REDIRECT_LOOP');
    expect(err.message).toBe(`fetch: E_REDIRECT_LOOP: GET ${base}/loop-b: redirect loop back to ${base}/loop-a`);
  });

  it('refuses redirects to non-HTTP schemes', async () => {
    const err = await failure(get('/to-file'));
    expect(err.code).toBe('E_REDIRECT_SCHEME');
    expect(err.message).toBe(`fetch: E_REDIRECT_SCHEME: GET ${base}/to-file: redirect to file: URL file:///etc/passwd refused (only http and https)`);
    expect((await failure(get('/to-data'))).code).toBe('E_REDIRECT_SCHEME');
  });

  it('refuses a redirect from a public source to a loopback name or address unless allowed', async () => {
    // The test server can only be on loopback, so the source is declared public (sourceIsPublic).
    const publicSource: HttpOptions = { ...FAST, sourceIsPublic: true };
    const byName = await failure(get('/to-localhost', {}, publicSource));
    expect(byName.code).toBe('E_PRIVATE_REDIRECT');
    expect(byName.message).toBe(
      `fetch: E_PRIVATE_REDIRECT: GET ${base}/to-localhost: redirect to private address http://localhost:${port}/page refused (set allowPrivateRedirects: true to allow)`,
    );
    expect((await failure(get('/to-loopback-ip', {}, publicSource))).code).toBe('E_PRIVATE_REDIRECT');
    const allowed = await get('/to-localhost', { allowPrivateRedirects: true }, publicSource);
    expect(allowed.status === 'ok' && allowed.finalUrl).toBe(`http://localhost:${port}/page`);
    // A source configured on loopback itself may redirect within it.
    const local = await get('/to-loopback-ip');
    expect(local.status === 'ok' && local.finalUrl).toBe(`${base}/page`);
  });

  it('reports 4xx/5xx with status and Retry-After', async () => {
    const cases: [string, number, number | null, string][] = [
      ['/500', 500, null, '500 Internal Server Error'],
      ['/503-seconds', 503, 120_000, '503 Service Unavailable (retry after 120 s)'],
      ['/503-date', 503, 300_000, '503 Service Unavailable (retry after 300 s)'],
      ['/429', 429, 30_000, '429 Too Many Requests (retry after 30 s)'],
      ['/404', 404, null, '404 Not Found'],
    ];
    for (const [path, status, retryAfterMs, text] of cases) {
      const err = await failure(get(path));
      expect([err.code, err.status, err.retryAfterMs, err.message]).toEqual([
        'E_HTTP_STATUS',
        status,
        retryAfterMs,
        `fetch: E_HTTP_STATUS: GET ${base}${path}: ${text}`,
      ]);
    }
  });

  it('times out when headers never come', async () => {
    const err = await failure(get('/hang'));
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.message).toBe(`fetch: E_TIMEOUT: GET ${base}/hang: no response headers within 300 ms`);
    expect((err.cause as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('enforces a total deadline on a body trickled one byte per 100 ms', async () => {
    const err = await failure(get('/trickle', {}, { ...FAST, totalTimeoutMs: 800 }));
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.message).toBe(`fetch: E_TIMEOUT: GET ${base}/trickle: not complete within 800 ms`);
  });

  it('reports a connection reset mid-body as E_RESET', async () => {
    const err = await failure(get('/reset'));
    expect(err.code).toBe('E_RESET');
  });

  it('stops a 50 MB body at the 5 MB cap without reading it all', async () => {
    const err = await failure(get('/huge'));
    expect(err.code).toBe('E_TOO_LARGE');
    expect(err.message).toBe(`fetch: E_TOO_LARGE: GET ${base}/huge: body larger than 5242880 bytes`);
    expect(hugeWritten).toBeLessThan(20 * 1024 * 1024);
    expect((await failure(get('/huge-declared'))).code).toBe('E_TOO_LARGE');
  });

  it('stops a gzip bomb on its decompressed size', async () => {
    const err = await failure(get('/bomb'));
    expect(err.code).toBe('E_TOO_LARGE');
  });

  it('reports a refused connection', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const closedPort = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const err = await failure(
      fetchHttp({ url: `http://127.0.0.1:${closedPort}/`, etag: null, lastModified: null, userAgent: UA, now: NOW, allowPrivateRedirects: false }, FAST),
    );
    expect(err.code).toBe('E_REFUSED');
    expect(err.message).toBe(`fetch: E_REFUSED: GET http://127.0.0.1:${closedPort}/: connection refused`);
  });
});

describe('fetchSource', () => {
  const ctx = (): FetchContext => ({ now: NOW, userAgent: UA, http: FAST, allowPrivateRedirects: false });

  it('turns a page into a Document and passes the validators on', async () => {
    expect(await fetchSource({ id: 'anp', url: `${base}/r1` }, { etag: null, lastModified: null }, ctx())).toEqual({
      kind: 'document',
      document: { sourceId: 'anp', url: `${base}/page`, mediaType: 'text/plain', text: PAGE, fetchedAt: NOW },
      etag: '"v1"',
      lastModified: 'Wed, 21 Jan 2026 11:00:00 GMT',
      warnings: [],
    });
    expect(await fetchSource({ id: 'anp', url: `${base}/conditional` }, { etag: '"v1"', lastModified: null }, ctx())).toEqual({ kind: 'not-modified' });
  });

  it('refuses an empty 200 and a PNG served as text/html', async () => {
    const empty = await failure(fetchSource({ id: 'anp', url: `${base}/empty` }, { etag: null, lastModified: null }, ctx()));
    expect(empty.message).toBe(`fetch: E_EMPTY: GET ${base}/empty: empty body`);
    const png = await failure(fetchSource({ id: 'anp', url: `${base}/png` }, { etag: null, lastModified: null }, ctx()));
    expect(png.message).toBe(`fetch: E_BINARY: GET ${base}/png: binary content (PNG signature), not decoded`);
  });

  it('reads files with a media type from the extension, and refuses empty, binary and missing ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wirefeed-fetch-'));
    try {
      const html = join(dir, 'page.html');
      await writeFile(html, '<p>Curaçao</p>');
      expect(await fetchSource({ id: 'f', path: html }, { etag: null, lastModified: null }, ctx())).toEqual({
        kind: 'document',
        document: { sourceId: 'f', url: pathToFileURL(html).href, mediaType: 'text/html', text: '<p>Curaçao</p>', fetchedAt: NOW },
        etag: null,
        lastModified: null,
        warnings: [],
      });
      const txt = join(dir, 'wire.txt');
      await writeFile(txt, PAGE);
      const doc = await fetchSource({ id: 'f', path: txt }, { etag: null, lastModified: null }, ctx());
      expect(doc.kind === 'document' && doc.document.mediaType).toBe('text/plain');

      const cases: [string, Buffer | null, string][] = [
        ['empty.txt', Buffer.alloc(0), 'E_EMPTY'],
        ['image.html', PNG, 'E_BINARY'],
        ['big.txt', Buffer.alloc(2000, 0x61), 'E_TOO_LARGE'],
        ['missing.txt', null, 'E_FILE'],
      ];
      for (const [name, content, code] of cases) {
        const path = join(dir, name);
        if (content) await writeFile(path, content);
        const err = await failure(fetchSource({ id: 'f', path }, { etag: null, lastModified: null }, { ...ctx(), http: { maxBytes: 1000 } }));
        expect(err.code).toBe(code);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
