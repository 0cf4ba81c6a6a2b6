import { describe, expect, test } from 'vitest';
import { matchAgeAtEnd, matchAgeAtStart, resolveAge } from '../src/ages/index.js';
import type { Lang } from '../src/model.js';
import { seeded as rng } from './helpers/random.js';

describe('matchAgeAtStart', () => {
  test.each<[string, Lang | 'auto', string, Lang]>([
    ['4 minuten geledenSEOUL (ANP/RTR) - De Zuid-Koreaanse oud-premier', 'nl', '4 minuten geleden', 'nl'],
    ['15 minuten geledenTOKIO (ANP/RTR) - De man', 'auto', '15 minuten geleden', 'nl'],
    ['9 uur geleden', 'nl', '9 uur geleden', 'nl'],
    ['15 min. geledenSAO PAULO (ANP/RTR) -', 'auto', '15 min. geleden', 'nl'],
    ['zojuistWASHINGTON (ANP) - De NAVO', 'nl', 'zojuist', 'nl'],
    ['nuWASHINGTON (ANP) -', 'auto', 'nu', 'nl'],
    ['netTEL AVIV (ANP) -', 'auto', 'net', 'nl'],
    ['gisteren om 18:45BRUSSEL (ANP) -', 'auto', 'gisteren om 18:45', 'nl'],
    ['09:45 DEN HAAG (ANP) -', 'nl', '09:45', 'nl'],
    ['5 minutes agoWASHINGTON (Reuters) -', 'auto', '5 minutes ago', 'en'],
    ['just nowGENEVA (AP) — The', 'en', 'just now', 'en'],
    ['yesterday at 6:45 PMLONDON (Reuters) -', 'auto', 'yesterday at 6:45 PM', 'en'],
    ['3h agoOTTAWA, Nov 27 (Reuters) -', 'auto', '3h ago', 'en'],
    ['vor 5 MinutenBerlin (dpa) -', 'auto', 'vor 5 Minuten', 'de'],
    ['vor 5 Min.München (dpa/lby) -', 'de', 'vor 5 Min.', 'de'],
    ['gerade ebenMÜNCHEN (dpa/lby) -', 'auto', 'gerade eben', 'de'],
    ['gestern, 18:45 UhrBerlin (dpa) -', 'auto', 'gestern, 18:45 Uhr', 'de'],
    ['il y a 5 minPARIS (AFP) -', 'auto', 'il y a 5 min', 'fr'],
    ['à l’instantPARIS (AFP) -', 'fr', 'à l’instant', 'fr'],
    ['hier à 18h45PARIS (AFP) -', 'auto', 'hier à 18h45', 'fr'],
    // Upper-case pages: a phrase with a number may end in capitals.
    ['4 MINUTEN GELEDENSEOUL (ANP/RTR) -', 'nl', '4 MINUTEN GELEDEN', 'nl'],
    // Leading white space is skipped, the phrase comes back trimmed.
    ['  4 minuten geleden  SEOUL', 'nl', '4 minuten geleden', 'nl'],
    // Phrase words are phrases: whether "Nu" opens a sentence or an age is the parser's call.
    ['Nu is het zover', 'nl', 'Nu', 'nl'],
    ['Hier, à Paris', 'auto', 'Hier', 'fr'],
  ])('%j (%s)', (line, lang, text, found) => {
    expect(matchAgeAtStart(line, lang)).toEqual({ text, lang: found });
  });

  test('the longest phrase wins, across languages too', () => {
    expect(matchAgeAtStart('gisteren om 18:45 uurBRUSSEL', 'nl')).toEqual({ text: 'gisteren om 18:45 uur', lang: 'nl' });
    expect(matchAgeAtStart('heute, 09:45 Uhr', 'auto')).toEqual({ text: 'heute, 09:45 Uhr', lang: 'de' });
    expect(matchAgeAtStart('18:45 Uhr', 'auto')).toEqual({ text: '18:45 Uhr', lang: 'de' });
  });

  test('a tie goes to the first language in nl, en, de, fr', () => {
    expect(matchAgeAtStart('18:45 BERLIN', 'auto')).toEqual({ text: '18:45', lang: 'nl' });
    expect(matchAgeAtStart('18:45 BERLIN', 'fr')).toEqual({ text: '18:45', lang: 'fr' });
  });

  test.each<[string, Lang | 'auto']>([
    ['Netanyahu wil een staakt-het-vuren', 'auto'],
    ['Nuttig om te weten', 'auto'],
    ['NUTTIG NIEUWS', 'nl'],
    ['Hierbij maken wij bekend', 'auto'],
    ['Heutelin', 'de'],
    ['Gisterenavond was het raak', 'nl'],
    ['Todays news', 'en'],
    ['Nettoloon stijgt', 'nl'],
    ['De Zuid-Koreaanse oud-premier Han Duck-soo', 'auto'],
    ['WASHINGTON (ANP/AFP) - Noord-Korea heeft', 'auto'],
    ['4 minutenlang stilte', 'nl'],
    ['10.000 mensen demonstreren', 'auto'],
    ['10 amendments passed', 'en'],
    ['5 heures de route', 'fr'],
    ['2026 wordt een goed jaar', 'auto'],
    ['Meer uit Buitenland', 'auto'],
    ['', 'auto'],
    ['4 minuten geleden', 'en'],
  ])('%j (%s) starts with no age', (line, lang) => {
    expect(matchAgeAtStart(line, lang)).toBeNull();
  });
});

