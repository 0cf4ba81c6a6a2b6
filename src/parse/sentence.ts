/**
 * Sentences: the first sentence of a lead, and a headline made from it.
 * A full stop ends a sentence only when white space and a capital, digit or quote follow,
 * and the word before it is no abbreviation, initial or German ordinal (`27.`).
 */

/** Most characters a derived headline has, its ellipsis included. */
export const HEADLINE_MAX = 160;

/** Abbreviations that take a full stop, lower case, without it (nl, en, de, fr). */
const ABBREVIATIONS = new Set([
  // titles
  'dr', 'drs', 'mr', 'mrs', 'ms', 'mw', 'mevr', 'dhr', 'hr', 'prof', 'ir', 'ing', 'ds', 'st', 'sr', 'jr',
  'gen', 'gov', 'sen', 'rep', 'lt', 'col', 'capt', 'sgt', 'rev', 'fr', 'frl', 'mme', 'mlle', 'mm', 'mgr',
  // months
  'jan', 'feb', 'febr', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'okt', 'oct', 'nov', 'dec', 'dez', 'janv', 'févr', 'déc',
  // other words
  'ca', 'nr', 'vol', 'vs', 'bijv', 'bv', 'evt', 'enz', 'incl', 'excl', 'resp', 'ong', 'pct', 'proc',
  'inc', 'ltd', 'co', 'corp', 'dept', 'approx', 'bzw', 'ggf', 'vgl', 'usw', 'inkl', 'zzgl', 'mio', 'mrd', 'env', 'cf', 'blz',
]);

/**
 * Words after which `27.` is a German ordinal (`am 27. November`, `der 1. FC Köln`, `im 2. Weltkrieg`)
 * rather than a number that ends a sentence (`on Nov. 30. More`).
 */
const ORDINAL_NOUNS = new Set([
  'januar', 'jänner', 'februar', 'märz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember',
  'fc', 'liga', 'bundesliga', 'runde', 'platz', 'klasse', 'weltkrieg', 'advent', 'spieltag', 'etappe', 'lesung', 'halbzeit',
]);

/** A run of sentence-ending punctuation with the closing quotes and brackets after it. */
const TERMINATOR_RUN = /[.!?…]+["”’'»)\]]*/g;
/** White space as `\s` knows it, tested by code so that no one-character strings are made. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}
const SENTENCE_START = /[\p{Lu}\p{N}"“„'‘«(\[]/u;
const INITIAL = /^\p{Lu}$/u;
/** `U.S`, `J.F`, `z.B`, `a.m` — the final full stop not yet included. */
const DOTTED = /^(?:\p{L}\.)+\p{L}$/u;
const DIGITS = /^\d{1,2}$/;
const TOKEN_OPENERS = /^["“„'‘«(\[]+/;
const CLOSERS = new Set(['"', '”', '’', "'", '»', ')', ']']);
const TERMINATORS = new Set(['.', '!', '?', '…']);

/** Whether `text` ends like a sentence: `.`, `!`, `?` or `…`, perhaps inside quotes or brackets. */
export function endsSentence(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && CLOSERS.has(text[i] ?? '')) i--;
  return i >= 0 && TERMINATORS.has(text[i] ?? '');
}

/** The first sentence of `text` (its closing punctuation kept), or all of it when it never ends. */
export function firstSentence(text: string): string {
  const t = text.trim();
  // Searching for the punctuation with a regex keeps long sentences fast; each match is then judged.
  TERMINATOR_RUN.lastIndex = 0;
  for (let m = TERMINATOR_RUN.exec(t); m !== null; m = TERMINATOR_RUN.exec(t)) {
    const end = m.index + m[0].length;
    if (end >= t.length) return t;
    if (!isSpace(t.charCodeAt(end))) continue;
    let next = end;
    while (next < t.length && isSpace(t.charCodeAt(next))) next++;
    if (next >= t.length) return t.slice(0, end);
    if (!startsSentence(t, next)) continue;
    if (m[0] === '.' && isAbbreviation(t, m.index, next)) continue;
    return t.slice(0, end);
  }
  return t;
}

/** SENTENCE_START at `i`, by char code for ASCII (most text), by the regex otherwise. */
function startsSentence(t: string, i: number): boolean {
  const code = t.charCodeAt(i);
  if (code >= 0x80) return SENTENCE_START.test(t[i] ?? '');
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x22 || code === 0x27 || code === 0x28 || code === 0x5b;
}

/**
 * No abbreviation is longer than this. Lower-casing never shortens a string, so a longer token
 * need not be lower-cased to know it is none.
 */
const ABBREVIATION_MAX = Math.max(...[...ABBREVIATIONS].map((a) => a.length));

/** Whether the full stop at `dot` closes an abbreviation rather than a sentence. */
function isAbbreviation(t: string, dot: number, next: number): boolean {
  let start = dot;
  while (start > 0 && !isSpace(t.charCodeAt(start - 1))) start--;
  const token = t.slice(start, dot).replace(TOKEN_OPENERS, '');
  // The regexes only run where they can match: an initial is one code point (two units at
  // most), a dotted abbreviation holds a full stop, a number before an ordinal noun two digits.
  if (token.length <= 2 && INITIAL.test(token)) return true;
  if (token.includes('.') && DOTTED.test(token)) return true;
  if (token.length <= ABBREVIATION_MAX && ABBREVIATIONS.has(token.toLowerCase())) return true;
  if (token.length > 2 || !DIGITS.test(token)) return false;
  let wordEnd = next;
  while (wordEnd < t.length && !isSpace(t.charCodeAt(wordEnd))) wordEnd++;
  return ORDINAL_NOUNS.has(t.slice(next, wordEnd).replace(/[.,;:]+$/, '').toLowerCase());
}

/** A headline from a sentence: unchanged when short enough, else cut at a word boundary with `…`. */
export function deriveHeadline(sentence: string, max = HEADLINE_MAX): string {
  const s = sentence.trim();
  if (s.length <= max) return s;
  // Characters are code points; 2 UTF-16 units per code point at most, so this prefix holds max + 1 of them.
  const chars = Array.from(s.slice(0, 2 * max + 2));
  if (chars.length <= max) return s;
  // A space at code point k leaves k characters before it: at most max - 1, room for the ellipsis.
  const prefix = chars.slice(0, max);
  const space = prefix.lastIndexOf(' ');
  const head = (space > 0 ? prefix.slice(0, space) : prefix.slice(0, max - 1)).join('');
  return `${head.replace(/[\s,;:–—-]+$/u, '')}…`;
}
