/**
 * Calendar dates and weekdays read as ages (issue 14.5): each is an interval in the source's
 * zone, and the short forms of relative ages (`2u geleden`) that real pages use.
 */
import { describe, expect, test } from 'vitest';
import { looksLikeTime, matchAgeAtEnd, matchAgeAtStart, resolveAge, resolveDate } from '../src/ages/index.js';
import type { Lang } from '../src/model.js';

/** Seen at 15:30 in Amsterdam (CET, UTC+1) on Monday 2026-12-07. */
const NOW = new Date('2026-12-07T14:30:00Z');
const ZONE = 'Europe/Amsterdam';

type Row = [lang: Lang, text: string, earliest: string, latest: string];

const SATURDAY: [string, string] = ['2026-12-04T23:00:00.000Z', '2026-12-05T22:59:59.999Z'];
const SUNDAY: [string, string] = ['2026-12-05T23:00:00.000Z', '2026-12-06T22:59:59.999Z'];
const SATURDAY_1845: [string, string] = ['2026-12-05T17:45:00.000Z', '2026-12-05T17:45:59.999Z'];
const SUNDAY_1845: [string, string] = ['2026-12-06T17:45:00.000Z', '2026-12-06T17:45:59.999Z'];
const TODAY_1405: [string, string] = ['2026-12-07T13:05:00.000Z', '2026-12-07T13:05:59.999Z'];
const HOURS_2: [string, string] = ['2026-12-07T11:30:00.000Z', '2026-12-07T12:30:00.000Z'];

const ROWS: Row[] = [
  // The strings of the issue.
  ['en', 'Mar 29 at 1:30 AM', '2026-03-29T00:30:00.000Z', '2026-03-29T00:30:59.999Z'],
  ['en', 'Dec 6, 2026', ...SUNDAY],
  ['nl', '7 december 2026, 14:05', ...TODAY_1405],
  ['nl', '07-12-2026 14:05', ...TODAY_1405],
  ['de', '06.12.2026, 18:45 Uhr', ...SUNDAY_1845],
  ['nl', 'zaterdag 18:45', ...SATURDAY_1845],
  ['en', 'Saturday', ...SATURDAY],
  ['nl', '2u geleden', ...HOURS_2],
  // More of each form.
  ['en', 'Dec. 6', ...SUNDAY],
  ['en', 'December 6 2026', ...SUNDAY],
  ['en', '6 December 2026', ...SUNDAY],
  ['en', 'Sunday, December 6, 2026', ...SUNDAY],
  // Without a year, a day still to come this year was last year's.
  ['en', 'December 8', '2025-12-07T23:00:00.000Z', '2025-12-08T22:59:59.999Z'],
  // Summer time: CEST, UTC+2.
  ['en', '24th September', '2026-09-23T22:00:00.000Z', '2026-09-24T21:59:59.999Z'],
  ['en', 'Saturday at 6:45 PM', ...SATURDAY_1845],
  // Today's weekday is today, up to now.
  ['en', 'Monday', '2026-12-06T23:00:00.000Z', '2026-12-07T14:30:00.000Z'],
  ['en', '2h ago', ...HOURS_2],
  ['nl', '6 dec 2026', ...SUNDAY],
  ['nl', 'zondag 6 december 2026 om 18:45', ...SUNDAY_1845],
  // Today's weekday with a time still to come is last week's.
  ['nl', 'maandag 16:00', '2026-11-30T15:00:00.000Z', '2026-11-30T15:00:59.999Z'],
  ['nl', 'zaterdag om 18:45 uur', ...SATURDAY_1845],
  ['nl', '5 min geleden', '2026-12-07T14:24:00.000Z', '2026-12-07T14:25:00.000Z'],
  ['nl', '1d geleden', '2026-12-05T14:30:00.000Z', '2026-12-06T14:30:00.000Z'],
  ['de', 'Samstag', ...SATURDAY],
  ['de', 'Dienstag, 11. Dezember 2018', '2018-12-10T23:00:00.000Z', '2018-12-11T22:59:59.999Z'],
  ['de', '6. Dezember, 18:45 Uhr', ...SUNDAY_1845],
  ['de', 'Samstag um 18:45 Uhr', ...SATURDAY_1845],
  ['de', 'vor 2 Std.', ...HOURS_2],
  ['de', 'vor 2 h', ...HOURS_2],
  ['fr', 'samedi à 18h45', ...SATURDAY_1845],
  ['fr', '6 décembre 2026', ...SUNDAY],
  ['fr', '06/12/2026 à 18h45', ...SUNDAY_1845],
  ['fr', '1er décembre', '2026-11-30T23:00:00.000Z', '2026-12-01T22:59:59.999Z'],
  ['fr', 'il y a 2 h', ...HOURS_2],
];