describe('matchAgeAtEnd', () => {
  const sentence = 'Consumentenorganisatie Senacon dreigt met maatregelen als xAI daar geen gehoor aan geeft.';

  test.each<[string, Lang | 'auto', string, number, Lang]>([
    [`${sentence} 1 uur geleden`, 'nl', '1 uur geleden', sentence.length + 1, 'nl'],
    [`${sentence}1 uur geleden`, 'auto', '1 uur geleden', sentence.length, 'nl'],
    [`${sentence} gisteren om 18:45`, 'auto', 'gisteren om 18:45', sentence.length + 1, 'nl'],
    ['The ministry said. 3 hours ago', 'auto', '3 hours ago', 19, 'en'],
    ['The ministry said.yesterday at 6:45 PM', 'en', 'yesterday at 6:45 PM', 18, 'en'],
    ['Das sagte er.vor 2 Stunden', 'auto', 'vor 2 Stunden', 13, 'de'],
    ['Das sagte er. Gestern, 18:45 Uhr', 'de', 'Gestern, 18:45 Uhr', 14, 'de'],
    ['a-t-il déclaré. Il y a 5 min', 'auto', 'Il y a 5 min', 16, 'fr'],
    ['a-t-il déclaré.hier à 18h45', 'fr', 'hier à 18h45', 15, 'fr'],
    ['9 uur geleden', 'nl', '9 uur geleden', 0, 'nl'],
  ])('%j (%s)', (line, lang, text, index, found) => {
    expect(matchAgeAtEnd(line, lang)).toEqual({ text, index, lang: found });
    expect(line.slice(index, index + text.length)).toBe(text);
  });

  test('a long paragraph: only its tail is searched, the index is into the whole text', () => {
    const long = `${sentence} `.repeat(40);
    expect(matchAgeAtEnd(`${long}9 uur geleden`, 'nl')).toEqual({ text: '9 uur geleden', index: long.length, lang: 'nl' });
  });

  test('trailing white space does not push the phrase out of the searched tail', () => {
    expect(matchAgeAtEnd(`${sentence} 9 uur geleden${' '.repeat(100)}`, 'nl')).toEqual({
      text: '9 uur geleden',
      index: sentence.length + 1,
      lang: 'nl',
    });
  });

  test('a phrase reaching the edge of the tail is checked against the whole text', () => {
    const phrase = `4${' '.repeat(49)}minuten geleden`;
    expect(matchAgeAtEnd(`Zei hij. ${phrase}`, 'nl')).toEqual({ text: phrase, index: 9, lang: 'nl' });
    expect(matchAgeAtEnd(`Zei hij${phrase}`, 'nl')).toBeNull();
  });

  test.each<[string, Lang | 'auto']>([
    ['De NAVO is veel sterker dan een jaar geleden', 'nl'],
    [`${sentence.slice(0, -1)}1 uur geleden`, 'nl'],
    ['zei premier Netanyahu', 'auto'],
    ['Das sagte er vor 2 Stunden.', 'de'],
    ['Hij gaf 4 minuten geleden antwoord', 'nl'],
    ['', 'auto'],
  ])('%j (%s) ends in no age', (line, lang) => {
    expect(matchAgeAtEnd(line, lang)).toBeNull();
  });
});

describe('invariants on random and mutated input', () => {
  const seeds = [
    '4 minuten geledenSEOUL',
    'gisteren om 18:45',
    'yesterday at 6:45 PM',
    'vor 5 Min.',
    'il y a 3 h',
    "aujourd’hui à 09h45",
    'nuWASHINGTON',
    'Netanyahu',
  ];
  const alphabet = [...'aeinr0123456789:.,- \u00a0’\'hHuUMÀàéAPNm\n\t(', '\u{1F600}', '\uD800'];
  const now = new Date('2026-11-28T12:00:00Z');

  test('never throws; every phrase found at either end resolves as a whole phrase', () => {
    const random = rng(20261128);
    for (let i = 0; i < 3000; i++) {
      const base = seeds[i % seeds.length];
      const chars = [...base];
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (chars.length + 1));
        const ch = alphabet[Math.floor(random() * alphabet.length)];
        if (random() < 0.5) chars.splice(at, 1, ch);
        else chars.splice(at, 0, ch);
      }
      const text = chars.join('');
      for (const lang of ['auto', 'nl', 'en', 'de', 'fr'] as const) {
        const found = [matchAgeAtStart(text, lang), matchAgeAtEnd(text, lang)];
        for (const f of found) {
          if (f === null) continue;
          const r = resolveAge(f.text, { now, timeZone: 'Europe/Amsterdam', lang: f.lang });
          // A found phrase is always an age; at most it can lie after now or in a DST gap.
          if (!r.ok) expect(r.error).toMatch(/lies after now|does not exist/);
          else expect(r.lang).toBe(f.lang);
        }
        const whole = resolveAge(text, { now, timeZone: 'Europe/Amsterdam', lang });
        if (whole.ok) {
          expect(whole.latest.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(whole.earliest.getTime()).toBeLessThanOrEqual(whole.latest.getTime());
        }
      }
    }
  });
});
