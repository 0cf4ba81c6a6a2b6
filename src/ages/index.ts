/**
 * Relative ages ("4 minuten geleden", "yesterday at 6:45 PM") → UTC intervals.
 * Other stages rely on exactly these signatures.
 *
 * Interval rules (an age is an interval, not a point; `now` is when the page was seen):
 * - "N <unit> ago": published in (now − (N+1)·unit, now − N·unit], so earliest = now − (N+1)·unit
 *   and latest = now − N·unit (pages floor the elapsed time). "a minute/an hour/een dag" is N=1.
 *   Units are elapsed durations: a day is 24 h even across a DST change.
 * - moment words (zojuist, net, nu, just now, gerade eben, à l'instant, a few seconds ago …):
 *   [now − 1 min, now].
 * - day words, in the source's IANA zone: yesterday = [start of yesterday, start of today − 1 ms],
 *   the day before likewise; today alone = [start of today, now]. Days are 23 h or 25 h on DST
 *   change days, which follows from computing each start of day in the zone.
 * - clock times, in the zone: [hh:mm:00.000, hh:mm:59.999] of that day. A bare clock time later
 *   than now means yesterday; "today + time" later than now is not an age. A wall time that a
 *   fall-back hour shows twice spans both; one in a spring-forward gap does not exist.
 * - calendar dates, in the zone: the whole day ("Dec 6, 2026"), or that minute of it when a clock
 *   time is given. Without a year, the latest such day (moment) not after now ("Mar 29 at 1:30 AM").
 *   A date that does not exist (Feb 30) is not an age; a weekday beside a full date must agree.
 * - weekdays, in the zone: the latest such day not after now ("Saturday", today included), or
 *   the latest such moment ("zaterdag 18:45": last week's when today's has not come yet).
 * - Every latest is clamped to ≤ now; an interval wholly after now is not an age.
 * Nothing here reads the clock or the host time zone: `now` and `timeZone` are parameters.
 */
import { LANGS, type DatedStory, type Lang, type ParsedStory } from '../model.js';
import {
  compileLexicon,
  findIn,
  mergeIndexes,
  readValues,
  type AgeKind,
  type AgeMatch,
  type AgeValues,
  type CompiledLexicon,
  type PatternIndex,
} from './engine.js';
import { MINUTE, type Lexicon } from './lexicon.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';
import { isTimeLine, vocabularyOf, type Vocabulary } from './timelike.js';
import { Zone, addDays, formatDate, weekdayOf, type CivilDate } from './zone.js';

export interface AgeOptions {
  /** The moment the page was seen. */
  now: Date;
  /** IANA zone of the source, for day words and clock times. */
  timeZone: string;
  /** Lexicon to use; 'auto' tries every language. */
  lang: Lang | 'auto';
}

export type AgeResult =
  | { ok: true; earliest: Date; latest: Date; lang: Lang }
  | { ok: false; error: string };

const LEXICON_DATA: Readonly<Record<Lang, Lexicon>> = { nl, en, de, fr };

/**
 * Lexicons are compiled on first use, not at module load: compiling all four took a tenth of
 * the daemon's start, and a daemon whose sources all name one language never needs the others.
 */
const compiled = new Map<Lang, CompiledLexicon>();
let autoIndex: PatternIndex | null = null;

function lexiconOf(lang: Lang): CompiledLexicon {
  let lex = compiled.get(lang);
  if (lex === undefined) {
    lex = compileLexicon(LEXICON_DATA[lang]);
    compiled.set(lang, lex);
  }
  return lex;
}

/** What to search per requested language; 'auto' is every language, ties going to nl, en, de, fr. */
function indexFor(lang: Lang | 'auto'): PatternIndex {
  if (lang !== 'auto') return lexiconOf(lang);
  autoIndex ??= mergeIndexes(LANGS.map(lexiconOf));
  return autoIndex;
}

let vocabulary: Vocabulary | null = null;

/**
 * Whether a short line reads as a time in any language, whether or not it resolves
 * (`3 jaar geleden`, `Mar 32`): the parser takes such a line for an age, so that one that does
 * not resolve is warned about (see timelike.ts). Every language's words count, so that a page
 * in another language than its source names is warned about too.
 */
export function looksLikeTime(line: string): boolean {
  vocabulary ??= vocabularyOf(LANGS.map((lang) => LEXICON_DATA[lang]));
  return isTimeLine(line, vocabulary);
}

/** The languages whose lexicon has been compiled so far, in compile order (what start has paid for). */
export function compiledLexicons(): Lang[] {
  return [...compiled.keys()];
}

/** Zones are compiled once; a zone Intl rejects is remembered as its error message. */
const zones = new Map<string, Zone | string>();

