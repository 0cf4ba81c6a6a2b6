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
const CLOSERS = new Set(['"', '”', '’', "'", '»', ')', ']']);
const TERMINATORS = new Set(['.', '!', '?', '…']);
/** The same as char codes, and the quotes and brackets that may open a token. */
const codes = (chars: Iterable<string>): Set<number> => new Set([...chars].map((ch) => ch.charCodeAt(0)));
const CLOSER_CODES = codes(CLOSERS);
const TERMINATOR_CODES = codes(TERMINATORS);
const OPENER_CODES = codes('"“„\'‘«([');

/** Whether `text` ends like a sentence: `.`, `!`, `?` or `…`, perhaps inside quotes or brackets. */
export function endsSentence(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && CLOSERS.has(text[i] ?? '')) i--;
  return i >= 0 && TERMINATORS.has(text[i] ?? '');
}

/** The first sentence of `text` (its closing punctuation kept), or all of it when it never ends. */
export function firstSentence(text: string): string {
  const t = text.trim();
  // Each mark is found with indexOf, which scans far faster than a regex over a character
  // class; each mark's next place is searched again only once the reading has passed it.
  let dot = t.indexOf('.');
  let bang = t.indexOf('!');
  let ask = t.indexOf('?');
  let dots = t.indexOf('…');
  for (let from = 0; ; ) {
    if (dot !== -1 && dot < from) dot = t.indexOf('.', from);
    if (bang !== -1 && bang < from) bang = t.indexOf('!', from);
    if (ask !== -1 && ask < from) ask = t.indexOf('?', from);
    if (dots !== -1 && dots < from) dots = t.indexOf('…', from);
    const at = earliest(earliest(dot, bang), earliest(ask, dots));
    if (at === -1) return t;
    // The run of marks and the closing quotes and brackets after it.
    let end = at + 1;
    while (end < t.length && TERMINATOR_CODES.has(t.charCodeAt(end))) end++;
    while (end < t.length && CLOSER_CODES.has(t.charCodeAt(end))) end++;
    from = end;
    if (end >= t.length) return t;
    if (!isSpace(t.charCodeAt(end))) continue;
    let next = end;
    while (next < t.length && isSpace(t.charCodeAt(next))) next++;
    if (next >= t.length) return t.slice(0, end);
    if (!startsSentence(t, next)) continue;
    // A lone full stop, no closer after it, may close an abbreviation instead.
    if (end === at + 1 && t.charCodeAt(at) === 0x2e && isAbbreviation(t, at, next)) continue;
    return t.slice(0, end);
  }
}

/** The smaller of two positions, -1 standing for none. */
function earliest(a: number, b: number): number {
  return a === -1 || (b !== -1 && b < a) ? b : a;
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
  while (start < dot && OPENER_CODES.has(t.charCodeAt(start))) start++;
  const token = t.slice(start, dot);
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
