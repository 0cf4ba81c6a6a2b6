/**
 * A page's repeated datelines are looked up by the text up to where a dateline would end,
 * measured by hand, before any regex runs: answers with and without the cache must agree.
 */
import { expect, test } from 'vitest';
import { matchDateline, type DatelineCache } from '../src/parse/dateline.js';

const LINES = [
  'SEOUL (ANP/AFP) - Eerste bericht.',
  'SEOUL (ANP/AFP) -   Tweede bericht, meer spaties.',
  'SEOUL (ANP/AFP) – Derde, een en-dash.',
  'SEOUL (ANP/AFP)— Vierde, geen spatie na de dash.',
  'SEOUL (ANP/AFP)-',
  'SEOUL (ANP/AFP)-x geen dateline',
  'seoul (ANP) - kleine letter',
  'De Verenigde Staten (VS) - een plaats van drie woorden met hoofdletters.',
  'Een zin die (tussen haakjes) - doorloopt: zin is geen plaatswoord.',
  'Een zin die (tussen haakjes) - doorloopt: zin is geen plaatswoord.',
  'OTTAWA, Nov 27 (Reuters) - Canada.',
  'OTTAWA, Nov 27 (Reuters) - Canada opnieuw.',
  'BERLIJN ( ) - lege agentschappen',
  'BERLIJN ( ) - lege agentschappen, nogmaals',
];

test('cached and uncached answers agree line for line, and each story owns its agency array', () => {
  const cache: DatelineCache = new Map();
  const cached = LINES.map((l) => matchDateline(l, cache));
  expect(cached).toEqual(LINES.map((l) => matchDateline(l)));
  expect(cached.map((d) => d && [d.place, d.agencies.join('/'), d.length])).toEqual([
    ['SEOUL', 'ANP/AFP', 18],
    ['SEOUL', 'ANP/AFP', 20],
    ['SEOUL', 'ANP/AFP', 18],
    ['SEOUL', 'ANP/AFP', 17],
    ['SEOUL', 'ANP/AFP', 16],
    null,
    null,
    ['De Verenigde Staten', 'VS', 27],
    null,
    null,
    ['OTTAWA', 'Reuters', 27],
    ['OTTAWA', 'Reuters', 27],
    null,
    null,
  ]);
  expect(cached[0]?.agencies).not.toBe(cached[1]?.agencies);
});