function zoneFor(name: string): Zone | string {
  let zone = zones.get(name);
  if (zone === undefined) {
    try {
      zone = new Zone(name);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      zone = `unknown time zone "${name}"`;
    }
    zones.set(name, zone);
  }
  return zone;
}

interface Interval {
  earliest: number;
  latest: number;
}

interface Context {
  now: number;
  zone: Zone;
  /** Today's date in the zone; only day and clock phrases need it. */
  today(): CivilDate;
}

/** An interval, or why the phrase names no moment. */
type Resolution = Interval | string;

function clockOn(ctx: Context, date: CivilDate, v: AgeValues): Resolution {
  const hour = v.hour ?? 0;
  const minute = v.minute ?? 0;
  const found = ctx.zone.instantsOf(date, hour, minute);
  if (found.length === 0) {
    const hhmm = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    return `${hhmm} does not exist on ${formatDate(date)} in ${ctx.zone.name}`;
  }
  return { earliest: found[0], latest: found[found.length - 1] + MINUTE - 1 };
}

function wholeDay(ctx: Context, date: CivilDate): Interval {
  return { earliest: ctx.zone.startOfDay(date), latest: ctx.zone.startOfDay(addDays(date, 1)) - 1 };
}

/**
 * The calendar date of a date phrase, on it `at` (the whole day, or a minute of it). Without a
 * year: this year's, or last year's when this year's is still to come.
 */
function onDate(ctx: Context, v: AgeValues, at: (date: CivilDate) => Resolution): Resolution {
  const today = ctx.today();
  const years = v.year !== null ? [v.year] : [today.year, today.year - 1];
  let why = '';
  for (const year of years) {
    const date: CivilDate = { year, month: v.month ?? 1, day: v.dayOfMonth ?? 1 };
    const real = addDays(date, 0);
    // Zone math knows four-digit years only (see MIN_NOW).
    if (year < 1000 || real.month !== date.month || real.day !== date.day) {
      why = `${formatDate(date)} is not a date`;
      continue;
    }
    if (v.weekday !== null && weekdayOf(date) !== v.weekday) {
      why = `${formatDate(date)} is not on the weekday named`;
      continue;
    }
    const r = at(date);
    if (typeof r === 'string' || v.year !== null || r.earliest <= ctx.now) return r;
    why = `lies after now (${new Date(ctx.now).toISOString()})`;
  }
  return why;
}

/** The latest day with the phrase's weekday that is not after today. */
function lastWeekday(ctx: Context, v: AgeValues): CivilDate {
  const today = ctx.today();
  return addDays(today, -((weekdayOf(today) - (v.weekday ?? 0) + 7) % 7));
}

const RESOLVERS: Readonly<Record<AgeKind, (ctx: Context, v: AgeValues) => Resolution>> = {
  moment: (ctx) => ({ earliest: ctx.now - MINUTE, latest: ctx.now }),
  relative: (ctx, v) => {
    const n = v.count ?? 0;
    const unit = v.unitMs ?? 0;
    return { earliest: ctx.now - (n + 1) * unit, latest: ctx.now - n * unit };
  },
  day: (ctx, v) => {
    const offset = v.dayOffset ?? 0;
    const day = addDays(ctx.today(), offset);
    const start = ctx.zone.startOfDay(day);
    if (offset === 0) return { earliest: start, latest: ctx.now };
    return { earliest: start, latest: ctx.zone.startOfDay(addDays(day, 1)) - 1 };
  },
  dayClock: (ctx, v) => clockOn(ctx, addDays(ctx.today(), v.dayOffset ?? 0), v),
  clock: (ctx, v) => {
    const today = clockOn(ctx, ctx.today(), v);
    // A clock time with no day word that has not come yet today was yesterday's.
    return typeof today !== 'string' && today.earliest > ctx.now ? clockOn(ctx, addDays(ctx.today(), -1), v) : today;
  },
  date: (ctx, v) => onDate(ctx, v, (date) => wholeDay(ctx, date)),
  dateClock: (ctx, v) => onDate(ctx, v, (date) => clockOn(ctx, date, v)),
  weekday: (ctx, v) => wholeDay(ctx, lastWeekday(ctx, v)),
  weekdayClock: (ctx, v) => {
    const day = lastWeekday(ctx, v);
    const found = clockOn(ctx, day, v);
    // Today's weekday with a time still to come names last week's.
    return typeof found !== 'string' && found.earliest > ctx.now ? clockOn(ctx, addDays(day, -7), v) : found;
  },
};

