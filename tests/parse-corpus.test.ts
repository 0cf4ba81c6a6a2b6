/**
 * Issue 15's closing count: how many fixture pages the reader is held to (text in
 * tests/fixtures/parse, HTML listings in tests/fixtures/extract/blocks, article pages in
 * tests/fixtures/extract/article), in how many layouts and languages, and how many items each
 * detector reads right — an item is right when it equals its expected item in every field.
 * The per-page tests (parse-fixtures, extract-blocks, extract-article) say what is wrong; this one
 * keeps the totals honest. `COUNT=1` prints the table.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { resolveStories } from '../src/ages/index.js';
import { extract } from '../src/extract/index.js';
import type { Document, ParseResult } from '../src/model.js';
import { parseExtracted } from '../src/parse/index.js';
import { runParse } from './helpers/expected.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const TEXT_NOW = '2026-11-28T12:00:00Z';
const HTML_NOW = new Date('2026-12-07T12:00:00Z');
const PAGE_URL = 'https://www.example.org/lijst/';

interface Tally {
  pages: number;
  items: number;
  right: number;
  layouts: Set<string>;
  langs: Set<string>;
}

function tally(): Tally {
  return { pages: 0, items: 0, right: 0, layouts: new Set(), langs: new Set() };
}

/** Expected items found, field for field, among the items read (order aside). */
function rightOf(expected: unknown[], got: unknown[]): number {
  const left = got.map((g) => JSON.stringify(g));
  let right = 0;
  for (const e of expected) {
    const at = left.indexOf(JSON.stringify(e));
    if (at === -1) continue;
    left.splice(at, 1);
    right++;
  }
  return right;
}

/** Each text page with the zone and clock its test reads it with (one table per test file, there). */
async function textCases(): Promise<{ name: string; tz: string; now: string }[]> {
  const tables = ['parse-fixtures.test.ts', 'parse-traps.test.ts'].map((f) => readFile(join(import.meta.dirname, f), 'utf8'));
  const source = (await Promise.all(tables)).join('\n');
  return [...source.matchAll(/\{ name: '([^']+)', tz: '([^']+)'(?:, now: '([^']+)')? \}/g)].map((m) => ({
    name: m[1] as string,
    tz: m[2] as string,
    now: m[3] ?? TEXT_NOW,
  }));
}

function htmlDoc(text: string): Document {
  return { sourceId: 'c', url: PAGE_URL, mediaType: 'text/html', text, fetchedAt: HTML_NOW };
}

/** A listing's items as extract-blocks.test.ts writes them to its expected files. */
function blockItems(result: ParseResult): unknown[] {
  return result.stories.map((s) => ({
    headline: s.headline,
    link: s.link,
    datetime: s.datetime?.toISOString() ?? null,
    ageText: s.ageText,
    image: s.image,
    body: s.body,
  }));
}

/**
 * The article pages' expected stories, as extract-article.test.ts asserts them (it reads each at
 * its own URL; these fields do not depend on it but for the fallback link of fr-time, the page itself).
 */
const ARTICLES: Record<string, { headline: string; place: string | null; agencies: string[]; author: string | null; published: string }> = {
  'de-og.html': { headline: 'Sturmtief sorgt für Ausfälle im Bahnverkehr', place: 'Berlin', agencies: ['dpa'], author: 'dpa', published: '2026-12-07T09:01:00.000Z' },
  'en-jsonld.html': { headline: 'Port workers walk out over pay talks', place: 'ANTWERP', agencies: ['WND'], author: 'Hannah Moreau, Tomasz Wilk', published: '2026-11-19T00:21:00.000Z' },
  'fr-time.html': { headline: 'Colombie : des pluies torrentielles font des dégâts', place: 'Bogotá', agencies: ['AFP'], author: null, published: '2026-12-07T07:32:00.000Z' },
};

