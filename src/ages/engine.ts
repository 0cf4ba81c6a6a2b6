/**
 * Compiles lexicons (lexicon.ts) to regexes once, and finds age phrases with them.
 * Each template × clock form becomes one pattern with named groups; a language also gets one
 * alternation of all its patterns without groups, a cheap first test before the per-pattern scan.
 */
import type { Lang } from '../model.js';
import type { Lexicon } from './lexicon.js';

/** What a phrase means; decided by the placeholders its template uses. */
export type AgeKind = 'moment' | 'relative' | 'day' | 'dayClock' | 'clock';

export interface AgePattern {
  lang: Lang;
  kind: AgeKind;
  /** `^phrase` followed by a glue boundary (see GLUE_END_WORD). */
  atStart: RegExp;
  /** `phrase\s*$`, starting at a word boundary. */
  atEnd: RegExp;
  /** The whole text is the phrase. */
  whole: RegExp;
}

export interface CompiledLexicon {
  lexicon: Lexicon;
  patterns: readonly AgePattern[];
  anyAtStart: RegExp;
  anyAtEnd: RegExp;
  numbers: ReadonlyMap<string, number>;
  units: ReadonlyMap<string, number>;
  days: ReadonlyMap<string, number>;
  ampm: ReadonlyMap<string, 'am' | 'pm'>;
}

/** Values a matched phrase carries, read from its named groups. */
export interface AgeValues {
  count: number | null;
  unitMs: number | null;
  dayOffset: number | null;
  hour: number | null;
  minute: number | null;
}

export interface AgeMatch {
  pattern: AgePattern;
  /** The phrase as written, trimmed. */
  text: string;
  index: number;
  values: AgeValues;
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
};
const WORD_START = '(?<![\\p{L}\\p{N}])';
const SPACE = '\\s+';

/** Lexicon keys and matched words are compared in this form. */
export function normalizeWord(s: string): string {
  return s.toLowerCase().replace(/’/g, "'").replace(/\s+/g, ' ').trim();
}

