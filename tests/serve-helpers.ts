/** Shared pieces of the serve tests: a hand-made ServeDeps and raw HTTP clients. */
import { connect } from 'node:net';
import { request } from 'undici';
import type { EntryView, FeedView } from '../src/model.js';
import { memoryLogger } from '../src/log.js';
import { createMetrics } from '../src/serve/metrics.js';
import type { CatalogFeed, ServeDeps } from '../src/serve/types.js';

export const BASE = 'https://feeds.example.org';
export const NOW = new Date('2026-11-28T12:00:00.000Z');

export function entry(n: number, at: Date): EntryView {
  return {
    id: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    title: `Headline number ${n}`,
    link: `https://news.example.org/story/${n}`,
    published: at,
    updated: at,
    author: 'ANP/RTR',
    category: 'Buitenland',
    body: [`WASHINGTON (ANP/RTR) - Body of story ${n}.`, 'Second paragraph.'],
    summary: `WASHINGTON (ANP/RTR) - Body of story ${n}.`,
  };
}

/** A feed whose entries the test can replace; each replacement bumps the revision. */
export interface TestFeed {
  catalog: CatalogFeed;
  entries: EntryView[];
  updated: Date;
  revision: number;
}

export interface TestDeps extends ServeDeps {
  /** Writable here: a test changes the hub as a reload does. */
  websubHub: string | null;
  feeds: Map<string, TestFeed>;
  /** feedView calls, as `id:limit`. */
  viewCalls: string[];
  healthy: boolean;
  lines: string[];
  setCatalog(feeds: CatalogFeed[]): void;
}

export function catalogFeed(id: string, extra: Partial<CatalogFeed> = {}): CatalogFeed {
  return { id, title: `Feed ${id}`, kind: 'source', token: null, htmlUrl: `https://news.example.org/${id}`, refreshSeconds: 600, maxEntries: 500, ...extra };
}

export function makeDeps(catalog: CatalogFeed[], websubHub: string | null = null): TestDeps {
  const log = memoryLogger();
  const feeds = new Map<string, TestFeed>();
  const updated = new Date('2026-11-28T11:30:15.750Z');
  for (const c of catalog) {
    const entries = [0, 1, 2, 3, 4].map((i) => entry(i, new Date(updated.getTime() - i * 60_000)));
    feeds.set(c.id, { catalog: c, entries, updated, revision: 1 });
  }
  let list: CatalogFeed[] = catalog;
  const deps: TestDeps = {
    baseUrl: BASE,
    title: 'wirefeed test',
    version: '0.1.0-test',
    log,
    lines: log.lines,
    metrics: createMetrics(),
    websubHub,
    feeds,
    viewCalls: [],
    healthy: true,
    setCatalog(next) {
      list = next;
    },
    catalog: () => list,
    feedRevision: (id) => feeds.get(id)?.revision ?? 0,
    async feedView(id, limit): Promise<FeedView | null> {
      deps.viewCalls.push(`${id}:${limit}`);
      const f = feeds.get(id);
      if (!f) return null;
      return {
        id,
        title: f.catalog.title,
        language: 'nl',
        alternateUrl: f.catalog.htmlUrl,
        baseUrl: BASE,
        updated: f.updated,
        hub: websubHub,
        entries: f.entries.slice(0, limit),
      };
    },
    feedStatus: async (id) => ({ lastFetch: '2026-11-28T11:59:00.000Z', lastError: null, stories: feeds.get(id)?.entries.length ?? 0, headlines: [], timeZone: 'UTC', activity: null, fullText: null }),
    health: () => ({ ok: deps.healthy, body: { ok: deps.healthy, sources: {} } }),
    now: () => NOW,
  };
  return deps;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export async function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const res = await request(base + path, { method: method as 'GET', headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

/** Sends the request line byte for byte (no client-side URL normalisation) and returns status and body. */
export function rawGet(port: number, path: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.write(Buffer.concat([Buffer.from('GET '), Buffer.isBuffer(path) ? path : Buffer.from(path), Buffer.from(' HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')]));
  });
}
