/**
 * Issue 15, shape 11: text that looks like an age but is not one, each at the start of its own
 * line where an age would stand — `Een jaar geleden …` and `Il y a près de trois ans, …` opening a
 * body paragraph, `om 12.00 uur` in a sentence, a `3 minute read` line between headline and lead.
 * Shape 12's last rule too: one `Berlin - ` lead among teasers without datelines is not a
 * dateline the page confirms.
 * Each page beside the JSON `wirefeed parse` must print for it (hand-checked);
 * `UPDATE_EXPECTED=1` rewrites them on purpose.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { type ParseJson, runParse } from './helpers/expected.js';

const DIR = 'tests/fixtures/parse';
const NOW = '2026-11-28T12:00:00Z';
const UPDATE = process.env.UPDATE_EXPECTED === '1';

// parse-corpus.test.ts reads this table too: keep one case per line in this shape.
const CASES: { name: string; tz: string; now?: string }[] = [
  { name: 'nl-traps-3', tz: 'Europe/Amsterdam' },
  { name: 'fr-traps-1', tz: 'Europe/Paris' },
  { name: 'en-traps-1', tz: 'Europe/London' },
  { name: 'de-teaser-2', tz: 'Europe/Berlin' },
];

async function parsed(name: string, tz: string, now: string): Promise<ParseJson & { layout: string }> {
  const run = await runParse([`${DIR}/${name}.txt`, '--now', now, '--tz', tz, '--lang', 'auto', '--format', 'json']);
  expect([run.code, run.stderr]).toEqual([0, '']);
  return JSON.parse(run.stdout) as ParseJson & { layout: string };
}

test.each(CASES)('$name gives its expected file', async ({ name, tz, now = NOW }) => {
  const got = await parsed(name, tz, now);
  const expectedPath = `${DIR}/${name}.expected.json`;
  if (UPDATE) await writeFile(expectedPath, `${JSON.stringify(got, null, 2)}\n`);
  expect(got).toEqual(JSON.parse(await readFile(expectedPath, 'utf8')));
});

/** Headline, place, agencies, age and interval of each story: the values a trap would spoil. */
function rows(out: ParseJson) {
  return out.stories.map((s) => [s.headline, s.dateline, s.agencies, s.age, s.publishedEarliest, s.publishedLatest, s.body.length]);
}

test('nl: "Een jaar geleden" opening a paragraph and "om 12.00 uur" in a sentence stay text; only the trailing ages date', async () => {
  const out = await parsed('nl-traps-3', 'Europe/Amsterdam', NOW);
  expect([out.layout, out.warnings]).toEqual(['text grammar: headline · dateline lead · body (ages trail)', []]);
  expect(rows(out)).toEqual([
    ['Rechter veroordeelt oud-wethouder voor fraude', 'ZWOLLE', ['ANP'], null, null, '2026-11-28T12:00:00Z', 3],
    ['Het treinverkeer tussen Utrecht en Amersfoort ligt vanaf zaterdag om 12.00 uur een weekend stil vanwege werkzaamheden aan het spoor.', 'UTRECHT', ['ANP'], '20 minuten geleden', '2026-11-28T11:39:00Z', '2026-11-28T11:40:00Z', 1],
    ['De provincie trekt extra geld uit voor het versterken van huizen.', 'GRONINGEN', ['ANP', 'NOS'], '1 uur geleden', '2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', 1],
  ]);
  expect(out.stories[0]?.body[1]).toBe('Een jaar geleden stapte hij op nadat een accountant de onkosten had onderzocht.');
});

test('fr: "Il y a près de trois ans," opening a paragraph stays text; the item keeps the age that trails it', async () => {
  const out = await parsed('fr-traps-1', 'Europe/Paris', NOW);
  expect([out.layout, out.warnings]).toEqual(['text grammar: headline · dateline lead · body (ages trail)', []]);
  expect(rows(out)).toEqual([
    ['Un village du Jura rouvre son école', 'Besançon', ['AFP'], 'il y a 12 minutes', '2026-11-28T11:47:00Z', '2026-11-28T11:48:00Z', 3],
    ["La ville va planter deux mille arbres d'ici l'été, a annoncé la mairie, qui promet des rues plus fraîches.", 'Lyon', ['AFP'], 'il y a 40 minutes', '2026-11-28T11:19:00Z', '2026-11-28T11:20:00Z', 1],
    ['Un ferry a été immobilisé au port après une panne de moteur, sans faire de blessés, selon la préfecture maritime.', 'Marseille', ['AFP'], 'il y a 2 heures', '2026-11-28T09:00:00Z', '2026-11-28T10:00:00Z', 1],
  ]);
  expect(out.stories[0]?.body[1]).toBe('Il y a près de trois ans, la dernière classe avait été transférée dans la commune voisine.');
});

test('en: a "3 minute read" line is neither an age, a headline nor text; "A year ago" in prose stays text', async () => {
  const out = await parsed('en-traps-1', 'Europe/London', NOW);
  expect([out.layout, out.warnings]).toEqual(['text grammar: headline · dateline lead · body (ages trail)', []]);
  expect(rows(out)).toEqual([
    ['Aid convoy reaches besieged town after weeks of talks', 'KHARTOUM', ['Reuters'], '2 hours ago', '2026-11-28T09:00:00Z', '2026-11-28T10:00:00Z', 2],
    ['Rescuers search for missing hikers in the Alps', 'GENEVA', ['Reuters'], '4 hours ago', '2026-11-28T07:00:00Z', '2026-11-28T08:00:00Z', 1],
  ]);
  expect(out.stories.flatMap((s) => s.body).filter((b) => /minute read/.test(b))).toEqual([]);
});

test('de: one `Berlin - ` lead among teasers without datelines is text, not a place; `- mehr...` is a link label', async () => {
  const out = await parsed('de-teaser-2', 'Europe/Berlin', NOW);
  expect([out.layout, out.warnings]).toEqual(['text grammar: time · headline · lead · body (ages lead)', ['1 line(s) before the first item dropped']]);
  expect(rows(out)).toEqual([
    ['Stadtwerke erhöhen die Preise für Fernwärme', null, [], 'vor 25 Minuten', '2026-11-28T11:34:00Z', '2026-11-28T11:35:00Z', 1],
    ['Neue Radwege entlang der Ringstraße geplant', null, [], 'vor 1 Stunde', '2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', 1],
    ['Zoo freut sich über Nachwuchs bei den Pinguinen', null, [], 'vor 3 Stunden', '2026-11-28T08:00:00Z', '2026-11-28T09:00:00Z', 1],
  ]);
  expect(out.stories[1]?.body).toEqual(['Berlin - Der Senat will bis zum Sommer zwei neue Radwege bauen lassen.']);
});