function resolveMatch(match: AgeMatch, now: number, zone: Zone): Resolution {
  const ctx: Context = { now, zone, today: () => zone.dateAt(now) };
  const interval = RESOLVERS[match.pattern.kind](ctx, readValues(lexiconOf(match.pattern.lang), match.groups));
  if (typeof interval === 'string') return interval;
  if (interval.earliest > now) return `lies after now (${new Date(now).toISOString()})`;
  return { earliest: interval.earliest, latest: Math.min(interval.latest, now) };
}

/** Zone math parses four-digit years, and a page seen outside them is a caller's mistake. */
const MIN_NOW = Date.UTC(1000, 0, 1);
const MAX_NOW = Date.UTC(9999, 11, 31);

/** An interval with the language whose words named it. */
type Resolved = Interval & { lang: Lang };

/**
 * An age phrase's interval in epoch ms; why it names no moment (the phrase not yet quoted);
 * or null when it is no age phrase at all.
 */
function resolveInterval(text: string, now: number, opts: AgeOptions, kinds?: ReadonlySet<AgeKind>): Resolved | string | null {
  if (!(now >= MIN_NOW && now <= MAX_NOW)) return 'now is not a date in the years 1000–9999';
  const zone = zoneFor(opts.timeZone);
  if (typeof zone === 'string') return zone;
  const match = findIn(indexFor(opts.lang), text, 'whole');
  if (match === null && kinds === undefined) return compoundAge(text, now, opts);
  if (match === null || (kinds !== undefined && !kinds.has(match.pattern.kind))) return null;
  const r = resolveMatch(match, now, zone);
  return typeof r === 'string' ? r : { earliest: r.earliest, latest: r.latest, lang: match.pattern.lang };
}

/** A count and unit before a relative age (`3 days` in `3 days 23 hours ago`). */
const LEADING_COUNT = /^\s*(\d{1,4})\s*(\p{L}+\.?)\s+(?=\d)/u;
const RELATIVE: ReadonlySet<AgeKind> = new Set(['relative']);

/**
 * `3 days 23 hours ago`: the relative age after the leading count, moved back by that count of
 * its unit (the page floors only the smaller unit, so the interval keeps that unit's width).
 */
function compoundAge(text: string, now: number, opts: AgeOptions): Resolved | string | null {
  const m = LEADING_COUNT.exec(text);
  if (m === null) return null;
  const word = (m[2] ?? '').toLowerCase();
  // The unit word names the language (a page whose other ages name none was read as the default).
  const langs = opts.lang === 'auto' ? LANGS : [opts.lang, ...LANGS.filter((l) => l !== opts.lang)];
  const lang = langs.find((l) => lexiconOf(l).units.has(word));
  if (lang === undefined) return null;
  const shift = Number(m[1]) * (lexiconOf(lang).units.get(word) ?? 0);
  const rest = resolveInterval(text.slice(m[0].length), now - shift, { ...opts, lang }, RELATIVE);
  if (rest === null || typeof rest === 'string') return rest;
  return { earliest: rest.earliest, latest: rest.latest, lang: rest.lang };
}

function errorOf(text: string, why: string | null): string {
  const quoted = JSON.stringify(text);
  return why === null ? `not an age: ${quoted}` : `${quoted}: ${why}`;
}

/** Resolve a whole age phrase. Never falls back to `now`: text that is not an age is `ok: false`. */
export function resolveAge(text: string, opts: AgeOptions): AgeResult {
  const r = resolveInterval(text, opts.now.getTime(), opts);
  if (r === null || typeof r === 'string') return { ok: false, error: errorOf(text, r) };
  return { ok: true, earliest: new Date(r.earliest), latest: new Date(r.latest), lang: r.lang };
}

const DATE_KINDS: ReadonlySet<AgeKind> = new Set(['date', 'dateClock', 'weekday', 'weekdayClock']);

/**
 * A calendar date or weekday, with or without a clock time (`Dec 6, 2026`, `zaterdag 18:45`,
 * `Dienstag, 11. Dezember 2018`), as its interval in the source's zone; null for any other text
 * and for a date that names no moment. For dates that stand elsewhere than an age (date headers).
 */
export function resolveDate(text: string, opts: AgeOptions): { earliest: Date; latest: Date } | null {
  const r = resolveInterval(text, opts.now.getTime(), opts, DATE_KINDS);
  return r === null || typeof r === 'string' ? null : { earliest: new Date(r.earliest), latest: new Date(r.latest) };
}

/** Calendar dates: their month names and numbers read alike in several languages (`6 December 2026`). */
const WEAK_KINDS: ReadonlySet<AgeKind> = new Set(['date', 'dateClock']);

