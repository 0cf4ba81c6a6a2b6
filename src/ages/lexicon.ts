/**
 * The shape of a language's age lexicon: phrases as data, compiled to regexes by engine.ts.
 *
 * Template syntax (phrases and clock forms):
 * - letters match in either case; a space matches one or more white space characters
 *   (NBSP included); `'` matches `'` or `’`; `,` may have white space before it;
 * - `{n}`    a count: digits (the space after them is optional: `5m ago`) or a number word;
 * - `{unit}` a unit word, `{day}` a day word, `{time}` any clock form of the lexicon;
 * - in clock forms: `{H}` hour 0–23, `{h}` hour 1–12 (needs `{ampm}`), `{M}` minute 00–59.
 * A template's placeholders decide its meaning: `{n}`+`{unit}` counts back from now, `{day}`
 * and/or `{time}` name a day or a clock time in the source's zone, none is a moment word.
 */
import type { Lang } from '../model.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
/** Units are elapsed durations: "1 dag geleden" is 24 h back even across a DST change. */
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

export interface Lexicon {
  lang: Lang;
  /** Phrases meaning "within the last minute" (`zojuist`, `just now`). */
  moments: readonly string[];
  /** Templates with placeholders (`{n} {unit} geleden`, `{day} om {time}`, `{time}`). */
  phrases: readonly string[];
  /** Number words and their value (`een` → 1). */
  numbers: Readonly<Record<string, number>>;
  /** Unit words and their duration in milliseconds. */
  units: Readonly<Record<string, number>>;
  /** Day words and their distance from today in calendar days (`gisteren` → -1). */
  days: Readonly<Record<string, number>>;
  /** Clock forms (`{H}:{M} uur`). */
  clocks: readonly string[];
  /** Morning/afternoon words for 12-hour clocks; empty for 24-hour languages. */
  ampm: Readonly<Record<string, 'am' | 'pm'>>;
}
