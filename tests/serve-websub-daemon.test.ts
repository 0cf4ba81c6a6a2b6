/**
 * WebSub as the daemon drives it: a hub added by a reload is notified and advertised, and a
 * restart on the same state pings nothing for pages that did not change.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import { startServer } from '../src/serve/index.js';
import { startDaemon, startSite, writeConfig, type Route, type TestDaemon } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { BASE, catalogFeed, makeDeps } from './serve-helpers.js';
import { storiesOf } from './helpers/state.js';

const FIX = join(import.meta.dirname, 'fixtures');
const T0 = new Date('2026-11-28T12:00:00Z');

/** A hub on 127.0.0.1 that records the `hub.url` of every publish POST. */
async function startHub(): Promise<{ url: string; published: string[] }> {
  const published: string[] = [];
  const hub = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      published.push(`${form.get('hub.mode')} ${form.get('hub.url')}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
  afterThisTest(() => new Promise<void>((r) => hub.close(() => r())));
  return { url: `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`, published };
}

/** A news site whose pages the test swaps: `pages[path]` is served as plain text. */
async function newsSite(pages: Record<string, Buffer>) {
  const route: Route = (req, res) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(pages[req.url ?? '']);
  const site = await startSite(Object.fromEntries(Object.keys(pages).map((p) => [p, route])));
  afterThisTest(() => site.close());
  return site;
}

async function daemon(dir: string, yaml: string, at: Date): Promise<TestDaemon> {
  const d = await startDaemon(dir, yaml, { now: () => at });
  afterThisTest(() => d.app.stop(1000));
  return d;
}

const pings = (base: string, id: string) => ['atom', 'json', 'rss'].map((ext) => `publish ${base}/feeds/${id}.${ext}`);

describe('WebSub hub at notification time', () => {
  it('a hub that changed since the last notification gets the next one, the old hub nothing', async () => {
    const [a, b] = [await startHub(), await startHub()];
    const deps = makeDeps([catalogFeed('anp')]);
    const srv = await startServer(deps, { host: '127.0.0.1', port: 0, maxConnections: 10 });
    afterThisTest(() => srv.close());
    srv.notifyChanged(['anp']);
    deps.websubHub = a.url;
    srv.notifyChanged(['anp']);
    await vi.waitFor(() => expect([...a.published].sort()).toEqual(pings(BASE, 'anp')), { timeout: 10_000, interval: 20 });
    deps.websubHub = b.url;
    srv.notifyChanged(['anp']);
    await vi.waitFor(() => expect([...b.published].sort()).toEqual(pings(BASE, 'anp')), { timeout: 10_000, interval: 20 });
    expect(a.published.length).toBe(3);
  });
});

describe('WebSub in the daemon', () => {
  it('a hub added by a reload is notified of the next change and advertised by every format', async () => {
    const t1 = await readFile(join(FIX, 'daemon/nl-buitenland-t1.txt'));
    const t2 = await readFile(join(FIX, 'daemon/nl-buitenland-t2.txt'));
    const pages = { '/anp': t1 };
    const site = await newsSite(pages);
    const hub = await startHub();
    const dir = await tempDir();
    const yaml = (server: string) => `server: { port: 0${server} }\nstate: { dir: ./state }\nsources:\n  - { id: anp, title: ANP, url: ${site.url}/anp, lang: nl }\n`;
    const d = await daemon(dir, yaml(''), T0);
    await d.app.settled;
    const base = d.app.url;
    expect(await fetchText(`${base}/feeds/anp.atom`)).not.toContain('rel="hub"');

    await d.app.reload(await writeConfig(dir, yaml(`, websubHub: "${hub.url}"`)));
    expect(d.lines.filter((l) => l.includes('websubHub'))).toEqual([]);
    pages['/anp'] = t2;
    await d.app.pollNow('anp');
    await vi.waitFor(() => expect([...hub.published].sort()).toEqual(pings(base, 'anp')), { timeout: 10_000, interval: 20 });

    expect(await fetchText(`${base}/feeds/anp.atom`)).toContain(`<link rel="hub" href="${hub.url}"/>`);
    expect(await fetchText(`${base}/feeds/anp.rss`)).toContain(`<atom:link href="${hub.url}" rel="hub"/>`);
    expect(JSON.parse(await fetchText(`${base}/feeds/anp.json`)).hubs).toEqual([{ type: 'WebSub', url: hub.url }]);
  });

  it('a restart on the same state pings nothing for pages whose stories did not change', async () => {
    const t1 = await readFile(join(FIX, 'daemon/nl-buitenland-t1.txt'));
    const t2 = await readFile(join(FIX, 'daemon/nl-buitenland-t2.txt'));
    // The same stories a minute later, as a live site shows them: only the minute ages moved on.
    const later = Buffer.from(t1.toString('utf8').replace('4 minuten geleden', '5 minuten geleden').replace('15 minuten geleden', '16 minuten geleden'));
    const pages = { '/same': t1, '/later': t1, '/other': t1 };
    const site = await newsSite(pages);
    const hub = await startHub();
    const dir = await tempDir();
    const yaml = `server: { port: 0, websubHub: "${hub.url}" }
state: { dir: ./state }
sources:
${['same', 'later', 'other'].map((id) => `  - { id: ${id}, title: ${id}, url: ${site.url}/${id}, lang: nl }`).join('\n')}
`;
    const first = await startDaemon(dir, yaml, { now: () => T0 });
    await first.app.settled;
    const base1 = first.app.url;
    await vi.waitFor(() => expect(hub.published.length).toBe(9), { timeout: 10_000, interval: 20 });
    expect([...hub.published].sort()).toEqual([...pings(base1, 'later'), ...pings(base1, 'other'), ...pings(base1, 'same')].sort());
    await first.app.stop();
    hub.published.length = 0;

    pages['/later'] = later;
    const second = await daemon(dir, yaml, new Date(T0.getTime() + 60_000));
    await second.app.settled;
    expect(second.lines.filter((l) => l.includes(' fetch ')).map((l) => /fetch (\S+) source=(\S+)(?: new=(\d+) updated=(\d+))?/.exec(l)?.slice(1, 5).join(' ')).sort()).toEqual([
      'ok later 0 0',
      'unchanged-page other  ',
      'unchanged-page same  ',
    ]);
    // The narrower interval is still kept: only its earliest bound moved, which no feed shows.
    const sao = (await storiesOf(second.app.store, 'later')).find((st) => st.place === 'SAO PAULO');
    expect([sao?.publishedEarliest, sao?.publishedLatest]).toEqual(['2026-11-28T06:01:00.000Z', '2026-11-28T07:00:00.000Z']);
    // A real change of a third source: its pings show the publisher ran after the startup polls.
    pages['/other'] = t2;
    await second.app.pollNow('other');
    const expected = pings(second.app.url, 'other');
    await vi.waitFor(() => expect(expected.every((p) => hub.published.includes(p))).toBe(true), { timeout: 10_000, interval: 20 });
    expect([...hub.published].sort()).toEqual(expected);
  });
});

async function fetchText(url: string): Promise<string> {
  const res = await request(url);
  return res.body.text();
}
