/**
 * Lexicons are compiled per language on first use: a daemon whose sources all name one language
 * never pays for the others at start. Vitest gives this file its own module graph, so nothing has
 * been compiled when it starts.
 */
import { expect, test } from 'vitest';
import { compiledLexicons, matchAgeAtStart, resolveAge, resolveStories } from '../src/ages/index.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const ZONE = 'Europe/Amsterdam';

test('nothing is compiled at load; each language on its first use; auto compiles the rest', () => {
  expect(compiledLexicons()).toEqual([]);

  expect(resolveAge('3 uur geleden', { now: NOW, timeZone: ZONE, lang: 'nl' })).toEqual({
    ok: true,
    earliest: new Date('2026-11-28T08:00:00.000Z'),
    latest: new Date('2026-11-28T09:00:00.000Z'),
    lang: 'nl',
  });
  expect(compiledLexicons()).toEqual(['nl']);

  const dated = resolveStories(
    [
      {
        headline: 'Kop',
        headlineDerived: false,
        place: null,
        agencies: [],
        section: null,
        body: ['Tekst.'],
        ageText: 'vor 2 Stunden',
        leadSentence: 'Tekst.',
        link: null,
        author: null,
        image: null,
        datetime: null,
      },
    ],
    { now: NOW, timeZone: ZONE, lang: 'de' },
  );
  expect(dated.warnings).toEqual([]);
  expect(dated.stories[0]?.publishedEarliest).toEqual(new Date('2026-11-28T09:00:00.000Z'));
  expect(compiledLexicons()).toEqual(['nl', 'de']);

  expect(matchAgeAtStart('il y a 5 minutesPARIS', 'auto')).toEqual({ text: 'il y a 5 minutes', lang: 'fr' });
  expect(compiledLexicons()).toEqual(['nl', 'de', 'en', 'fr']);
});