function interval(text: string, lang: Lang | 'auto'): [string, string, Lang] | string {
  const r = resolveAge(text, { now: NOW, timeZone: ZONE, lang });
  return r.ok ? [r.earliest.toISOString(), r.latest.toISOString(), r.lang] : r.error;
}

describe('dates and weekdays are intervals in the source zone', () => {
  test.each(ROWS)('%s: %s', (lang, text, earliest, latest) => {
    expect(interval(text, lang)).toEqual([earliest, latest, lang]);
    // Two languages may read the same text (`6 December 2026`); the interval is the same.
    expect(interval(text, 'auto').slice(0, 2)).toEqual([earliest, latest]);
  });

  test.each(ROWS)('%s: %s is found glued at the start and trailing at the end', (lang, text) => {
    expect(matchAgeAtStart(`${text}WASHINGTON (ANP/AFP) - Donald Trump zei`, lang)).toEqual({ text, lang });
    expect(matchAgeAtStart(`${text}\n`, lang)).toEqual({ text, lang });
    expect(matchAgeAtEnd(`Dat meldt de omroep. ${text} `, lang)).toEqual({ text, index: 21, lang });
  });
});

describe('dates that name no moment', () => {
  test.each([
    ['Feb 30, 2026', '"Feb 30, 2026": 2026-02-30 is not a date'],
    ['Dec 8, 2026', '"Dec 8, 2026": lies after now (2026-12-07T14:30:00.000Z)'],
    ['Saturday, December 6, 2026', '"Saturday, December 6, 2026": 2026-12-06 is not on the weekday named'],
    ['zaterdag 25:00', 'not an age: "zaterdag 25:00"'],
    ['Mar 32', 'not an age: "Mar 32"'],
  ])('%j', (text, error) => {
    expect(resolveAge(text, { now: NOW, timeZone: ZONE, lang: 'auto' })).toEqual({ ok: false, error });
  });
});

describe('resolveDate reads dates only', () => {
  const opts = { now: NOW, timeZone: ZONE, lang: 'auto' as const };
  test('a date header', () => {
    expect(resolveDate('Dienstag, 11. Dezember 2018', opts)).toEqual({
      earliest: new Date('2018-12-10T23:00:00.000Z'),
      latest: new Date('2018-12-11T22:59:59.999Z'),
    });
  });
  test.each(['4 minuten geleden', 'gisteren', '18:45', 'Dec 8, 2026', 'banaan'])('%j is none', (text) => {
    expect(resolveDate(text, opts)).toBeNull();
  });
});

describe('lines that read as a time, whether or not they resolve', () => {
  test.each([
    '3 jaar geleden',
    'een jaar geleden',
    'Mar 32, 2026',
    'zaterdag 25:00',
    '32-13-2026',
    '06.12.2026, 25:00 Uhr',
    'vor 2 Monaten',
    'il y a 3 mois',
    '2 yrs ago',
    '(zaterdag)',
    '1:30am',
  ])('%j does', (line) => {
    expect(looksLikeTime(line)).toBe(true);
  });

  test.each([
    '',
    'Mei',
    'Week',
    '1 2 3',
    '2026',
    'Net als gisteren is het nat.',
    'Kickoff at 20:45',
    'The 12:30 train',
    'Ajax - PSV 2-1',
    'Meer uit Buitenland',
    'Lees ook: Zo kom je toch op je werk',
    'zaterdag 18:45 zaterdag 18:45 zaterdag 18:45 zaterdag 18:45',
  ])('%j does not', (line) => {
    expect(looksLikeTime(line)).toBe(false);
  });
});
