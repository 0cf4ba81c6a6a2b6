/**
 * Compiles lexicons (lexicon.ts) to regexes, and finds age phrases with them.
 * Each template × clock form (and date × date-time form × clock form) becomes one pattern with
 * named groups. Patterns are filed under the characters they can start and end with (a number
 * by what follows its digits, see firstKeys), so that a line whose first (or last) character
 * starts (or ends) no phrase is rejected by one map look-up, before any regex runs; the patterns
 * of one date share a stem that turns them all away with one test.
 */
import type { Lang } from '../model.js';
import type { Lexicon } from './lexicon.js';
import { fileUnder, firstKeys, lastKeys } from './pattern-index.js';
import { bodiesOf, expand, normalizeWord, templateSource } from './templates.js';

/** What a phrase means; decided by the placeholders its template uses. */
export type AgeKind = 'moment' | 'relative' | 'day' | 'dayClock' | 'clock' | 'date' | 'dateClock' | 'weekday' | 'weekdayClock';

/**
 * A regex made on its first use. Dates × date-time forms × clock forms make hundreds of
 * patterns; making all their regexes up front took eight times as long as compiling a lexicon
 * did before, while a page tries few of them: the stems (see AgePattern) turn the others away.
 */
export class LazyRegExp {
  private made: RegExp | null = null;

  constructor(readonly source: string) {}

  get(): RegExp {
    this.made ??= new RegExp(this.source, 'u');
    return this.made;
  }
}

export interface AgePattern {
  lang: Lang;
  kind: AgeKind;
  /** Regex source of the phrase; two patterns with the same kind and source are the same. */
  source: string;
  /** `^phrase` followed by a glue boundary (see GLUE_END_WORD); without groups, see `bare`. */
  atStart: LazyRegExp;
  /** `phrase\s*$`, starting at a word boundary; without groups. */
  atEnd: LazyRegExp;
  /** The whole text is the phrase. */
  whole: LazyRegExp;
  /**
   * `^date`, shared by the patterns made from one date template (alone and with each clock
   * form): when the date does not open the text, none of them can match (see findIn). Null for
   * patterns that are no date.
   */
  stem: LazyRegExp | null;
}

/** Patterns filed by edge character, in priority order (language, then lexicon order). */
export interface PatternIndex {
  /** Patterns by the lower-cased character they can start with. */
  byFirst: ReadonlyMap<string, readonly AgePattern[]>;
  /** Patterns by the lower-cased character they can end with. */
  byLast: ReadonlyMap<string, readonly AgePattern[]>;
  /**
   * Patterns that open with a number, by the lower-cased character after its digits and white
   * space (`4 minuten` → `m`, `18:45` → `:`; `$` at the end). Many templates open with a number —
   * relative ages, clock times, dates with each clock form — and this parts them by what follows
   * it before any regex runs. Number words (`een`) are filed in byFirst.
   */
  afterNumber: ReadonlyMap<string, readonly AgePattern[]>;
}

export interface CompiledLexicon extends PatternIndex {
  numbers: ReadonlyMap<string, number>;
  units: ReadonlyMap<string, number>;
  days: ReadonlyMap<string, number>;
  ampm: ReadonlyMap<string, 'am' | 'pm'>;
  months: ReadonlyMap<string, number>;
  weekdays: ReadonlyMap<string, number>;
}

/** Values a matched phrase carries, read from its named groups. */
export interface AgeValues {
  count: number | null;
  unitMs: number | null;
  dayOffset: number | null;
  hour: number | null;
  minute: number | null;
  year: number | null;
  /** 1–12. */
  month: number | null;
  dayOfMonth: number | null;
  /** 0 (Sunday) – 6. */
  weekday: number | null;
}

export interface AgeMatch {
  pattern: AgePattern;
  /** The phrase as written, trimmed. */
  text: string;
  index: number;
  /**
   * The named groups as matched; `readValues` turns them into numbers when resolving. Only
   * 'whole' matches, the ones resolved, carry them: for 'atStart' and 'atEnd' this is empty.
   */
  groups: Readonly<Record<string, string | undefined>>;
}

