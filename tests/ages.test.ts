import { afterEach, describe, expect, test } from 'vitest';
import { matchAgeAtEnd, matchAgeAtStart, resolveAge, resolveStories } from '../src/ages/index.js';
import type { Lang, ParsedStory } from '../src/model.js';

/** Seen at 13:00 in Amsterdam (CET, UTC+1) on Saturday 2026-11-28. */
const NOW = new Date('2026-11-28T12:00:00Z');
const ZONE = 'Europe/Amsterdam';

type Row = [text: string, earliest: string, latest: string];

const MOMENT: [string, string] = ['2026-11-28T11:59:00.000Z', '2026-11-28T12:00:00.000Z'];
const YESTERDAY: [string, string] = ['2026-11-26T23:00:00.000Z', '2026-11-27T22:59:59.999Z'];
const DAY_BEFORE: [string, string] = ['2026-11-25T23:00:00.000Z', '2026-11-26T22:59:59.999Z'];
const TODAY: [string, string] = ['2026-11-27T23:00:00.000Z', '2026-11-28T12:00:00.000Z'];
const AT_1845_YESTERDAY: [string, string] = ['2026-11-27T17:45:00.000Z', '2026-11-27T17:45:59.999Z'];
const AT_0945_TODAY: [string, string] = ['2026-11-28T08:45:00.000Z', '2026-11-28T08:45:59.999Z'];
const MINUTE_1: [string, string] = ['2026-11-28T11:58:00.000Z', '2026-11-28T11:59:00.000Z'];
const MINUTES_5: [string, string] = ['2026-11-28T11:54:00.000Z', '2026-11-28T11:55:00.000Z'];
const HOUR_1: [string, string] = ['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z'];
const HOURS_3: [string, string] = ['2026-11-28T08:00:00.000Z', '2026-11-28T09:00:00.000Z'];
const DAY_1: [string, string] = ['2026-11-26T12:00:00.000Z', '2026-11-27T12:00:00.000Z'];
const DAYS_2: [string, string] = ['2026-11-25T12:00:00.000Z', '2026-11-26T12:00:00.000Z'];
const WEEK_1: [string, string] = ['2026-11-14T12:00:00.000Z', '2026-11-21T12:00:00.000Z'];
const WEEKS_2: [string, string] = ['2026-11-07T12:00:00.000Z', '2026-11-14T12:00:00.000Z'];