/** An age phrase found in a line, as it stands there. */
export interface FoundAge {
  text: string;
  /** What the phrase names (`date` for a calendar day without a clock time). */
  kind: AgeKind;
  /** The language whose words matched; a tie between languages goes to the first in nl, en, de, fr. */
  lang: Lang;
  /** Whether the phrase is weak evidence of the page's language (a calendar date). */
  weak: boolean;
}

/** matchAgeAtStart, and whether the phrase is weak evidence of the page's language. */
export function findAgeAtStart(text: string, lang: Lang | 'auto'): FoundAge | null {
  const best = findIn(indexFor(lang), text, 'atStart');
  return best && { text: best.text, kind: best.pattern.kind, lang: best.pattern.lang, weak: WEAK_KINDS.has(best.pattern.kind) };
}

/**
 * An age phrase at the very start of `text`, which may be glued to what follows
 * (`4 minuten geledenSEOUL …`). Returns the phrase as it stands in the text.
 */
export function matchAgeAtStart(text: string, lang: Lang | 'auto'): { text: string; lang: Lang } | null {
  const found = findAgeAtStart(text, lang);
  return found && { text: found.text, lang: found.lang };
}

/**
 * No age phrase is this long, even with odd spacing: only the tail after trailing white space
 * is searched, so that a long paragraph costs no more than a short one.
 */
const END_WINDOW = 64;

/** matchAgeAtEnd, and whether the phrase is weak evidence of the page's language. */
export function findAgeAtEnd(text: string, lang: Lang | 'auto'): (FoundAge & { index: number }) | null {
  // One character more than the window, so that the word-boundary test sees the real neighbour.
  const shift = Math.max(0, text.trimEnd().length - END_WINDOW - 1);
  let best = findIn(indexFor(lang), shift === 0 ? text : text.slice(shift), 'atEnd');
  // A match at the window's very edge might reach further left: search the whole text then.
  if (best && best.index === 0 && shift > 0) best = findIn(indexFor(lang), text, 'atEnd');
  else if (best) best = { ...best, index: best.index + shift };
  return best && { text: best.text, index: best.index, kind: best.pattern.kind, lang: best.pattern.lang, weak: WEAK_KINDS.has(best.pattern.kind) };
}

/** An age phrase that ends `text` (`… geeft. 1 uur geleden`); `index` is where it starts. */
export function matchAgeAtEnd(text: string, lang: Lang | 'auto'): { text: string; index: number; lang: Lang } | null {
  const found = findAgeAtEnd(text, lang);
  return found && { text: found.text, index: found.index, lang: found.lang };
}

/**
 * Dates every story. Order of evidence: a `<time datetime>` from the page wins (earliest =
 * latest = datetime); else the age text's interval; else no age: earliest null, latest now.
 * An age text that does not resolve is a warning naming it, and the story is dated as if it
 * had no age — reported, never silent.
 *
 * The stories are dated in place: each ParsedStory gains its two dates and is returned as the
 * DatedStory. A dated copy of every story was a third of what parsing a page allocated, and
 * the garbage collector then copied both while the page was being stored; every caller drops
 * the parsed stories once they are dated.
 */
export function resolveStories(
  stories: ParsedStory[],
  opts: { now: Date; timeZone: string; lang: Lang },
): { stories: DatedStory[]; warnings: string[] } {
  const warnings: string[] = [];
  const now = opts.now.getTime();
  // A page repeats a handful of age texts; with `now` and the zone fixed each resolves once, and
  // stories with the same age share its Date objects (as stories without one share `now`).
  const seen = new Map<string, { earliest: Date; latest: Date } | string | null>();
  const dated = new Array<DatedStory>(stories.length);
  for (let i = 0; i < stories.length; i++) {
    const story = stories[i] as ParsedStory;
    let earliest: Date | null = null;
    let latest = opts.now;
    if (story.datetime) {
      earliest = story.datetime;
      latest = story.datetime;
    } else if (story.ageText !== null) {
      let r = seen.get(story.ageText);
      if (r === undefined) {
        const found = resolveInterval(story.ageText, now, opts);
        r = found === null || typeof found === 'string' ? found : { earliest: new Date(found.earliest), latest: new Date(found.latest) };
        seen.set(story.ageText, r);
      }
      if (r !== null && typeof r !== 'string') {
        earliest = r.earliest;
        latest = r.latest;
      } else {
        warnings.push(`ages: ${errorOf(story.ageText, r)} (story ${JSON.stringify(story.headline)})`);
      }
    }
    // Both fields are written on the next two lines, which makes the story a DatedStory.
    const d = story as DatedStory;
    d.publishedEarliest = earliest;
    d.publishedLatest = latest;
    dated[i] = d;
  }
  return { stories: dated, warnings };
}
