/**
 * The whole pipeline under random input: random and mutated wire text and HTML go through
 * extract → parse → resolve → ingest (a real store in a temp dir) → select → render, the way
 * the daemon does it. Invariants: nothing throws (a page without stories is the one expected
 * failure, E_NO_STORIES); every Atom and RSS document is well-formed XML with only XML 1.0
 * characters; every JSON Feed parses; the same document ingested twice changes nothing.
 * Seeded: a failure prints the seed and case; `FUZZ_SEED=<n>` replays the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { SourceConfig } from '../src/config/schema.js';
import { WirefeedError } from '../src/errors.js';
import type { DatedStory, FeedFormat } from '../src/model.js';
import { renderFeed } from '../src/render/index.js';
import { buildFeedView, type FeedSpec } from '../src/select/index.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage, type IngestResult } from '../src/ingest/index.js';
import { readPage } from '../src/refresh.js';
import { openStore } from '../src/store/index.js';
import { storiesOf } from './helpers/state.js';
import { writeConfig } from './helpers/daemon.js';
import { between, seeded } from './helpers/faults.js';
import { tempDir } from './helpers/tmp.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261129);
const CASES = Number(process.env['FUZZ_CASES'] ?? 10_000);
const T0 = Date.parse('2026-11-28T12:00:00Z');

const FIXTURES = [
  ...['nl-buitenland', 'en-world', 'de-politik', 'fr-monde'].map((n) => ({ text: readFileSync(`tests/fixtures/parse/${n}.txt`, 'utf8'), html: false })),
  ...['nl-buitenland', 'selectors', 'cp1252-meta'].map((n) => ({ text: readFileSync(`tests/fixtures/extract/${n}.html`, 'utf8'), html: true })),
];

/** Pieces of the wire grammar and of markup, plus characters that XML, JSON or HTML must survive. */
const PIECES = [
  ' (ANP/RTR) - ', 'WASHINGTON (ANP/AFP) - ', 'Berlin (dpa) - ', 'OTTAWA, Nov 27 (Reuters) - ', '4 minuten geleden', '1 uur geleden',
  'vor 5 Minuten', 'il y a 3 heures', '2 hours ago', 'gisteren', 'Meer uit Buitenland', 'More from World', '. ', '10.000',
  '\n', '\r\n', '\t', '\u2028', '\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f', '\ufffd', '\ufffe', '\uffff',
  '\ud800', '\udfff', '😀', '\u200b', '\u00a0', '\u202e', ']]>', '<![CDATA[', '&', '&amp;', '&#0;', '&#xD800;', '<', '>', '"', "'",
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)', '</p>', '<br>', '<li>', '<h2>', '<!--', '-->',
];
const TAGS = ['p', 'div', 'li', 'h2', 'h3', 'span', 'a href="javascript:alert(1)"', 'a href="https://example.org/x?a=1&b=2"', 'script', 'style', 'nav', 'time datetime="2026-11-28T11:00:00Z"', 'br'];

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

function randomChars(r: Rand, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const roll = r();
    if (roll < 0.6) s += String.fromCharCode(between(r, 0x20, 0x7e));
    else if (roll < 0.8) s += String.fromCharCode(between(r, 0, 0x3000));
    else if (roll < 0.9) s += String.fromCodePoint(between(r, 0x1f300, 0x1f64f));
    else s += pick(r, PIECES);
  }
  return s;
}

const WORDS = ['storm', 'kabinet', 'Oekraïne', 'rente', 'De', 'minister', 'zegt', 'dat', 'het', 'Trump', 'NAVO', 'brug', 'Noord-Korea', 'wint', 'verliest', 'over', 'in', 'Zeeland', 'ECB', 'Parijs'];
const PLACES = ['WASHINGTON', 'DEN HAAG', 'SAO PAULO', 'Berlin', 'München', 'GENEVA', 'OTTAWA, Nov 27', 'TEL AVIV'];
const AGENCIES = ['ANP', 'ANP/AFP', 'ANP/RTR', 'dpa', 'dpa/lby', 'Reuters', 'AP', 'AFP'];
const AGES = ['4 minuten geleden', '1 uur geleden', '2 hours ago', 'vor 5 Minuten', 'il y a 3 heures', 'gisteren', 'yesterday', '12:30', '99 minuten geleden', ''];

/** A noisy piece: random words, sometimes with hostile characters mixed in. */
function noisy(r: Rand, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(r() < 0.85 ? pick(r, WORDS) : r() < 0.5 ? pick(r, PIECES) : randomChars(r, between(r, 1, 12)));
  return out.join(' ');
}

