/**
 * Issue 19, finding 3: redirects must not reach special-purpose addresses. The table check, IPv6
 * forms that carry an IPv4 address, and the per-hop resolution: one answer per hop, decided on
 * address by address, and the connection made to exactly the addresses that were checked. Host
 * names are answered by an injected `lookup`; every connection stays on loopback.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttp, fetchHttp, FetchError, specialPurpose, type HttpOptions, type ResolvedAddress } from '../src/fetch/index.js';

const NOW = new Date('2026-01-21T12:00:00Z');
const PAGE = 'BRUSSEL (ANP) - De Europese Commissie presenteert woensdag haar plannen.\n';
/** A public address the tests only ever let a name answer, never connect to. */
const PUBLIC = '93.184.216.34';

describe('specialPurpose', () => {
  it('names the registry row of every address the issue found missing', () => {
    const cases: [string, string][] = [
      ['100.100.100.200', '100.100.100.200 is in 100.64.0.0/10 Shared Address Space (RFC 6598)'],
      ['198.18.0.1', '198.18.0.1 is in 198.18.0.0/15 Benchmarking (RFC 2544)'],
      ['198.19.255.255', '198.19.255.255 is in 198.18.0.0/15 Benchmarking (RFC 2544)'],
      ['192.0.0.1', '192.0.0.1 is in 192.0.0.0/29 IPv4 Service Continuity Prefix (RFC 7335)'],
      ['192.0.0.200', '192.0.0.200 is in 192.0.0.0/24 IETF Protocol Assignments (RFC 6890)'],
      ['224.0.0.1', '224.0.0.1 is in 224.0.0.0/4 Multicast (RFC 5771)'],
      ['239.255.255.250', '239.255.255.250 is in 224.0.0.0/4 Multicast (RFC 5771)'],
      ['240.0.0.1', '240.0.0.1 is in 240.0.0.0/4 Reserved (RFC 1112)'],
      ['255.255.255.255', '255.255.255.255 is in 255.255.255.255/32 Limited Broadcast (RFC 919)'],
      ['0.0.0.0', '0.0.0.0 is in 0.0.0.0/32 "This host on this network" (RFC 1122)'],
      ['::ffff:7f00:1', '::ffff:7f00:1 is IPv4-mapped 127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)'],
      ['::ffff:127.0.0.1', '::ffff:127.0.0.1 is IPv4-mapped 127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)'],
      ['::7f00:1', '::7f00:1 is IPv4-compatible 127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)'],
      ['64:ff9b::7f00:1', '64:ff9b::7f00:1 is NAT64 127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)'],
      ['2002:7f00:1::', '2002:7f00:1:: is 6to4 127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)'],
      ['::ffff:a9fe:a9fe', '::ffff:a9fe:a9fe is IPv4-mapped 169.254.169.254 is in 169.254.0.0/16 Link Local (RFC 3927)'],
      ['64:ff9b::a9fe:a9fe', '64:ff9b::a9fe:a9fe is NAT64 169.254.169.254 is in 169.254.0.0/16 Link Local (RFC 3927)'],
      ['2002:a9fe:a9fe::1', '2002:a9fe:a9fe::1 is 6to4 169.254.169.254 is in 169.254.0.0/16 Link Local (RFC 3927)'],
      ['64:ff9b:1::a00:1', '64:ff9b:1::a00:1 is in 64:ff9b:1::/48 IPv4-IPv6 Translat. (local use) (RFC 8215)'],
      ['2001::1', '2001::1 is in 2001::/32 TEREDO (RFC 4380)'],
      ['::1', '::1 is in ::1/128 Loopback Address (RFC 4291)'],
      ['::', ':: is in ::/128 Unspecified Address (RFC 4291)'],
      ['fd00::2', 'fd00::2 is in fc00::/7 Unique-Local (RFC 4193)'],
      ['fe80::1', 'fe80::1 is in fe80::/10 Link-Local Unicast (RFC 4291)'],
      ['ff02::1', 'ff02::1 is in ff00::/8 Multicast (RFC 4291)'],
      ['[::1]', '::1 is in ::1/128 Loopback Address (RFC 4291)'],
      ['localhost', 'localhost is not an IP address'],
    ];
    expect(cases.map(([ip]) => [ip, specialPurpose(ip)])).toEqual(cases);
  });

  it('lets public addresses through, also inside NAT64, 6to4 and mapped forms', () => {
    const open = ['8.8.8.8', '1.1.1.1', PUBLIC, '100.63.255.255', '100.128.0.0', '198.20.0.1', '223.255.255.255', '2606:4700:4700::1111', '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8'];
    expect(open.map((ip) => [ip, specialPurpose(ip)])).toEqual(open.map((ip) => [ip, null]));
  });
});