/**
 * After a phrase at the start of a line: the end, a non-letter non-digit, or an upper-case
 * letter glued on (`geledenSEOUL`, `nuWASHINGTON`). For a bare word (moment and day phrases)
 * the glued capital counts only after a phrase that does not itself end in upper case, so
 * `Nuttig`, `Netanyahu`, `Hierbij` and `NUTTIG` do not start with an age. A phrase with a
 * number or clock time is specific enough to end in capitals (`6:45 PMLONDON`).
 * No `i` flag anywhere: with it, \p{Lu} would match lower case too; letters get [xX] classes.
 */
const GLUE_END_WORD = '(?=$|[^\\p{L}\\p{N}]|(?<!\\p{Lu})\\p{Lu})';
const GLUE_END_NUMBER = '(?=$|[^\\p{L}\\p{N}]|\\p{Lu})';
const GLUE_END: Readonly<Record<AgeKind, string>> = {
  moment: GLUE_END_WORD,
  day: GLUE_END_WORD,
  relative: GLUE_END_NUMBER,
  dayClock: GLUE_END_NUMBER,
  clock: GLUE_END_NUMBER,
  date: GLUE_END_NUMBER,
  dateClock: GLUE_END_NUMBER,
  weekday: GLUE_END_WORD,
  weekdayClock: GLUE_END_NUMBER,
};
const WORD_START = '(?<![\\p{L}\\p{N}])';

function keyMap<V>(record: Readonly<Record<string, V>>): Map<string, V> {
  return new Map(Object.entries(record).map(([k, v]) => [normalizeWord(k), v]));
}

/**
 * `source` with its named groups made non-capturing. Finding a phrase in a line needs no values,
 * and a regex without groups neither fills capture registers nor builds a groups object.
 * Sources hold no back-references, so what matches is the same.
 */
function bare(source: string): string {
  return source.replace(/\(\?<(\w+)>/g, '(?:');
}

export function compileLexicon(lex: Lexicon): CompiledLexicon {
  const byFirst = new Map<string, AgePattern[]>();
  const byLast = new Map<string, AgePattern[]>();
  const afterNumber = new Map<string, AgePattern[]>();
  const bodies = bodiesOf(lex);
  const stems = new Map<string, LazyRegExp>();
  const stemOf = (date: string): LazyRegExp => {
    let stem = stems.get(date);
    if (stem === undefined) {
      stem = new LazyRegExp(`^\\s*(?:${bare(templateSource(date, lex, bodies))})`);
      stems.set(date, stem);
    }
    return stem;
  };
  for (const { template, kind, date } of expand(lex)) {
    const src = templateSource(template, lex, bodies);
    const pattern: AgePattern = {
      lang: lex.lang,
      kind,
      source: src,
      atStart: new LazyRegExp(`^\\s*(?:${bare(src)})${GLUE_END[kind]}`),
      atEnd: new LazyRegExp(`${WORD_START}(?:${bare(src)})\\s*$`),
      whole: new LazyRegExp(`^\\s*(?:${src})\\s*$`),
      stem: date === null ? null : stemOf(date),
    };
    const keys = firstKeys(template, lex);
    fileUnder(byFirst, keys.first, pattern);
    fileUnder(afterNumber, keys.afterNumber, pattern);
    fileUnder(byLast, lastKeys(template, lex), pattern);
  }
  return {
    byFirst,
    byLast,
    afterNumber,
    numbers: keyMap(lex.numbers),
    units: keyMap(lex.units),
    days: keyMap(lex.days),
    ampm: keyMap(lex.ampm),
    months: keyMap(lex.months),
    weekdays: keyMap(lex.weekdays),
  };
}

/**
 * One index over several languages, earlier ones first, so that one look-up serves 'auto'.
 * A pattern equal to an earlier language's (a bare `{H}:{M}`) is dropped: the earlier one
 * would win the tie anyway.
 */
export function mergeIndexes(indexes: readonly PatternIndex[]): PatternIndex {
  const merge = (maps: ReadonlyMap<string, readonly AgePattern[]>[]) => {
    const out = new Map<string, AgePattern[]>();
    for (const map of maps) {
      for (const [ch, patterns] of map) {
        const list = out.get(ch) ?? [];
        for (const p of patterns) {
          if (!list.some((q) => q.kind === p.kind && q.source === p.source)) list.push(p);
        }
        out.set(ch, list);
      }
    }
    return out;
  };
  return {
    byFirst: merge(indexes.map((i) => i.byFirst)),
    byLast: merge(indexes.map((i) => i.byLast)),
    afterNumber: merge(indexes.map((i) => i.afterNumber)),
  };
}

function lookup<V>(map: ReadonlyMap<string, V>, word: string | undefined): V | null {
  return word === undefined ? null : (map.get(normalizeWord(word)) ?? null);
}

export function readValues(lex: CompiledLexicon, g: Readonly<Record<string, string | undefined>>): AgeValues {
  const count = g.num !== undefined ? Number(g.num) : lookup(lex.numbers, g.word);
  let hour = g.hour !== undefined ? Number(g.hour) : null;
  const half = lookup(lex.ampm, g.ampm);
  // 12 AM is midnight, 12 PM noon.
  if (hour !== null && half !== null) hour = (hour % 12) + (half === 'pm' ? 12 : 0);
  return {
    count,
    unitMs: lookup(lex.units, g.unit),
    dayOffset: lookup(lex.days, g.day),
    hour,
    minute: g.minute !== undefined ? Number(g.minute) : hour !== null ? 0 : null,
    year: g.year !== undefined ? Number(g.year) : null,
    month: g.mon !== undefined ? Number(g.mon) : lookup(lex.months, g.month?.replace(/\.$/, '')),
    dayOfMonth: g.dom !== undefined ? Number(g.dom) : null,
    weekday: lookup(lex.weekdays, g.weekday),
  };
}

/** Shared by every match of a pattern without groups (the atStart/atEnd ones): none is written to. */
const NO_GROUPS: Readonly<Record<string, string | undefined>> = Object.freeze({});

function toMatch(pattern: AgePattern, m: RegExpExecArray): AgeMatch {
  const text = m[0].trim();
  // The phrase is the match without its edge white space; only the leading part moves the index.
  const lead = text === '' ? m[0].length : m[0].indexOf(text);
  return { pattern, text, index: m.index + lead, groups: m.groups ?? NO_GROUPS };
}

type Which = 'atStart' | 'atEnd' | 'whole';

const NONE: readonly AgePattern[] = [];

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const WHITE = /\s/;
/** White space as a template's space matches it (`\s`), by char code for ASCII. */
function isWhite(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code > 0x7f && WHITE.test(text[i] as string));
}