test('the fixture corpus: pages, layouts, languages, and the items each detector reads right', async () => {
  const text = tally();
  for (const { name, tz, now } of await textCases()) {
    const run = await runParse([join(FIXTURES, 'parse', `${name}.txt`), '--now', now, '--tz', tz, '--lang', 'auto', '--format', 'json']);
    const got = JSON.parse(run.stdout) as { layout: string; stories: unknown[] };
    const expected = JSON.parse(await readFile(join(FIXTURES, 'parse', `${name}.expected.json`), 'utf8')) as { layout: string; stories: unknown[] };
    text.pages++;
    text.items += expected.stories.length;
    text.right += got.layout === expected.layout ? rightOf(expected.stories, got.stories) : 0;
    text.layouts.add(expected.layout);
    text.langs.add(name.slice(0, 2));
  }
  const txtFiles = (await readdir(join(FIXTURES, 'parse'))).filter((f) => f.endsWith('.txt'));
  expect(txtFiles.length).toBe(text.pages);

  const blocks = tally();
  const blockDir = join(FIXTURES, 'extract', 'blocks');
  const listings = (await readdir(blockDir)).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, ''));
  for (const name of listings) {
    const result = parseExtracted(extract(htmlDoc(await readFile(join(blockDir, `${name}.html`), 'utf8')), { format: 'auto' }), { lang: 'auto' });
    const expected = JSON.parse(await readFile(join(blockDir, `${name}.expected.json`), 'utf8')) as { layout: string; stories: unknown[] };
    blocks.pages++;
    blocks.items += expected.stories.length;
    blocks.right += result.layout === expected.layout ? rightOf(expected.stories, blockItems(result)) : 0;
    // The layout is the block's shape (ul/li, cards, table rows …): each listing is one of its own.
    blocks.layouts.add(expected.layout);
    blocks.langs.add(name.slice(0, 2));
  }
  // Pages where the detector must find nothing: not counted as items, but as pages held to it.
  const empties = (await readdir(blockDir)).filter((f) => f.startsWith('none-') && f.endsWith('.html'));
  let emptyRight = 0;
  for (const f of empties) {
    const result = parseExtracted(extract(htmlDoc(await readFile(join(blockDir, f), 'utf8')), { format: 'auto' }), { lang: 'auto' });
    if (!result.layout.startsWith('repeated blocks')) emptyRight++;
  }

  const article = tally();
  const articleDir = join(FIXTURES, 'extract', 'article');
  for (const f of (await readdir(articleDir)).filter((n) => n.endsWith('.html'))) {
    const parsed = parseExtracted(extract(htmlDoc(await readFile(join(articleDir, f), 'utf8')), { format: 'auto' }), { lang: 'auto' });
    const dated = resolveStories(parsed.stories, { now: HTML_NOW, timeZone: 'Europe/Amsterdam', lang: parsed.lang }).stories;
    const got = dated.map((s) => ({ headline: s.headline, place: s.place, agencies: s.agencies, author: s.author, published: s.publishedLatest.toISOString() }));
    article.pages++;
    article.items += 1;
    article.right += parsed.layout === 'article page' ? rightOf([ARTICLES[f]], got) : 0;
    article.layouts.add(parsed.layout);
    article.langs.add(f.slice(0, 2));
  }

  const rows = [
    ['text grammar (tests/fixtures/parse)', text],
    ['repeated blocks (tests/fixtures/extract/blocks)', blocks],
    ['article page (tests/fixtures/extract/article)', article],
  ] as const;
  if (process.env.COUNT === '1') {
    for (const [what, t] of rows) {
      console.log(`${what}: ${t.pages} pages, ${t.layouts.size} layouts, langs ${[...t.langs].sort().join(' ')}, items right ${t.right}/${t.items}`);
    }
    console.log(`pages where blocks must find nothing: ${empties.length}, found nothing: ${emptyRight}`);
  }
  expect(rows.map(([, t]) => [t.pages, t.layouts.size, [...t.langs].sort(), t.right, t.items])).toEqual([
    [38, 12, ['de', 'en', 'fr', 'nl'], 131, 131],
    [9, 9, ['de', 'en', 'fr', 'nl'], 48, 48],
    [3, 1, ['de', 'en', 'fr'], 3, 3],
  ]);
  expect([empties.length, emptyRight]).toEqual([3, 3]);
});