const TABLE: Record<Lang, Row[]> = {
  nl: [
    ['zojuist', ...MOMENT],
    ['net', ...MOMENT],
    ['nu', ...MOMENT],
    ['een paar seconden geleden', ...MOMENT],
    ['30 seconden geleden', '2026-11-28T11:59:29.000Z', '2026-11-28T11:59:30.000Z'],
    ['1 seconde geleden', '2026-11-28T11:59:58.000Z', '2026-11-28T11:59:59.000Z'],
    ['4 minuten geleden', '2026-11-28T11:55:00.000Z', '2026-11-28T11:56:00.000Z'],
    ['15 min. geleden', '2026-11-28T11:44:00.000Z', '2026-11-28T11:45:00.000Z'],
    ['15 min geleden', '2026-11-28T11:44:00.000Z', '2026-11-28T11:45:00.000Z'],
    ['1 minuut geleden', ...MINUTE_1],
    ['een minuut geleden', ...MINUTE_1],
    ['1 uur geleden', ...HOUR_1],
    ['een uur geleden', ...HOUR_1],
    ['9 uur geleden', '2026-11-28T02:00:00.000Z', '2026-11-28T03:00:00.000Z'],
    ['een dag geleden', ...DAY_1],
    ['1 dag geleden', ...DAY_1],
    ['2 dagen geleden', ...DAYS_2],
    ['1 week geleden', ...WEEK_1],
    ['2 weken geleden', ...WEEKS_2],
    ['gisteren', ...YESTERDAY],
    ['eergisteren', ...DAY_BEFORE],
    ['vandaag', ...TODAY],
    ['gisteren 18:45', ...AT_1845_YESTERDAY],
    ['gisteren om 18:45', ...AT_1845_YESTERDAY],
    ['gisteren om 18:45 uur', ...AT_1845_YESTERDAY],
    ['vandaag 09:45', ...AT_0945_TODAY],
    ['09:45', ...AT_0945_TODAY],
    ['9:45', ...AT_0945_TODAY],
    // 14:30 has not come yet at 13:00: a bare clock time is then yesterday's.
    ['14:30', '2026-11-27T13:30:00.000Z', '2026-11-27T13:30:59.999Z'],
    // The current minute is cut off at now.
    ['13:00', '2026-11-28T12:00:00.000Z', '2026-11-28T12:00:00.000Z'],
  ],
  en: [
    ['just now', ...MOMENT],
    ['a few seconds ago', ...MOMENT],
    ['45 seconds ago', '2026-11-28T11:59:14.000Z', '2026-11-28T11:59:15.000Z'],
    ['5 minutes ago', ...MINUTES_5],
    ['5 mins ago', ...MINUTES_5],
    ['5m ago', ...MINUTES_5],
    ['5 m ago', ...MINUTES_5],
    ['1 minute ago', ...MINUTE_1],
    ['a minute ago', ...MINUTE_1],
    ['3 hours ago', ...HOURS_3],
    ['3h ago', ...HOURS_3],
    ['1 hour ago', ...HOUR_1],
    ['an hour ago', ...HOUR_1],
    ['a day ago', ...DAY_1],
    ['2 days ago', ...DAYS_2],
    ['a week ago', ...WEEK_1],
    ['2 weeks ago', ...WEEKS_2],
    ['yesterday', ...YESTERDAY],
    ['today', ...TODAY],
    ['yesterday at 6:45 PM', ...AT_1845_YESTERDAY],
    ['yesterday at 6:45pm', ...AT_1845_YESTERDAY],
    ['yesterday 18:45', ...AT_1845_YESTERDAY],
    ['yesterday at 12:05 AM', '2026-11-26T23:05:00.000Z', '2026-11-26T23:05:59.999Z'],
    ['today 09:45', ...AT_0945_TODAY],
    ['today at 9:45 a.m.', ...AT_0945_TODAY],
    ['6:45 PM', ...AT_1845_YESTERDAY],
  ],
  de: [
    ['gerade eben', ...MOMENT],
    ['vor wenigen Sekunden', ...MOMENT],
    ['vor einer Minute', ...MINUTE_1],
    ['vor 1 Minute', ...MINUTE_1],
    ['vor 5 Minuten', ...MINUTES_5],
    ['vor 5 Min.', ...MINUTES_5],
    ['vor einer Stunde', ...HOUR_1],
    ['vor 3 Stunden', ...HOURS_3],
    ['vor einem Tag', ...DAY_1],
    ['vor 2 Tagen', ...DAYS_2],
    ['vor einer Woche', ...WEEK_1],
    ['vor 2 Wochen', ...WEEKS_2],
    ['gestern', ...YESTERDAY],
    ['vorgestern', ...DAY_BEFORE],
    ['heute', ...TODAY],
    ['gestern, 18:45 Uhr', ...AT_1845_YESTERDAY],
    ['gestern um 18:45 Uhr', ...AT_1845_YESTERDAY],
    ['heute, 09:45 Uhr', ...AT_0945_TODAY],
    ['09:45 Uhr', ...AT_0945_TODAY],
  ],
  fr: [
    ["à l'instant", ...MOMENT],
    ['à l’instant', ...MOMENT],
    ['il y a quelques secondes', ...MOMENT],
    ['il y a une minute', ...MINUTE_1],
    ['il y a 1 minute', ...MINUTE_1],
    ['il y a 5 minutes', ...MINUTES_5],
    ['il y a 5 min', ...MINUTES_5],
    ['il y a une heure', ...HOUR_1],
    ['il y a 1 heure', ...HOUR_1],
    ['il y a 3 heures', ...HOURS_3],
    ['il y a 3 h', ...HOURS_3],
    ['il y a 3h', ...HOURS_3],
    ['il y a un jour', ...DAY_1],
    ['il y a 2 jours', ...DAYS_2],
    ['il y a une semaine', ...WEEK_1],
    ['hier', ...YESTERDAY],
    ['avant-hier', ...DAY_BEFORE],
    ["aujourd'hui", ...TODAY],
    ['hier à 18h45', ...AT_1845_YESTERDAY],
    ["aujourd'hui à 09h45", ...AT_0945_TODAY],
    ['aujourd’hui à 09h45', ...AT_0945_TODAY],
    ['18h45', ...AT_1845_YESTERDAY],
  ],
};

const ROWS: [Lang, ...Row][] = (Object.entries(TABLE) as [Lang, Row[]][]).flatMap(([lang, rows]) =>
  rows.map((row): [Lang, ...Row] => [lang, ...row]),
);

function interval(text: string, lang: Lang | 'auto', now = NOW, timeZone = ZONE): [string, string, Lang] | string {
  const r = resolveAge(text, { now, timeZone, lang });
  return r.ok ? [r.earliest.toISOString(), r.latest.toISOString(), r.lang] : r.error;
}

