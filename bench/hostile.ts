/**
 * Issue 19, finding 2: pages built to stall the event loop. Each page is served on loopback and
 * polled once by the daemon, run in-process (so that its event loop can be watched) in a child
 * started with the systemd unit's node options; meanwhile a client in another process asks
 * /healthz without pause. Per page: the longest event-loop stall during the poll
 * (perf_hooks.monitorEventLoopDelay), the slowest /healthz answer, and what the page gave. Every
 * page fits the default http.maxBytes (5 MB).
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { atMost, fixture, sleep, startChild, tempDir, unitNodeOptions, type Figure } from './lib.js';

const MAX_BYTES = 5 * 1024 * 1024;

interface Case {
  name: string;
  what: string;
  /** Source keys besides id, title and url (YAML lines). */
  source: string[];
  /** Pages polled before the measured one (not measured). */
  before?: () => string;
  page: () => string | Promise<string>;
  mediaType: string;
  /**
   * No stall target: beyond the defaults. A page's stories are stored and retention applied in
   * one step, so that no feed shows half a page; with the cap raised 32-fold that step is long.
   */
  informational?: boolean;
}

/** Wire text: `n` short stories numbered from `from`: headline, dateline lead, age (about 75 bytes each). */
function wireStories(n: number, from: number): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) out.push(`Kop nummer ${i} over de zaak`, `ROME (ANP) - Bericht ${i} is er.`, `${(i % 50) + 1} minuten geleden`);
  return out.join('\n') + '\n';
}

/** Repeat `unit` until just under `bytes`. */
function fill(prefix: string, unit: string, bytes: number): string {
  return prefix + unit.repeat(Math.floor((bytes - prefix.length) / unit.length));
}

