/**
 * Issue 15, HTML listings without datelines: the repeated-block detector on nine listing layouts
 * (ul/li, article cards, table rows, div grids, anchor cards, two columns, articles in list items;
 * with and without <time>, with clock, age and date text), and on pages where it must find
 * nothing (an article page, a search form, a login page). Each listing beside its expected items (`<case>.expected.json`;
 * UPDATE_FIXTURES=1 rewrites them when a change is meant).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extract } from '../src/extract/index.js';
import { blockSteps, candidateSteps, MIN_SCORE, SCORES } from '../src/extract/blocks.js';
import { domSteps } from '../src/extract/dom.js';
import type { Document, ParseResult } from '../src/model.js';
import { parseExtracted } from '../src/parse/index.js';
import { runSteps } from '../src/steps.js';

const FIXTURES = new URL('./fixtures/extract/blocks/', import.meta.url);
const URL_OF_PAGE = 'https://www.example.org/lijst/';
const NOW = new Date('2026-12-07T12:00:00Z');

const LISTINGS = [
  'nl-ul-li', 'en-article-cards', 'de-table-rows', 'fr-div-grid', 'en-ol-ages', 'de-section-teasers', 'nl-anchor-cards', 'en-two-columns',
  'en-li-article',
];

const read = (name: string): Promise<string> => readFile(new URL(name, FIXTURES), 'utf8');
const readListing = (name: string): Promise<string> => read(`${name}.html`);

function doc(text: string): Document {
  return { sourceId: 'l', url: URL_OF_PAGE, mediaType: 'text/html', text, fetchedAt: NOW };
}

/** What a listing's expected file holds: the layout, the pinnable selectors and each story's parts. */
function summary(result: ParseResult): unknown {
  return {
    layout: result.layout,
    selectors: result.selectors,
    stories: result.stories.map((s) => ({
      headline: s.headline,
      link: s.link,
      datetime: s.datetime?.toISOString() ?? null,
      ageText: s.ageText,
      image: s.image,
      body: s.body,
    })),
  };
}

describe('repeated blocks on listing layouts', () => {
  it.each(LISTINGS)('%s: the items, their links and times, and the selectors to pin them', async (name) => {
    const html = await read(`${name}.html`);
    const result = parseExtracted(extract(doc(html), { format: 'auto' }), { lang: 'auto' });
    const got = summary(result);
    if (process.env.UPDATE_FIXTURES === '1') await writeFile(new URL(`${name}.expected.json`, FIXTURES), JSON.stringify(got, null, 2) + '\n');
    expect(got).toEqual(JSON.parse(await read(`${name}.expected.json`)));
    expect(result.layout).toBe(`repeated blocks at ${result.selectors?.item}`);
    expect(result.warnings).toEqual([]);
    // The same page twice gives the same items.
    expect(summary(parseExtracted(extract(doc(html), { format: 'auto' }), { lang: 'auto' }))).toEqual(got);
  });

  it.each(LISTINGS)('%s: lang auto takes the language of the page (its small words where its times name none)', async (name) => {
    const result = parseExtracted(extract(doc(await readListing(name)), { format: 'auto' }), { lang: 'auto' });
    expect(result.lang).toBe(name.slice(0, 2));
  });

  it.each(LISTINGS)('%s: pinned as selectors, the suggested selectors cut out the same stories (headline, link, body, age text, time, image)', async (name) => {
    const html = await read(`${name}.html`);
    const result = parseExtracted(extract(doc(html), { format: 'auto' }), { lang: 'auto' });
    const pinned = extract(doc(html), { format: 'html', selectors: result.selectors! });
    const stories = (summary(parseExtracted(pinned, { lang: 'auto' })) as { stories: unknown[] }).stories;
    expect(stories).toEqual((summary(result) as { stories: unknown[] }).stories);
    expect(stories.length).toBeGreaterThanOrEqual(3);
  });

  it('a dateline list stays with the text grammar, whose stories outnumber half the blocks', async () => {
    const html = await readFile(new URL('./fixtures/extract/nl-buitenland.html', import.meta.url), 'utf8');
    const extracted = extract(doc(html), { format: 'auto' });
    const blocks = extracted.kind === 'lines' && extracted.blocks !== undefined ? runSteps(extracted.blocks()) : null;
    expect(blocks?.items.length).toBe(7);
    const result = parseExtracted(extracted, { lang: 'nl' });
    expect([result.layout, result.stories.length]).toEqual(['text grammar: headline · dateline lead · body (ages trail)', 8]);
  });
});

describe('pages where the detector must find nothing', () => {
  it.each([
    ['blocks/none-article.html', -5.9],
    ['blocks/none-search.html', -2.7],
    ['blocks/none-login.html', -2.9],
    ['article/en-jsonld.html', -14],
  ])('%s: no candidate reaches the minimum score', async (file, best) => {
    const html = await readFile(new URL(`./fixtures/extract/${file}`, import.meta.url), 'utf8');
    const root = runSteps(domSteps(html));
    const candidates = runSteps(candidateSteps(root));
    expect(Math.round((candidates[0]?.score ?? 0) * 10) / 10).toBe(best);
    expect(best).toBeLessThan(MIN_SCORE);
    expect(runSteps(blockSteps(root, URL_OF_PAGE))).toBeNull();
  });

  it('a search page and a login page give no story at all', async () => {
    for (const name of ['none-search.html', 'none-login.html']) {
      const result = parseExtracted(extract(doc(await read(name)), { format: 'auto' }), { lang: 'auto' });
      expect([result.layout, result.stories]).toEqual(['none (no items found)', []]);
    }
  });

  it('an article page without metadata or dateline gives no story: its "more news" list is no listing', async () => {
    const result = parseExtracted(extract(doc(await read('none-article.html')), { format: 'auto' }), { lang: 'en' });
    expect(result.layout).toBe('none (no items found)');
    expect(result.stories.map((s) => s.link)).not.toContain('https://www.example.org/local/bridge-repairs');
  });
});

describe('mutated listing pages', () => {
  it('never throw, and the same mutated page twice gives the same stories (seeded)', async () => {
    let state = 20261207;
    const next = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return Math.floor((state / 2147483648) * n);
    };
    const mutate = (html: string): string => {
      const a = next(html.length);
      const b = a + next(Math.min(400, html.length - a));
      switch (next(4)) {
        case 0: return html.slice(0, a) + html.slice(b); // a slice cut out
        case 1: return html.slice(0, b) + html.slice(a, b) + html.slice(b); // a slice doubled
        case 2: return html.replace(/<\/(li|article|div|a|tr)>/g, (m) => (next(3) === 0 ? '' : m)); // closing tags dropped
        default: return html.slice(0, a); // truncated
      }
    };
    const stories = (html: string): unknown =>
      parseExtracted(extract(doc(html), { format: 'auto' }), { lang: 'auto' }).stories.map((s) => [s.headline, s.link, s.ageText, s.datetime]);
    let read = 0;
    for (const name of LISTINGS) {
      const html = await readListing(name);
      for (let i = 0; i < 12; i++) {
        const page = mutate(html);
        const first = stories(page);
        expect(stories(page)).toEqual(first);
        read++;
      }
    }
    expect(read).toBe(LISTINGS.length * 12);
  });
});

describe('the score table', () => {
  it('says why for every row', () => {
    expect(SCORES.map((r) => r.name)).toEqual(['count', 'headline words', 'headings', 'times', 'teasers', 'links per item', 'repeats', 'coverage', 'main', 'pictures']);
    for (const row of SCORES) expect(row.reason.length).toBeGreaterThan(20);
  });
});
