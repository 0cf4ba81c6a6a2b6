/**
 * Whether a short line reads as a time even when no phrase of a lexicon matches it
 * (`3 jaar geleden`, `Mar 32, 2026`, `zaterdag 25:00`): the parser then takes it as the item's
 * age, and resolving it warns with its text instead of the line passing for a headline or being
 * dropped unseen. The words come from the lexicons, so a new language brings its own.
 *
 * A line reads as a time when every word is a time word or a number, and one of them anchors it:
 * a clock time or numeric date (`18:45`, `06.12.2026`), a number glued to a unit (`2u`), a word
 * that names a day (`zaterdag`, `gisteren`), or a number beside a unit or month (`3 jaar`,
 * `Mar 32`). Numbers alone (`1 2 3`, a pager) and single words (`Mei`, `Week`) do not.
 */
import type { Lexicon } from './lexicon.js';

/** The words of some lexicons, by the part they play in a time phrase. */
export interface Vocabulary {
  /** Words that name a time by themselves: weekdays, day words. */
  naming: ReadonlySet<string>;
  /** Words that name a time beside a number: units (vague ones too), months. */
  counted: ReadonlySet<string>;
  /** Number words and ordinal suffixes (`een`, `th`). */
  numbers: ReadonlySet<string>;
  /** The other words of phrases: `geleden`, `om`, `uhr`, `il`, `a.m.`, `zojuist`. */
  glue: ReadonlySet<string>;
}

/** Time lines are short; a longer line is text. */
const TIME_LINE_MAX = 48;
const MAX_WORDS = 8;

/** `18:45`, `18.45`, `18h45`, perhaps with am/pm glued on (`1:30am`). */
const CLOCK = /^\d{1,2}[:.h]\d{2}/;
const NUMERIC_DATE = /^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}$/;
const NUMBER = /^\d{1,4}\.?$/;
/** Digits with letters glued on: `2u`, `5min`, `24th`. */
const GLUED = /^\d{1,4}(\p{L}+\.?)$/u;
/** Quotes, brackets and separators around a word: `(zaterdag)`, `18:45,`, `|`. */
const EDGE = /^[\s"'“”‘’«»„()[\]|·•,;:–—-]+|[\s"'“”‘’«»„()[\]|·•,;:–—-]+$/gu;

function norm(word: string): string {
  return word.toLowerCase().replace(/’/g, "'");
}

/** The words of the templates' literal text, placeholders and punctuation left out. */
function templateWords(templates: readonly string[]): string[] {
  return templates.flatMap((t) => t.replace(/\{\w+\}/g, ' ').split(/\s+/)).map((w) => norm(w).replace(EDGE, '')).filter((w) => /\p{L}/u.test(w));
}

export function vocabularyOf(lexicons: readonly Lexicon[]): Vocabulary {
  const naming = new Set<string>();
  const counted = new Set<string>();
  const numbers = new Set<string>();
  const glue = new Set<string>();
  const add = (set: Set<string>, keys: Iterable<string>) => {
    for (const k of keys) set.add(norm(k));
  };
  for (const lex of lexicons) {
    add(naming, [...Object.keys(lex.weekdays), ...Object.keys(lex.days)]);
    add(counted, [...Object.keys(lex.units), ...lex.vagueUnits, ...Object.keys(lex.months)]);
    add(numbers, [...Object.keys(lex.numbers), ...lex.ordinals]);
    add(glue, [...Object.keys(lex.ampm), ...templateWords([...lex.moments, ...lex.phrases, ...lex.dates, ...lex.dateTimes, ...lex.clocks])]);
  }
  return { naming, counted, numbers, glue };
}

type Role = 'anchor' | 'counted' | 'number' | 'glue' | null;

function roleOf(raw: string, v: Vocabulary): Role {
  const word = norm(raw).replace(EDGE, '');
  if (word === '') return 'glue';
  if (NUMERIC_DATE.test(word)) return 'anchor';
  const clock = CLOCK.exec(word);
  if (clock !== null) {
    const rest = word.slice(clock[0].length);
    return rest === '' || v.glue.has(rest) ? 'anchor' : null;
  }
  if (NUMBER.test(word)) return 'number';
  const glued = GLUED.exec(word);
  if (glued !== null) {
    const letters = glued[1] ?? '';
    if (v.numbers.has(letters)) return 'number';
    return v.counted.has(letters) || v.counted.has(letters.replace(/\.$/, '')) || v.glue.has(letters) ? 'anchor' : null;
  }
  // Abbreviations may carry a full stop the lexicon does not list (`Dec.`, `Std.`).
  for (const w of word.endsWith('.') ? [word, word.slice(0, -1)] : [word]) {
    if (v.naming.has(w)) return 'anchor';
    if (v.counted.has(w)) return 'counted';
    if (v.numbers.has(w)) return 'number';
    if (v.glue.has(w)) return 'glue';
  }
  return null;
}

/** Whether `line` reads as a time (see the top of this file). */
export function isTimeLine(line: string, v: Vocabulary): boolean {
  if (line.length > TIME_LINE_MAX) return false;
  let anchored = false;
  let number = false;
  let counted = false;
  let words = 0;
  for (const [raw] of line.matchAll(/\S+/g)) {
    if (++words > MAX_WORDS) return false;
    const role = roleOf(raw, v);
    if (role === null) return false;
    if (role === 'anchor') anchored = true;
    else if (role === 'number') number = true;
    else if (role === 'counted') counted = true;
  }
  return anchored || (number && counted);
}