/** A page of story-shaped blocks (headline, dateline lead, body, age, section) with noise in every part. */
function randomWire(r: Rand): string {
  const lines: string[] = [];
  for (let i = between(r, 1, 8); i > 0; i--) {
    if (r() < 0.7) lines.push(noisy(r, between(r, 2, 10)));
    const lead = `${pick(r, PLACES)} (${pick(r, AGENCIES)}) ${pick(r, ['-', '—', '–'])} ${noisy(r, between(r, 3, 25))}. ${noisy(r, between(r, 0, 15))}.`;
    lines.push(r() < 0.3 ? pick(r, AGES) + lead : lead);
    for (let j = between(r, 0, 2); j > 0; j--) lines.push(`${noisy(r, between(r, 3, 20))}.`);
    if (r() < 0.5) lines.push(pick(r, AGES));
    if (r() < 0.1) lines.push(pick(r, ['Meer uit Buitenland', 'More from World', 'Mehr aus Politik']));
    if (r() < 0.2) lines.push(randomChars(r, between(r, 1, 60)));
  }
  return lines.join(r() < 0.9 ? '\n' : '\r\n');
}

/** Lines wrapped in random, sometimes unclosed, tags. */
function randomHtml(r: Rand, text: string): string {
  const body = text
    .split('\n')
    .map((line) => {
      const tag = pick(r, TAGS);
      const name = tag.split(' ')[0]!;
      return r() < 0.15 ? `<${tag}>${line}` : `<${tag}>${line}</${name}>`;
    })
    .join(r() < 0.5 ? '\n' : '');
  return r() < 0.5 ? `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>` : body;
}

/** A fixture with 1–6 random edits: cut, duplicate, splice a piece, swap lines, truncate. */
function mutate(r: Rand, text: string): string {
  let s = text;
  for (let k = between(r, 1, 6); k > 0; k--) {
    const at = between(r, 0, s.length);
    const len = between(r, 0, 200);
    const edit = between(r, 0, 4);
    if (edit === 0) s = s.slice(0, at) + s.slice(at + len);
    else if (edit === 1) s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
    else if (edit === 2) s = s.slice(0, at) + pick(r, PIECES) + s.slice(at);
    else if (edit === 3) {
      const lines = s.split('\n');
      const [i, j] = [between(r, 0, lines.length - 1), between(r, 0, lines.length - 1)];
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      s = lines.join('\n');
    } else s = s.slice(0, at);
  }
  return s;
}

function makeCase(r: Rand): { text: string; html: boolean } {
  const kind = between(r, 0, 3);
  if (kind === 0) return { text: randomWire(r), html: false };
  if (kind === 1) return { text: randomHtml(r, randomWire(r)), html: true };
  const fixture = pick(r, FIXTURES);
  // Fixtures are long: a random window keeps each case small and the run fast.
  const start = between(r, 0, Math.max(0, fixture.text.length - 2000));
  const text = mutate(r, fixture.text.slice(start, start + between(r, 200, 2000)));
  return kind === 2 ? { text, html: fixture.html } : { text: randomHtml(r, text), html: true };
}

// XML 1.0 Char production: no C0 controls but tab/LF/CR, no lone surrogates, no U+FFFE/U+FFFF.
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Throws with the seed, the case and the input, so a failure can be replayed and read. */
function fail(where: string, what: string, input: string, cause?: unknown): never {
  throw new Error(`${where}: ${what}\ninput: ${JSON.stringify(input)}`, { cause });
}

/** Cases per store: a fresh store now and then keeps the indexes small and the run fast. */
const CASES_PER_STORE = 1000;