function literal(text: string): string {
  let out = '';
  // Not normalizeWord: a template's edge spaces are real (`vor ` + `{n}`).
  for (const ch of text.toLowerCase().replace(/’/g, "'").replace(/\s+/g, ' ')) {
    if (ch === ' ') out += SPACE;
    else if (ch === "'") out += "['’]";
    else if (ch === ',') out += '\\s*,';
    else {
      const up = ch.toUpperCase();
      if (up !== ch && up.length === 1) out += `[${ch}${up}]`;
      else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}

/** Longest first, so that `minuten` is tried before `min`. */
function words(keys: Iterable<string>): string {
  return [...keys]
    .sort((a, b) => b.length - a.length)
    .map(literal)
    .join('|');
}

function group(name: string, body: string, named: boolean): string {
  return named ? `(?<${name}>${body})` : `(?:${body})`;
}

const HOUR_24 = '[01]?\\d|2[0-3]';
const HOUR_12 = '1[0-2]|0?[1-9]';
const MINUTES = '[0-5]\\d';

/** A template (with `{time}` already replaced by one clock form) as regex source. */
function templateSource(template: string, lex: Lexicon, named: boolean): string {
  const parts = template.split(/(\{\w+\}\s?)/).filter((p) => p !== '');
  let out = '';
  for (const part of parts) {
    const name = /^\{(\w+)\}(\s?)$/.exec(part);
    if (!name) {
      out += literal(part);
      continue;
    }
    const spaced = name[2] !== '';
    const placeholder = name[1];
    if (placeholder === 'n') {
      // Digits may touch their unit (`5m`); a number word may not (`aminute` is no age).
      const digits = `${group('num', '\\d{1,4}', named)}${spaced ? '\\s*' : ''}`;
      const word = `${group('word', words(Object.keys(lex.numbers)), named)}${spaced ? SPACE : ''}`;
      out += `(?:${digits}|${word})`;
      continue;
    }
    const bodies: Record<string, string> = {
      unit: words(Object.keys(lex.units)),
      day: words(Object.keys(lex.days)),
      H: HOUR_24,
      h: HOUR_12,
      M: MINUTES,
      ampm: words(Object.keys(lex.ampm)),
    };
    const body = bodies[placeholder];
    if (body === undefined) throw new Error(`ages: lexicon ${lex.lang}: unknown placeholder {${placeholder}} in "${template}"`);
    const groupName = placeholder === 'H' || placeholder === 'h' ? 'hour' : placeholder === 'M' ? 'minute' : placeholder;
    out += group(groupName, body, named) + (spaced ? SPACE : '');
  }
  return out;
}

function kindOf(template: string): AgeKind {
  const has = (p: string) => template.includes(`{${p}}`);
  if (has('unit')) return 'relative';
  if (has('day')) return has('time') ? 'dayClock' : 'day';
  return has('time') ? 'clock' : 'moment';
}

/** Every template with `{time}` expanded once per clock form. */
function expand(lex: Lexicon): { template: string; kind: AgeKind }[] {
  const out: { template: string; kind: AgeKind }[] = [];
  for (const template of [...lex.moments, ...lex.phrases]) {
    const kind = kindOf(template);
    if (template.includes('{time}')) {
      for (const clock of lex.clocks) out.push({ template: template.replace('{time}', clock), kind });
    } else {
      out.push({ template, kind });
    }
  }
  return out;
}

function keyMap<V>(record: Readonly<Record<string, V>>): Map<string, V> {
  return new Map(Object.entries(record).map(([k, v]) => [normalizeWord(k), v]));
}

export function compileLexicon(lex: Lexicon): CompiledLexicon {
  const templates = expand(lex);
  const patterns = templates.map(({ template, kind }): AgePattern => {
    const src = templateSource(template, lex, true);
    return {
      lang: lex.lang,
      kind,
      atStart: new RegExp(`^\\s*(?:${src})${GLUE_END[kind]}`, 'u'),
      atEnd: new RegExp(`${WORD_START}(?:${src})\\s*$`, 'u'),
      whole: new RegExp(`^\\s*(?:${src})\\s*$`, 'u'),
    };
  });
  const any = (glued: boolean) =>
    templates.map(({ template, kind }) => `(?:${templateSource(template, lex, false)})${glued ? GLUE_END[kind] : ''}`).join('|');
  return {
    lexicon: lex,
    patterns,
    anyAtStart: new RegExp(`^\\s*(?:${any(true)})`, 'u'),
    anyAtEnd: new RegExp(`${WORD_START}(?:${any(false)})\\s*$`, 'u'),
    numbers: keyMap(lex.numbers),
    units: keyMap(lex.units),
    days: keyMap(lex.days),
    ampm: keyMap(lex.ampm),
  };
}

function lookup<V>(map: ReadonlyMap<string, V>, word: string | undefined): V | null {
  return word === undefined ? null : (map.get(normalizeWord(word)) ?? null);
}

function readValues(lex: CompiledLexicon, g: Record<string, string | undefined>): AgeValues {
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
  };
}

function toMatch(lex: CompiledLexicon, pattern: AgePattern, m: RegExpExecArray): AgeMatch {
  const lead = m[0].length - m[0].trimStart().length;
  return {
    pattern,
    text: m[0].trim(),
    index: m.index + lead,
    values: readValues(lex, m.groups ?? {}),
  };
}

type Which = 'atStart' | 'atEnd' | 'whole';

/**
 * The best match of one language: the longest phrase (for atEnd: the one starting first, which
 * is the longest too). Ties go to the pattern listed first in the lexicon.
 */
export function findIn(lex: CompiledLexicon, text: string, which: Which): AgeMatch | null {
  let best: AgeMatch | null = null;
  for (const pattern of lex.patterns) {
    const m = pattern[which].exec(text);
    if (!m) continue;
    const found = toMatch(lex, pattern, m);
    const better =
      best === null ||
      (which === 'atEnd' ? found.index < best.index : found.text.length > best.text.length);
    if (better) best = found;
  }
  return best;
}
