/**
 * Figure 5: a cached 100-entry Atom feed served by the daemon (a separate process) against
 * autocannon (another process), 50 connections, 10 s, plain (200) and with If-None-Match (304);
 * and the same bytes from nginx as a static file, when nginx is installed. The ratio
 * wirefeed/nginx is the figure that counts: absolute rates drift on shared machines.
 */
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { openStore } from '../src/store/index.js';
import {
  atLeast,
  atMost,
  autocannon,
  datedStory,
  rng,
  startChild,
  startDaemon,
  startUpstream,
  tempDir,
  writeDaemonConfig,
  type AutocannonResult,
  type Figure,
} from './lib.js';

const NGINX = '/usr/sbin/nginx';
const CONNECTIONS = 50;
const SECONDS = 10;
const WARMUP_SECONDS = 2;

interface Pair {
  ok: AutocannonResult;
  notModified: AutocannonResult;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function expectStatus(what: string, r: AutocannonResult, status: string): void {
  const codes = r.statusCodeStats ?? {};
  const other = Object.entries(codes).filter(([code]) => code !== status);
  if (r.errors > 0 || other.length > 0 || (codes[status]?.count ?? 0) === 0) {
    throw new Error(`bench: ${what}: expected only ${status}, got ${JSON.stringify(codes)} errors=${r.errors}`);
  }
}

async function measure(what: string, url: string, etag: string): Promise<Pair> {
  await autocannon(url, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
  const ok = await autocannon(url, { connections: CONNECTIONS, seconds: SECONDS });
  expectStatus(`${what} 200`, ok, '200');
  const notModified = await autocannon(url, { connections: CONNECTIONS, seconds: SECONDS, headers: { 'If-None-Match': etag } });
  expectStatus(`${what} 304`, notModified, '304');
  return { ok, notModified };
}

async function nginxInstalled(): Promise<boolean> {
  try {
    await access(NGINX);
    return true;
  } catch {
    return false; // absent: the ratio is skipped, the absolute figures still stand
  }
}

async function serveWithNginx(dir: string, body: Buffer): Promise<Pair> {
  const root = join(dir, 'www');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'feed.atom'), body);
  // nginx's workers run as nobody: they must be able to read the files.
  await chmod(dir, 0o755);
  await chmod(root, 0o755);
  await chmod(join(root, 'feed.atom'), 0o644);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    [
      'worker_processes 1;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'nginx-error.log')};`,
      'events {}',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${join(dir, 'body')};`,
      `  proxy_temp_path ${join(dir, 'proxy')};`,
      `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
      `  scgi_temp_path ${join(dir, 'scgi')};`,
      '  types { application/atom+xml atom; }',
      `  server { listen 127.0.0.1:${port}; location / { root ${root}; etag on; } }`,
      '}',
    ].join('\n') + '\n',
  );
  const nginx = startChild(NGINX, ['-e', join(dir, 'nginx-error.log'), '-c', conf, '-p', dir]);
  try {
    const url = `http://127.0.0.1:${port}/feed.atom`;
    let res: Response | null = null;
    for (let i = 0; i < 200 && res === null; i++) {
      res = await fetch(url, { headers: { 'accept-encoding': 'identity' } }).catch(async () => {
        await new Promise((r) => setTimeout(r, 25));
        return null;
      });
    }
    if (res === null || res.status !== 200) throw new Error(`bench: nginx did not serve ${url}: ${nginx.lines.join('\n')}`);
    const served = Buffer.from(await res.arrayBuffer());
    if (!served.equals(body)) throw new Error('bench: nginx serves other bytes than wirefeed');
    return await measure('nginx', url, res.headers.get('etag') ?? '');
  } finally {
    await nginx.stop();
  }
}

const rate = (r: AutocannonResult) => r.requests.average;

export async function serveFigures(): Promise<Figure[]> {
  const tmp = await tempDir('serve');
  const upstream = await startUpstream();
  try {
    const stateDir = join(tmp.dir, 'state');
    const store = await openStore(stateDir);
    const r = rng(13);
    const at = new Date('2026-11-28T12:00:00Z');
    await ingestPage(store, Array.from({ length: 100 }, (_, i) => datedStory(r, `s${i}`, at)), { sourceId: 'bench', at, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    await store.close();

    const config = await writeDaemonConfig(tmp.dir, stateDir, [{ id: 'bench', url: `${upstream.url}/bench` }]);
    const daemon = await startDaemon(config);
    let wf: Pair;
    let body: Buffer;
    try {
      const url = `${daemon.url}/feeds/bench.atom?limit=100`;
      // fetch() asks for br/gzip by default; autocannon asks for nothing, so its ETag is identity's.
      const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
      body = Buffer.from(await res.arrayBuffer());
      const etag = res.headers.get('etag');
      if (res.status !== 200 || etag === null) throw new Error(`bench: daemon answered ${res.status} without ETag`);
      const entries = body.toString().split('<entry>').length - 1;
      if (entries !== 100) throw new Error(`bench: feed has ${entries} entries, not 100`);
      wf = await measure('wirefeed', url, etag);
    } finally {
      await daemon.stop();
    }

    const figures: Figure[] = [
      { name: 'serve-200', value: rate(wf.ok), unit: 'req/s', target: null, note: `${(body.length / 1024).toFixed(0)} KB atom, ${CONNECTIONS} connections` },
      { name: 'serve-200-p99', value: wf.ok.latency.p99, unit: 'ms', target: atMost(20) },
      { name: 'serve-304', value: rate(wf.notModified), unit: 'req/s', target: null },
      { name: 'serve-304-p99', value: wf.notModified.latency.p99, unit: 'ms', target: atMost(20) },
    ];
    if (await nginxInstalled()) {
      const ng = await serveWithNginx(tmp.dir, body);
      figures.push(
        { name: 'nginx-200', value: rate(ng.ok), unit: 'req/s', target: null, note: 'same bytes, static file, 1 worker' },
        { name: 'nginx-200-p99', value: ng.ok.latency.p99, unit: 'ms', target: null },
        { name: 'nginx-304', value: rate(ng.notModified), unit: 'req/s', target: null },
        { name: 'nginx-304-p99', value: ng.notModified.latency.p99, unit: 'ms', target: null },
        { name: 'serve-200-ratio', value: rate(wf.ok) / rate(ng.ok), unit: '× nginx', target: atLeast(0.75) },
        { name: 'serve-304-ratio', value: rate(wf.notModified) / rate(ng.notModified), unit: '× nginx', target: atLeast(0.4) },
      );
    } else {
      figures.push({ name: 'serve-ratio', value: Number.NaN, unit: '× nginx', target: null, note: `skipped: ${NGINX} not installed` });
    }
    return figures;
  } finally {
    await upstream.stop();
    await tmp.remove();
  }
}
