/**
 * The shape of a language's age lexicon: phrases as data, compiled to regexes by engine.ts.
 *
 * Template syntax (phrases and clock forms):
 * - letters match in either case; a space matches one or more white space characters
 *   (NBSP included); `'` matches `'` or `’`; `,` may have white space before it;
 * - `{n}`    a count: digits (the space after them is optional: `5m ago`) or a number word;
 * - `{unit}` a unit word, `{day}` a day word, `{time}` any clock form of the lexicon;
 * - in clock forms: `{H}` hour 0–23, `{h}` hour 1–12 (needs `{ampm}`), `{M}` minute 00–59;
 * - in dates: `{D}` day of the month (an ordinal suffix may follow: `24th`), `{MM}` month 1–12,
 *   `{month}` a month word (a full stop may follow: `Dec.`), `{Y}` a four-digit year,
 *   `{weekday}` a weekday word; `{date}` in `dateTimes` is any of `dates`.
 * A template's placeholders decide its meaning: `{n}`+`{unit}` counts back from now, `{D}` names
 * a calendar date, `{weekday}` the latest such weekday, `{day}` and/or `{time}` name a day or a
 * clock time — all in the source's zone; none is a moment word.
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
  /** Calendar dates and weekdays (`{D} {month} {Y}`, `{weekday}`), read as they stand. */
  dates: readonly string[];
  /** How a clock time joins a date (`{date} om {time}`), tried with every date and clock form. */
  dateTimes: readonly string[];
  /** Month words (`december`, `dec`) and their number 1–12. */
  months: Readonly<Record<string, number>>;
  /** Weekday words and their number, 0 for Sunday to 6 for Saturday (as `Date#getUTCDay`). */
  weekdays: Readonly<Record<string, number>>;
  /** Suffixes an ordinal day number may carry (`st`, `nd` → `1st`, `22nd`). */
  ordinals: readonly string[];
  /**
   * Unit words of ages no lexicon phrase resolves (`jaar`: a year has no fixed length). A line
   * made of them still reads as a time, so that it is warned about instead of read as text.
   */
  vagueUnits: readonly string[];
}