async function bigNewsPage(): Promise<string> {
  // The nl fixture's <main> repeated (items numbered) to 5 MB: a real page, only very long.
  const html = await fixture('extract/nl-buitenland.html');
  const open = html.indexOf('<main');
  const close = html.indexOf('</main>') + '</main>'.length;
  const main = html.slice(open, close);
  const parts: string[] = [];
  let size = html.length;
  for (let i = 0; size + main.length < MAX_BYTES - 1024; i++) {
    const m = main.replace(/(<h1>[^<]*)/, `$1 (${i})`).replace(/\/(\d{4})\//g, `/$1${i}/`);
    parts.push(m);
    size += m.length;
  }
  return html.slice(0, open) + parts.join('') + html.slice(close);
}

const CASES: readonly Case[] = [
  {
    name: 'stray-closing',
    what: "'<div></a>' × 160,000 (1.4 MB): refused at depth 10,000",
    source: ['format: html'],
    page: () => '<div></a>'.repeat(160_000),
    mediaType: 'text/html',
  },
  {
    name: 'deep-then-flat',
    what: '9,999 open <div>s, then <i></i> to 5 MB: every tag at the deepest allowed depth',
    source: ['format: html'],
    page: () => fill('<div>'.repeat(9_999) + '<p>ROME (ANP) - Tekst.</p>', '<i></i>', MAX_BYTES - 1024),
    mediaType: 'text/html',
  },
  {
    name: 'deep-then-stray',
    what: '9,999 open <div>s, then </a> to 5 MB: each stray tag scans the open elements',
    source: ['format: html'],
    page: () => fill('<div>'.repeat(9_999) + '<p>ROME (ANP) - Tekst.</p>', '</a>', MAX_BYTES - 1024),
    mediaType: 'text/html',
  },
  {
    name: 'nested-items',
    what: "'<article><h2>Kop</h2><p>Tekst.</p>' × 2000 (68 KB), item: article",
    source: ['format: html', 'selectors:', '  item: article', '  headline: h2'],
    page: () => '<article><h2>Kop</h2><p>Tekst.</p>'.repeat(2000),
    mediaType: 'text/html',
  },
  {
    name: 'nested-items-5mb',
    what: 'unclosed <article>s 2,000 deep, repeated to 5 MB, item: article',
    source: ['format: html', 'selectors:', '  item: article', '  headline: h2'],
    page: () => fill('', '<article><h2>Kop</h2><p>Tekst.</p>'.repeat(2000) + '</article>'.repeat(2000), MAX_BYTES - 1024),
    mediaType: 'text/html',
  },
  {
    name: 'wide-items-5mb',
    what: '<article>s side by side at the top of the page to 5 MB, item: article',
    source: ['format: html', 'selectors:', '  item: article', '  headline: h2', '  age: span'],
    page: () => fill('', '<article><h2>Kop</h2><p>ROME (ANP) - Tekst.</p><span>5 minuten geleden</span></article>', MAX_BYTES - 1024),
    mediaType: 'text/html',
  },
  {
    name: 'deep-items-5mb',
    what: '9,999 open <div>s, then <i>x</i> to 5 MB, item: i',
    source: ['format: html', 'selectors:', '  item: i'],
    page: () => fill('<div>'.repeat(9_999), '<i>x</i>', MAX_BYTES - 1024),
    mediaType: 'text/html',
  },
  {
    name: 'blocks-5mb',
    what: 'a listing without datelines, <li><a>headline</a><p>teaser</p></li> to 5 MB (repeated blocks)',
    source: ['format: html', 'keep: 1000'],
    page: () =>
      '<main><ul class="l">' +
      Array.from({ length: 60_000 }, (_, i) => `<li><a href="/n/${i}">Kop nummer ${i} over de zaak</a><p>Tekst van bericht ${i}.</p></li>`)
        .join('')
        .slice(0, MAX_BYTES - 2048)
        .replace(/<li>(?:(?!<\/li>).)*$/, '') +
      '</ul></main>',
    mediaType: 'text/html',
  },
  {
    name: 'html-5mb',
    what: 'the nl news page repeated to 5 MB (free lines)',
    source: ['format: html', 'keep: 1000'],
    page: bigNewsPage,
    mediaType: 'text/html',
  },
  {
    name: 'text-5mb-keep-100',
    what: '5 MB of wire text (~64,000 stories), keep: 100',
    source: ['format: text', 'keep: 100'],
    page: () => {
      const text = wireStories(80_000, 0);
      return text.slice(0, text.lastIndexOf('\n', MAX_BYTES - 1024) + 1);
    },
    mediaType: 'text/plain',
  },
  {
    name: 'displace-1000',
    what: '1,000 new stories displacing 1,000 (the defaults: keep and maxStoriesPerPage 1,000)',
    source: ['format: text'],
    before: () => wireStories(1_000, 0),
    page: () => wireStories(1_000, 100_000),
    mediaType: 'text/plain',
  },
  {
    name: 'displace-32k',
    informational: true,
    what: '32,000 new stories displacing 32,000 (keep and maxStoriesPerPage raised to 32,000)',
    source: ['format: text', 'keep: 32000', 'maxStoriesPerPage: 32000'],
    before: () => wireStories(32_000, 0),
    page: () => wireStories(32_000, 100_000),
    mediaType: 'text/plain',
  },
];

/** A client in its own process that asks /healthz back to back; prints the slowest answer on SIGTERM. */
const HEALTH_CLIENT = `
const url = process.argv[1];
let max = 0, n = 0, stop = false;
process.on('SIGTERM', () => { stop = true; });
(async () => {
  while (!stop) {
    const t0 = performance.now();
    await (await fetch(url)).arrayBuffer();
    max = Math.max(max, performance.now() - t0);
    if (++n === 1) console.log('ready');
  }
  console.log(JSON.stringify({ max, n }));
})();
`;

async function measure(c: Case): Promise<Figure[]> {
  const tmp = await tempDir('hostile');
  let body = 'Kop van een bericht\nROME (ANP) - Tekst.\n';
  let type = 'text/plain; charset=utf-8';
  const site = createServer((_req, res) => res.writeHead(200, { 'Content-Type': type }).end(body));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page`;
  const yaml = [
    'server:',
    '  host: 127.0.0.1',
    '  port: 0',
    'state:',
    `  dir: ${JSON.stringify(join(tmp.dir, 'state'))}`,
    'sources:',
    '  - id: h',
    '    title: Hostile',
    `    url: ${url}`,
    '    lang: nl',
    '    schedule: "0 0 1 1 *"',
    '    maxAgeDays: 3650',
    ...c.source.map((l) => `    ${l}`),
  ].join('\n');
  const file = join(tmp.dir, 'wirefeed.yaml');
  await writeFile(file, yaml + '\n');
  const lines: string[] = [];
  const app = await startApp({
    config: await loadConfig(file, {}),
    log: createLogger({ level: 'info', write: (l) => lines.push(l) }),
    version: '0.0.0-bench',
    port: 0,
  });
  try {
    await app.settled;
    if (c.before) {
      body = c.before();
      await app.pollNow('h');
    }
    body = await c.page();
    type = `${c.mediaType}; charset=utf-8`;
    const client = startChild(process.execPath, ['-e', HEALTH_CLIENT, `${app.url}/healthz`]);
    await client.waitLine(/ready/);
    await sleep(200);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    await app.pollNow('h');
    const pollMs = performance.now() - t0;
    await sleep(50);
    delay.disable();
    await client.stop();
    const health = JSON.parse(client.lines.at(-1) ?? '{}') as { max?: number; n?: number };
    const last = lines.filter((l) => l.includes('fetch ')).at(-1) ?? '';
    const outcome = /fetch (\w[\w-]*)/.exec(last)?.[1] ?? '?';
    const error = / error=("[^"]*"|\S+)/.exec(last)?.[1];
    const found = /page has (\d+) stories/.exec(lines.join('\n'))?.[1];
    const counts = outcome === 'ok' ? `${found ? `${found} found, ` : ''}${app.store.countOf('h')} stored` : `${outcome}${error ? ` ${error.slice(0, 60)}` : ''}`;
    const note = `${(Buffer.byteLength(body) / 1e6).toFixed(2)} MB, poll ${Math.round(pollMs)} ms, ${counts}`;
    return [
      { name: `stall-${c.name}`, value: delay.max / 1e6, unit: 'ms', target: c.informational ? null : atMost(100), note: `${c.what}; ${note}` },
      { name: `healthz-${c.name}`, value: health.max ?? NaN, unit: 'ms max', target: null, note: `${health.n ?? 0} answers during the poll and 250 ms around it` },
    ];
  } finally {
    await app.stop();
    site.closeAllConnections();
    site.close();
    await tmp.remove();
  }
}

const CHILD = 'hostile-child';

export async function hostileFigures(): Promise<Figure[]> {
  const { options, env } = await unitNodeOptions();
  const child = startChild(process.execPath, [...options, fileURLToPath(import.meta.url), CHILD], { env });
  try {
    const m = await child.waitLine(/^figures (.*)$/, 600_000);
    // NaN (no answer measured) crosses JSON as null.
    const figures = JSON.parse(m[1]!) as (Omit<Figure, 'value'> & { value: number | null })[];
    return figures.map((f) => ({ ...f, value: f.value ?? NaN }));
  } finally {
    await child.stop();
  }
}

if (process.argv[2] === CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures: Figure[] = [];
  for (const c of CASES) figures.push(...(await measure(c)));
  console.log(`figures ${JSON.stringify(figures)}`);
}