describe('redirects, address by address', () => {
  let server: Server;
  let port: number;
  /** Paths requested, with the Host header they came with. */
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      hits.push(`${req.headers.host ?? ''}${url.pathname}`);
      const to = url.searchParams.get('to');
      if (to !== null) res.writeHead(302, { location: to.replaceAll('PORT', String(port)) }).end();
      else if (url.pathname === '/page') res.writeHead(200, { 'content-type': 'text/plain' }).end(PAGE);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await closeHttp();
    server.closeAllConnections();
    server.close();
  });

  /** A resolver that answers each name from a script, one answer per call, and counts the calls. */
  function scripted(answers: Record<string, string[][]>) {
    const calls: string[] = [];
    const lookup = (name: string): Promise<ResolvedAddress[]> => {
      const n = calls.filter((c) => c === name).length;
      calls.push(name);
      const script = answers[name] ?? [];
      const answer = script[Math.min(n, script.length - 1)] ?? [];
      return Promise.resolve(answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    };
    return { lookup, calls };
  }

  const FAST: HttpOptions = { connectTimeoutMs: 1000, headersTimeoutMs: 1000, bodyTimeoutMs: 1000, totalTimeoutMs: 3000 };

  function get(url: string, opts: HttpOptions, allowPrivateRedirects = false) {
    return fetchHttp({ url: url.replaceAll('PORT', String(port)), etag: null, lastModified: null, userAgent: 'ua', now: NOW, allowPrivateRedirects }, { ...FAST, ...opts });
  }

  async function failure(p: Promise<unknown>): Promise<FetchError> {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    if (!(err instanceof FetchError)) throw new Error(`expected a FetchError, got ${String(err)}`);
    return err;
  }

  it('refuses a redirect to an IPv4-mapped loopback literal, which the URL parser rewrites to hex', async () => {
    const err = await failure(get('http://127.0.0.1:PORT/r?to=http://[::ffff:127.0.0.1]:PORT/page', { sourceIsPublic: true }));
    expect([err.code, err.message, (err.cause as Error).message]).toEqual([
      'E_PRIVATE_REDIRECT',
      `fetch: E_PRIVATE_REDIRECT: GET http://127.0.0.1:${port}/r?to=http://[::ffff:127.0.0.1]:${port}/page: redirect to private address http://[::ffff:7f00:1]:${port}/page refused (set allowPrivateRedirects: true to allow)`,
      '::ffff:7f00:1 is IPv4-mapped 127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)',
    ]);
    for (const literal of ['::7f00:1', '64:ff9b::7f00:1', '2002:7f00:1::', '::ffff:a9fe:a9fe']) {
      const other = await failure(get(`http://127.0.0.1:PORT/r?to=http://[${literal}]:PORT/page`, { sourceIsPublic: true }));
      expect([literal, other.code, (other.cause as Error).message.startsWith(`${literal} is `)]).toEqual([literal, 'E_PRIVATE_REDIRECT', true]);
    }
    // Allowed, the same literal connects to 127.0.0.1: the refusal was about the address, not the syntax.
    const allowed = await get('http://127.0.0.1:PORT/r?to=http://[::ffff:127.0.0.1]:PORT/page', { sourceIsPublic: true }, true);
    expect(allowed.status === 'ok' && allowed.finalUrl).toBe(`http://[::ffff:7f00:1]:${port}/page`);
  });

  it('refuses a name that answers a public and a loopback address, without connecting', async () => {
    const dns = scripted({ 'mixed.test': [[PUBLIC, '127.0.0.1']] });
    const before = hits.length;
    const err = await failure(get('http://127.0.0.1:PORT/r?to=http://mixed.test:PORT/page', { sourceIsPublic: true, lookup: dns.lookup }));
    expect([err.code, (err.cause as Error).message]).toEqual(['E_PRIVATE_REDIRECT', '127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)']);
    expect(dns.calls).toEqual(['mixed.test']);
    expect(hits.slice(before)).toEqual([`127.0.0.1:${port}/r`]);
  });

  it('resolves a hop once and connects to the checked answer, whatever a second answer says', async () => {
    // The source is on 127.0.0.1, so a redirect back to 127.0.0.1 is allowed; the second answer
    // (127.0.0.2, where nothing listens, and which is not the source's own) is never asked for.
    const dns = scripted({ 'rebind.test': [['127.0.0.1'], ['127.0.0.2']] });
    const res = await get('http://127.0.0.1:PORT/r?to=http://rebind.test:PORT/page', { lookup: dns.lookup });
    expect(res.status === 'ok' && [res.finalUrl, Buffer.from(res.bytes).toString()]).toEqual([`http://rebind.test:${port}/page`, PAGE]);
    expect(dns.calls).toEqual(['rebind.test']);
    expect(hits.at(-1)).toBe(`rebind.test:${port}/page`);
    // The next fetch asks again, gets 127.0.0.2, and refuses it: one answer per hop.
    const again = await failure(get('http://127.0.0.1:PORT/r?to=http://rebind.test:PORT/page', { lookup: dns.lookup }));
    expect([again.code, (again.cause as Error).message]).toEqual(['E_PRIVATE_REDIRECT', '127.0.0.2 is in 127.0.0.0/8 Loopback (RFC 1122)']);
    expect(dns.calls).toEqual(['rebind.test', 'rebind.test']);
  });

  it("lets a source on a private address reach that address, and no other one", async () => {
    // Before, one private address of the source turned off every check of its redirects.
    const dns = scripted({ 'intranet.test': [['127.0.0.1']] });
    const own = await get('http://intranet.test:PORT/r?to=http://127.0.0.1:PORT/page', { lookup: dns.lookup });
    expect(own.status === 'ok' && own.finalUrl).toBe(`http://127.0.0.1:${port}/page`);
    const other = await failure(get('http://intranet.test:PORT/r?to=http://127.0.0.2:PORT/page', { lookup: dns.lookup }));
    expect([other.code, (other.cause as Error).message]).toEqual(['E_PRIVATE_REDIRECT', '127.0.0.2 is in 127.0.0.0/8 Loopback (RFC 1122)']);
    const metadata = await failure(get('http://intranet.test:PORT/r?to=http://[::ffff:a9fe:a9fe]/latest/meta-data/', { lookup: dns.lookup }));
    expect([metadata.code, (metadata.cause as Error).message]).toEqual([
      'E_PRIVATE_REDIRECT',
      '::ffff:a9fe:a9fe is IPv4-mapped 169.254.169.254 is in 169.254.0.0/16 Link Local (RFC 3927)',
    ]);
  });

  it('fetches the configured URL from the address its name resolves to', async () => {
    const dns = scripted({ 'wire.test': [['127.0.0.1']] });
    const res = await get('http://wire.test:PORT/page', { lookup: dns.lookup });
    expect(res.status === 'ok' && Buffer.from(res.bytes).toString()).toBe(PAGE);
    expect(hits.at(-1)).toBe(`wire.test:${port}/page`);
  });

  it('refuses loopback written as one decimal or hex number, which the URL parser turns into 127.0.0.1', async () => {
    for (const host of ['2130706433', '0x7f000001', '0x7f.1']) {
      const err = await failure(get(`http://127.0.0.1:PORT/r?to=http://${host}:PORT/page`, { sourceIsPublic: true }));
      expect([host, err.code, (err.cause as Error).message]).toEqual([host, 'E_PRIVATE_REDIRECT', '127.0.0.1 is in 127.0.0.0/8 Loopback (RFC 1122)']);
    }
  });

  it('reports a name without addresses, or one the resolver does not know, as E_DNS', async () => {
    const dns = scripted({});
    const err = await failure(get('http://nowhere.test:PORT/page', { lookup: dns.lookup }));
    expect(err.message).toBe(`fetch: E_DNS: GET http://nowhere.test:${port}/page: cannot resolve nowhere.test`);
    const unknown = (name: string): Promise<ResolvedAddress[]> => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    const viaRedirect = await failure(get('http://127.0.0.1:PORT/r?to=http://gone.test/page', { lookup: unknown }));
    expect(viaRedirect.message).toBe('fetch: E_DNS: GET http://gone.test/page: cannot resolve gone.test');
  });
});
