/**
 * The parser never throws, and the same text always gives the same stories and ids.
 * Inputs are random and mutated wire pages from a seeded PRNG; a failure names the seed and
 * case, and `FUZZ_SEED=<n>` replays it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { describeError } from '../src/errors.js';
import { textToLines } from '../src/extract/text.js';
import { decodeBody } from '../src/fetch/decode.js';
import { storyKey } from '../src/identity/index.js';
import { parseExtracted, parseWire } from '../src/parse/index.js';
import { HEADLINE_MAX } from '../src/parse/sentence.js';
import { seeded } from './helpers/random.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CASES = 2500;


// Every text page of the fixtures: the ANP order and the layouts of issue 15 (tickers, teasers, agency lines, bylines, date headers).
const FIXTURES = readdirSync('tests/fixtures/parse')
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => readFileSync(`tests/fixtures/parse/${f}`, 'utf8'));
/** Pieces of the grammar, to splice into text where they can confuse it most. */
const PIECES = [
  ' (ANP/RTR) - ', '(', ')', ' — ', 'geleden', '4 minuten geleden', 'vor 5 Minuten', 'il y a ', 'hours ago', 'Meer uit ',
  'More from World', 'SAO PAULO', 'Nov. ', 'U.S. ', 'J.F. ', '10.000', '. ', '\n', '\r\n', '\u2028', '\u0000', '\ufffd', '\ud800',
  '😀', 'Advertentie\n', '© 2026', 'cookies accept', '\u200b', '\u00a0', '…', '"', '«', 'ß', 'İ',
  // The issue-15 line kinds: clock heads and lines, agency lines, bylines, stamps, date headers, link labels.
  '\n10:01 ', '\n19:41 Uhr\n', '\nAFP, 08h32\n', ' | AFP | ', 'Reuters Thu 02 Apr 2020 16:57', 'By Jane Doe ', 'By MATT BROWN ',
  ', The Associated Press 3 minute read Updated: 12:37 PM CST', ' / Updated 14 hours ago', '\nDienstag, 11. Dezember 2018\n',
  '\n24th September\n', ' - mehr...', ' Preview', 'Juba - ', 'Von ', '3 days 23 hours ago',
];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

function randomUnicode(r: Rand, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const roll = r();
    if (roll < 0.5) s += String.fromCharCode(32 + int(r, 95));
    else if (roll < 0.6) s += '\n';
    else if (roll < 0.9) s += String.fromCodePoint(int(r, 0x10ffff + 1 - 0x800) + (roll < 0.7 ? 0 : 0x800));
    else s += String.fromCharCode(int(r, 0x10000));
  }
  return s;
}

function shuffleLines(r: Rand, text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
  }
  return lines.join('\n');
}

function splice(r: Rand, text: string, times: number): string {
  let s = text;
  for (let i = 0; i < times; i++) {
    const at = int(r, s.length + 1);
    const cut = r() < 0.3 ? int(r, 20) : 0;
    s = s.slice(0, at) + pick(r, PIECES) + s.slice(at + cut);
  }
  return s;
}

function flipBytes(r: Rand, text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0, n = 1 + int(r, 20); i < n && bytes.length > 0; i++) bytes[int(r, bytes.length)] = int(r, 256);
  return bytes;
}

/** One random input, as text lines: which mutation is chosen by the case's first draw. */
function makeInput(r: Rand): string[] {
  const base = pick(r, FIXTURES);
  switch (int(r, 7)) {
    case 0:
      return textToLines(randomUnicode(r, int(r, 3000)));
    case 1:
      return textToLines(shuffleLines(r, base));
    case 2:
      return textToLines(base.slice(0, int(r, base.length)));
    case 3:
      return textToLines(decodeBody(flipBytes(r, base), null).text);
    case 4:
      return textToLines(splice(r, base, 1 + int(r, 40)));
    case 5:
      // A huge line: fixture text with its line breaks gone, repeated.
      return textToLines(base.replace(/\n/g, r() < 0.5 ? ' ' : '').repeat(1 + int(r, 20)));
    default:
      return textToLines(splice(r, shuffleLines(r, pick(r, FIXTURES) + base), int(r, 10)));
  }
}

const ids = (lines: string[]): string[] =>
  parseWire(lines, { lang: 'auto' }).stories.map((s) => storyKey(s.headline));

test(`random and mutated wire pages (seed ${SEED})`, () => {
  const r = seeded(SEED);
  let stories = 0;
  const templates = new Set<string>();
  for (let i = 0; i < CASES; i++) {
    const lines = makeInput(r);
    const where = `seed ${SEED} case ${i}`;
    let result;
    try {
      result = parseWire(lines, { lang: 'auto' });
    } catch (err) {
      throw new Error(`${where}: parseWire threw: ${describeError(err)}`, { cause: err });
    }
    expect(ids(lines), where).toEqual(result.stories.map((s) => storyKey(s.headline)));
    const broken = result.stories.filter(
      (s) =>
        s.headline === '' ||
        (s.headlineDerived && Array.from(s.headline).length > HEADLINE_MAX) ||
        // Pages whose items open with a time or an agency line may carry no dateline (see layout.ts).
        (s.place === null && s.agencies.length === 0 && result.layout.includes('ages trail')) ||
        s.body.length === 0,
    );
    expect(broken, where).toEqual([]);
    expect(result.stories.length, where).toBeLessThanOrEqual(lines.length);
    stories += result.stories.length;
    templates.add(result.layout.replace(/ · .*/, ''));
  }
  // The mutations must leave enough grammar standing for the test to exercise story building.
  expect(stories).toBeGreaterThan(CASES);
  // ... and reach every item template (what opens an item: headline, time, time headline).
  expect([...templates].sort()).toEqual(['none (no items found)', 'text grammar: headline', 'text grammar: time', 'text grammar: time headline']);
  // A fixed amount of work: room for a machine shared with other jobs.
}, 240_000);

test(`random selector items (seed ${SEED})`, () => {
  const r = seeded(SEED + 1);
  for (let i = 0; i < 500; i++) {
    const where = `seed ${SEED + 1} case ${i}`;
    const items = Array.from({ length: int(r, 5) }, () => ({
      headline: r() < 0.5 ? null : randomUnicode(r, int(r, 80)),
      body: Array.from({ length: int(r, 3) }, () => splice(r, randomUnicode(r, int(r, 400)), int(r, 3))),
      ageText: r() < 0.5 ? null : splice(r, '', 1),
      link: null,
      datetime: null,
    }));
    try {
      parseExtracted({ kind: 'items', items }, { lang: 'auto' });
    } catch (err) {
      throw new Error(`${where}: parseExtracted threw: ${describeError(err)}`, { cause: err });
    }
  }
});