describe.each(['UTC', 'Pacific/Auckland'])('age table with the host in TZ=%s', (hostZone) => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  test('the host zone really is switched', () => {
    process.env.TZ = hostZone;
    expect(NOW.getHours()).toBe(hostZone === 'UTC' ? 12 : 1);
  });

  test.each(ROWS)('%s: %s', (lang, text, earliest, latest) => {
    process.env.TZ = hostZone;
    expect(interval(text, lang)).toEqual([earliest, latest, lang]);
    expect(interval(text, 'auto')).toEqual([earliest, latest, lang]);
  });
});

test('the table holds every phrase the issue names', () => {
  expect(ROWS.length).toBeGreaterThanOrEqual(48);
});

test('case, extra white space, NBSP and curly apostrophes are tolerated', () => {
  expect(interval('4  MINUTEN\u00a0Geleden', 'nl')).toEqual(['2026-11-28T11:55:00.000Z', '2026-11-28T11:56:00.000Z', 'nl']);
  expect(interval('  Gisteren   om 18:45 ', 'nl')).toEqual([...AT_1845_YESTERDAY, 'nl']);
  expect(interval('Vor 5\u00a0Minuten', 'de')).toEqual([...MINUTES_5, 'de']);
  expect(interval('À L’INSTANT', 'fr')).toEqual([...MOMENT, 'fr']);
  expect(interval('Il y a\u202f5 min', 'fr')).toEqual([...MINUTES_5, 'fr']);
  expect(interval('Just Now', 'en')).toEqual([...MOMENT, 'en']);
});

describe('not an age', () => {
  test.each([
    ['', 'not an age: ""'],
    ['   ', 'not an age: "   "'],
    ['banaan', 'not an age: "banaan"'],
    ['99:99', 'not an age: "99:99"'],
    ['25:00', 'not an age: "25:00"'],
    ['13:45 PM', 'not an age: "13:45 PM"'],
    ['4 minuten geleden extra', 'not an age: "4 minuten geleden extra"'],
    ['een jaar geleden', 'not an age: "een jaar geleden"'],
    ['gisteren om', 'not an age: "gisteren om"'],
    ['vandaag 23:59', '"vandaag 23:59": lies after now (2026-11-28T12:00:00.000Z)'],
    ['heute, 18:45 Uhr', '"heute, 18:45 Uhr": lies after now (2026-11-28T12:00:00.000Z)'],
  ])('%j', (text, error) => {
    expect(resolveAge(text, { now: NOW, timeZone: ZONE, lang: 'auto' })).toEqual({ ok: false, error });
  });

  test('a phrase of another language than the one asked for', () => {
    expect(interval('4 minuten geleden', 'en')).toBe('not an age: "4 minuten geleden"');
    expect(interval('hier à 18h45', 'nl')).toBe('not an age: "hier à 18h45"');
  });

  test('an unknown time zone is a result, not a throw', () => {
    expect(interval('4 minuten geleden', 'nl', NOW, 'Mars/Olympus_Mons')).toBe(
      '"4 minuten geleden": unknown time zone "Mars/Olympus_Mons"',
    );
  });

  test('an invalid now', () => {
    expect(interval('zojuist', 'nl', new Date(Number.NaN))).toBe('"zojuist": now is not a date in the years 1000–9999');
  });
});