/**
 * The patterns worth trying: those filed under the text's last character (for atEnd), or under
 * its first one, or for a text opening with digits, under what follows them (see PatternIndex).
 */
function candidates(lex: PatternIndex, text: string, which: Which): readonly AgePattern[] {
  if (which === 'atEnd') {
    const end = text.trimEnd();
    return end === '' ? NONE : (lex.byLast.get(end[end.length - 1].toLowerCase()) ?? NONE);
  }
  const start = text.length - text.trimStart().length;
  if (start === text.length) return NONE;
  if (!isDigit(text.charCodeAt(start))) return lex.byFirst.get(text[start].toLowerCase()) ?? NONE;
  let next = start + 1;
  while (isDigit(text.charCodeAt(next))) next++;
  while (isWhite(text, next)) next++;
  return lex.afterNumber.get(next < text.length ? text[next].toLowerCase() : '$') ?? NONE;
}

/**
 * The best match: the longest phrase (for atEnd: the one starting first, which is the longest
 * too). Ties go to the pattern filed first: the earlier language, then the earlier template.
 */
export function findIn(lex: PatternIndex, text: string, which: Which): AgeMatch | null {
  let best: AgeMatch | null = null;
  // A date's patterns stand together in the list: its stem is tested once for all of them.
  let stem: LazyRegExp | null = null;
  let stemFound = false;
  for (const pattern of candidates(lex, text, which)) {
    if (pattern.stem !== null && which !== 'atEnd') {
      if (pattern.stem !== stem) {
        stem = pattern.stem;
        stemFound = stem.get().test(text);
      }
      if (!stemFound) continue;
    }
    const m = pattern[which].get().exec(text);
    if (!m) continue;
    const found = toMatch(pattern, m);
    const better =
      best === null ||
      (which === 'atEnd' ? found.index < best.index : found.text.length > best.text.length);
    if (better) best = found;
  }
  return best;
}
