/**
 * Issue 18's figures: extraction time per article (readability on linkedom, then sanitize-html,
 * as the full-text step runs them) over the fixture article pages, median and p99, and the
 * resident memory of a process that has made 1,000 extractions. Run in a child of its own, so
 * that the memory figure is that of the extraction alone.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extractFullText } from '../src/fulltext/extract.js';
import { median, ROOT, startChild, type Figure } from './lib.js';

const EXTRACTIONS = 1000;
const WARM_UP = 50;
const DIR = join(ROOT, 'tests', 'fixtures', 'fulltext');

function p99(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
}

async function measure(): Promise<Figure[]> {
  const names = (await readdir(DIR)).filter((n) => n.endsWith('.html')).sort();
  const pages = await Promise.all(names.map(async (n) => ({ url: `https://news.example.org/2026/12/${n}`, html: await readFile(join(DIR, n), 'utf8') })));
  const rssBefore = process.memoryUsage().rss;
  const run = (i: number): number => {
    const page = pages[i % pages.length]!;
    const t0 = performance.now();
    extractFullText(page.html, page.url, { teaser: 'A teaser.' });
    return performance.now() - t0;
  };
  for (let i = 0; i < WARM_UP; i++) run(i);
  const times: number[] = [];
  for (let i = 0; i < EXTRACTIONS; i++) times.push(run(i));
  const rss = process.memoryUsage().rss;
  const note = `${names.length} fixture pages (${names.map((n) => n.replace('.html', '')).join(', ')}), ${EXTRACTIONS} extractions`;
  return [
    { name: 'fulltext-median', value: median(times), unit: 'ms/article', target: null, note },
    { name: 'fulltext-p99', value: p99(times), unit: 'ms/article', target: null, note },
    { name: 'fulltext-rss', value: rss / 2 ** 20, unit: 'MB', target: null, note: `resident after ${EXTRACTIONS + WARM_UP} extractions; ${(rssBefore / 2 ** 20).toFixed(0)} MB before the first` },
  ];
}

const CHILD = 'fulltext-child';

export async function fulltextFigures(): Promise<Figure[]> {
  const child = startChild(process.execPath, [fileURLToPath(import.meta.url), CHILD]);
  try {
    const m = await child.waitLine(/^figures (.*)$/, 300_000);
    return JSON.parse(m[1]!) as Figure[];
  } finally {
    await child.stop();
  }
}

if (process.argv[2] === CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`figures ${JSON.stringify(await measure())}`);
}