describe('DST', () => {
  const SPRING = new Date('2026-03-30T10:00:00Z'); // Monday; Sunday 2026-03-29 had 23 hours in Amsterdam
  const FALL = new Date('2026-10-26T10:00:00Z'); // Monday; Sunday 2026-10-25 had 25 hours

  test('yesterday is the 23-hour day after spring forward', () => {
    expect(interval('gisteren', 'nl', SPRING)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T21:59:59.999Z', 'nl']);
    expect(interval('gisteren om 18:45', 'nl', SPRING)).toEqual(['2026-03-29T16:45:00.000Z', '2026-03-29T16:45:59.999Z', 'nl']);
    expect(interval('gisteren om 01:30', 'nl', SPRING)).toEqual(['2026-03-29T00:30:00.000Z', '2026-03-29T00:30:59.999Z', 'nl']);
    expect(interval('eergisteren', 'nl', SPRING)).toEqual(['2026-03-27T23:00:00.000Z', '2026-03-28T22:59:59.999Z', 'nl']);
  });

  test('a wall time in the spring-forward gap does not exist', () => {
    expect(interval('gisteren om 02:30', 'nl', SPRING)).toBe(
      '"gisteren om 02:30": 02:30 does not exist on 2026-03-29 in Europe/Amsterdam',
    );
  });

  test('units stay elapsed durations across the change', () => {
    expect(interval('1 dag geleden', 'nl', SPRING)).toEqual(['2026-03-28T10:00:00.000Z', '2026-03-29T10:00:00.000Z', 'nl']);
  });

  test('yesterday is the 25-hour day after fall back', () => {
    expect(interval('gisteren', 'nl', FALL)).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T22:59:59.999Z', 'nl']);
    expect(interval('yesterday at 6:45 PM', 'en', FALL)).toEqual(['2026-10-25T17:45:00.000Z', '2026-10-25T17:45:59.999Z', 'en']);
    expect(interval('vandaag', 'nl', FALL)).toEqual(['2026-10-25T23:00:00.000Z', '2026-10-26T10:00:00.000Z', 'nl']);
  });

  test('a wall time shown twice in the fall-back hour spans both', () => {
    expect(interval('gisteren om 02:30', 'nl', FALL)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:59.999Z', 'nl']);
  });

  test('other zones: New York, and Santiago where midnight itself is skipped', () => {
    expect(interval('yesterday', 'en', new Date('2026-03-09T15:00:00Z'), 'America/New_York')).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T03:59:59.999Z',
      'en',
    ]);
    expect(interval('yesterday', 'en', new Date('2026-09-07T15:00:00Z'), 'America/Santiago')).toEqual([
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T02:59:59.999Z',
      'en',
    ]);
    expect(interval('today 09:45', 'en', NOW, 'Asia/Kathmandu')).toEqual(['2026-11-28T04:00:00.000Z', '2026-11-28T04:00:59.999Z', 'en']);
  });
});

describe('resolveStories', () => {
  const story = (headline: string, ageText: string | null, datetime: Date | null = null): ParsedStory => ({
    headline,
    headlineDerived: false,
    place: 'WASHINGTON',
    agencies: ['ANP'],
    section: null,
    body: [`WASHINGTON (ANP) - ${headline}.`],
    ageText,
    leadSentence: `${headline}.`,
    link: null,
    author: null,
    image: null,
    datetime,
  });
  const opts = { now: NOW, timeZone: ZONE, lang: 'nl' as const };

  test('datetime wins, then the age text, then no age', () => {
    const stamp = new Date('2026-11-28T09:30:00Z');
    const input = [story('Met tijd', '4 minuten geleden', stamp), story('Met leeftijd', '4 minuten geleden'), story('Zonder', null)];
    const { stories, warnings } = resolveStories(input, opts);
    expect(warnings).toEqual([]);
    expect(stories.map((s) => [s.headline, s.publishedEarliest?.toISOString() ?? null, s.publishedLatest.toISOString()])).toEqual([
      ['Met tijd', '2026-11-28T09:30:00.000Z', '2026-11-28T09:30:00.000Z'],
      ['Met leeftijd', '2026-11-28T11:55:00.000Z', '2026-11-28T11:56:00.000Z'],
      ['Zonder', null, '2026-11-28T12:00:00.000Z'],
    ]);
    expect(stories[1]).toMatchObject(input[1]);
  });

  test('an age that does not resolve is a warning naming it, and the story gets no earliest', () => {
    const { stories, warnings } = resolveStories([story('Banaan', 'banaan'), story('Later', 'vandaag 23:59')], opts);
    expect(warnings).toEqual([
      'ages: not an age: "banaan" (story "Banaan")',
      'ages: "vandaag 23:59": lies after now (2026-11-28T12:00:00.000Z) (story "Later")',
    ]);
    expect(stories.map((s) => [s.publishedEarliest, s.publishedLatest.toISOString()])).toEqual([
      [null, '2026-11-28T12:00:00.000Z'],
      [null, '2026-11-28T12:00:00.000Z'],
    ]);
  });
});

describe('every phrase of the table is found glued at the start and trailing at the end', () => {
  test.each(ROWS)('%s: %s', (lang, text) => {
    for (const asked of [lang, 'auto'] as const) {
      expect(matchAgeAtStart(`${text}WASHINGTON (ANP/AFP) - Donald Trump zei`, asked)).toEqual({ text, lang });
      expect(matchAgeAtStart(`${text}\n`, asked)).toEqual({ text, lang });
      expect(matchAgeAtEnd(`Dat meldt de omroep.${text}`, asked)).toEqual({ text, index: 20, lang });
      expect(matchAgeAtEnd(`Dat meldt de omroep. ${text} `, asked)).toEqual({ text, index: 21, lang });
    }
  });
});