it(`${CASES} random and mutated pages through parse → ingest → render: no throw, well-formed feeds, idempotent ingest`, async () => {
  const dir = await tempDir();
  const config = await writeConfig(dir, `sources:\n  - { id: fuzz, title: Fuzz, url: https://example.org/nieuws, timezone: Europe/Amsterdam }\n`);
  const base = config.sources[0]!;
  const r = seeded(SEED);
  const stats = { noStories: 0, stories: 0 };
  let store = await openStore(join(dir, 'state-0'), { lock: false });
  for (let i = 0; i < CASES; i++) {
    if (i > 0 && i % CASES_PER_STORE === 0) {
      await store.close();
      store = await openStore(join(dir, `state-${i}`), { lock: false });
    }
    const c = makeCase(r);
    const where = `FUZZ_SEED=${SEED} case ${i}`;
    // A source per case keeps each feed small; stories shared between cases are listed under both, as in the daemon.
    const source: SourceConfig = { ...base, id: `f${i}`, lang: pick(r, ['auto', 'nl', 'en', 'de', 'fr'] as const) };
    const at = new Date(T0 + i * 60_000);
    const doc = { sourceId: source.id, url: 'https://example.org/nieuws', mediaType: c.html ? 'text/html' : 'text/plain', text: c.text, fetchedAt: at };
    const ingest = async (): Promise<IngestResult | null> => {
      try {
        const page = readPage(source, doc, at);
        return await ingestPage(store, page.stories, { sourceId: source.id, at, lang: page.lang, scopeOf: () => PUBLIC_SCOPE });
      } catch (err) {
        if (err instanceof WirefeedError && err.code === 'E_NO_STORIES') return null;
        return fail(where, `ingest threw ${String(err)}`, c.text, err);
      }
    };
    if ((await ingest()) === null) {
      stats.noStories++;
      continue;
    }
    const snapshot = JSON.stringify(await storiesOf(store, source.id));
    stats.stories += await store.countOf(source.id);
    const second = await ingest();
    if (second === null) fail(where, 'the second ingest found no stories', c.text);
    if (second.touched.length > 0) fail(where, `the same page twice changed the feed (touched ${second.touched.join(', ')})`, c.text);
    const again = JSON.stringify(await storiesOf(store, source.id));
    if (again !== snapshot) fail(where, `the same page twice changed the stories:\n${snapshot}\n${again}`, c.text);

    const spec: FeedSpec = { id: source.id, title: 'Fuzz', sourceIds: [source.id], include: [], exclude: [], limit: 500, alternateUrl: 'https://example.org/nieuws', lang: null };
    const view = await buildFeedView(store, spec, 500, { baseUrl: 'http://127.0.0.1:8080', hub: null, sources: new Map([[source.id, { title: 'Fuzz', pageUrl: 'https://example.org/nieuws' }]]) });
    for (const format of ['atom', 'rss', 'json'] as FeedFormat[]) {
      let out: string;
      try {
        out = renderFeed(view, format);
      } catch (err) {
        fail(where, `render ${format} threw ${String(err)}`, c.text, err);
      }
      const bad = NOT_XML_CHAR.exec(out);
      if (bad !== null) fail(where, `${format} has U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}, not allowed in XML`, c.text);
      if (format === 'json') {
        try {
          JSON.parse(out);
        } catch (err) {
          fail(where, `JSON Feed does not parse: ${String(err)}`, c.text, err);
        }
        continue;
      }
      const valid = XMLValidator.validate(out);
      if (valid !== true) fail(where, `${format} is not well-formed: ${JSON.stringify(valid.err)}`, c.text);
    }
  }
  // A fuzz run that never gets past the parser tests nothing: most cases must yield stories.
  expect(stats.noStories).toBeLessThan(CASES / 2);
  console.log(`fuzz-pipeline: seed ${SEED}: ${CASES} cases, ${CASES - stats.noStories} with stories (${stats.stories} listed), ${stats.noStories} without (E_NO_STORIES)`);
  // A fixed amount of work (about 30 s alone on 2 cores): room for a machine shared with other jobs.
}, 240_000);

it('a page that lists one story twice with different bodies keeps the first, and a second fetch changes nothing (found by the fuzz run, case 41)', async () => {
  const store = await openStore(join(await tempDir(), 'state'), { lock: false });
  const story = (body: string): DatedStory => ({
    headline: 'Bundestag beschließt Haushalt',
    headlineDerived: false,
    place: 'Berlin',
    agencies: ['dpa'],
    section: null,
    body: [`Berlin (dpa) - ${body}`],
    ageText: null,
    leadSentence: body,
    link: null,
    author: null,
    image: null,
    datetime: null,
    publishedEarliest: null,
    publishedLatest: new Date(T0),
  });
  const page = [story('Der Bundestag hat den Haushalt beschlossen. Finanzminister Klitik'), story('Der Bundestag hat den Haushalt beschlossen. Finanzminister Klingbeil sprach.')];
  const first = await ingestPage(store, page, { sourceId: 'de', at: new Date(T0), lang: 'de', scopeOf: () => PUBLIC_SCOPE });
  expect([first.new, first.updated, first.unchanged]).toEqual([1, 0, 1]);
  const held = JSON.stringify(await storiesOf(store, 'de'));
  const later = await ingestPage(store, page, { sourceId: 'de', at: new Date(T0 + 600_000), lang: 'de', scopeOf: () => PUBLIC_SCOPE });
  expect([later.new, later.updated, later.unchanged, later.changed]).toEqual([0, 0, 2, 0]);
  // No feed changed (the store's revision of a source, before): no source touched.
  expect(later.touched).toEqual([]);
  const [s] = await storiesOf(store, 'de');
  expect([s!.body, s!.updated]).toEqual([['Berlin (dpa) - Der Bundestag hat den Haushalt beschlossen. Finanzminister Klitik'], new Date(T0).toISOString()]);
  expect(JSON.parse(held)[0].body).toEqual(s!.body);
});
