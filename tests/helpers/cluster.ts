/** Pieces the cluster tests share (issue 17): a wire page on loopback that counts its requests, and wirefeed instances on one database. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonProcess, waitFor, type DaemonProcess } from './daemon.js';
import { afterThisTest, tempDir } from './tmp.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'cluster');
/** Three wire items with ages; the second page has a fourth on top. */
export const PAGE_1 = readFileSync(join(FIX, 'wire-1.txt'));
export const PAGE_2 = readFileSync(join(FIX, 'wire-2.txt'));
export const NEW_HEADLINE = 'Een veerpont op de IJssel is vrijdag stilgelegd nadat een vrachtschip de aanlegsteiger raakte.';
/** Every 5 s: the takeover bound is then 2 × 5 s = 10 s. */
export const SCHEDULE = '*/5 * * * * *';
export const INTERVAL_MS = 5000;

export interface WireSite {
  url: string;
  /** When /wire was asked for (Date.now()), in order. */
  requests: number[];
  page: Buffer;
}

export async function startWireSite(): Promise<WireSite> {
  const site: WireSite = { url: '', requests: [], page: PAGE_1 };
  const server = createServer((req, res) => {
    if (req.url !== '/wire') {
      res.writeHead(404).end('not here');
      return;
    }
    site.requests.push(Date.now());
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(site.page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterThisTest(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return site;
}

/** The one config every instance runs (they differ only in their state directory, which PostgreSQL makes unused). */
export function clusterYaml(site: WireSite, dir: string): string {
  return `
server: { host: 127.0.0.1, port: 0, baseUrl: "https://feeds.example.org" }
state: { dir: "${join(dir, 'state')}" }
sources:
  - { id: wire, title: Binnenland, url: "${site.url}/wire", lang: nl, schedule: "${SCHEDULE}" }
feeds:
  - { id: all, title: Alles, sources: [wire] }
`;
}

/** `wirefeed run` as a child process on the database at `databaseUrl` (DATABASE_URL). */
export async function startInstance(site: WireSite, databaseUrl: string): Promise<DaemonProcess> {
  const dir = await tempDir();
  const config = join(dir, 'wirefeed.yaml');
  await writeFile(config, clusterYaml(site, dir));
  const d = await startDaemonProcess(['--config', config], { DATABASE_URL: databaseUrl });
  afterThisTest(() => (d.alive() ? d.kill('SIGKILL') : undefined));
  return d;
}

export interface Health {
  status: string;
  role: 'scheduler' | 'standby';
  state?: string;
  sources: Record<string, { lastAttempt: string | null; stories: number }>;
}

export async function health(url: string): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

/** The instances' roles, in their order. */
export async function roles(instances: readonly { url: string }[]): Promise<string[]> {
  return Promise.all(instances.map(async (d) => (await health(d.url)).body.role));
}

/** Wait until exactly one of `instances` says it is the scheduler; its index. */
export async function leaderOf(instances: readonly { url: string }[], ms = 30_000): Promise<number> {
  let leader = -1;
  await waitFor(
    'one scheduler',
    async () => {
      const r = await roles(instances);
      leader = r.indexOf('scheduler');
      return leader >= 0 && r.filter((x) => x === 'scheduler').length === 1;
    },
    ms,
  );
  return leader;
}

/** Requests per schedule window (the cron ticks at multiples of the interval): a doubled poll is a window with two. */
export function perWindow(requests: readonly number[]): Map<number, number> {
  const windows = new Map<number, number>();
  for (const t of requests) {
    const w = Math.floor(t / INTERVAL_MS);
    windows.set(w, (windows.get(w) ?? 0) + 1);
  }
  return windows;
}
