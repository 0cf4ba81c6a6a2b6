/**
 * Wire pages beside the JSON `wirefeed parse` must print for them.
 * `UPDATE_EXPECTED=1 npx vitest run tests/parse-fixtures.test.ts` rewrites the expected files on
 * purpose; read the diff before committing it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { runParse } from './helpers/expected.js';

const DIR = 'tests/fixtures/parse';
const NOW = '2026-11-28T12:00:00Z';
const UPDATE = process.env.UPDATE_EXPECTED === '1';

const CASES: { name: string; tz: string; now?: string }[] = [
  { name: 'nl-buitenland', tz: 'Europe/Amsterdam' },
  { name: 'en-world', tz: 'Europe/London' },
  { name: 'de-politik', tz: 'Europe/Berlin' },
  { name: 'fr-monde', tz: 'Europe/Paris' },
  // Page chrome between items, elided place names, dates and weekdays as ages, times that do not resolve.
  { name: 'nl-chrome', tz: 'Europe/Amsterdam', now: '2026-12-07T14:30:00Z' },
  // Issue 15: layouts other than the ANP order; each expected file names the template it was read by.
  // Clock time opening the headline line; datelines without agency (`Juba - `) that the page confirms.
  { name: 'de-ticker-1', tz: 'Europe/Berlin' },
  { name: 'de-ticker-2', tz: 'Europe/Berlin' },
  { name: 'nl-ticker-1', tz: 'Europe/Amsterdam' },
  { name: 'fr-ticker-1', tz: 'Europe/Paris' },
  // Clock time on its own line before the headline, under date headers or not.
  { name: 'de-kurz-1', tz: 'Europe/Berlin' },
  { name: 'de-kurz-2', tz: 'Europe/Berlin' },
  { name: 'en-ticker-1', tz: 'Europe/London' },
  { name: 'nl-dated-1', tz: 'Europe/Amsterdam' },
  // A live blog: its day glued to its title, `22:05 Uhr` lines, an ad label, a bullet.
  { name: 'de-liveblog-1', tz: 'Europe/Berlin' },
  // `- 09h50` lines under weekday headers, every item printed twice, a line of furniture in each.
  { name: 'fr-continu-1', tz: 'Africa/Conakry' },
  // Age on its own line before the headline, teasers without dateline, `- mehr...` link labels.
  { name: 'de-teaser-1', tz: 'Europe/Berlin' },
  { name: 'nl-teaser-1', tz: 'Europe/Amsterdam' },
  { name: 'en-teaser-1', tz: 'Europe/London' },
  { name: 'fr-teaser-1', tz: 'Europe/Paris' },
  // Agency and clock line under the headline.
  { name: 'fr-depeches-1', tz: 'Europe/Paris' },
  { name: 'fr-depeches-2', tz: 'Europe/Paris' },
  { name: 'en-agency-1', tz: 'Europe/London' },
  { name: 'en-pipe-1', tz: 'Africa/Nairobi' },
  // Bylines glued before datelines, byline lines, a `… Preview` repeat, stamps with relative parts.
  { name: 'en-byline-1', tz: 'Europe/London' },
  { name: 'en-byline-2', tz: 'Europe/London' },
  { name: 'en-ap-1', tz: 'America/Chicago' },
  { name: 'de-dpa-byline-1', tz: 'Europe/Berlin' },
  { name: 'en-stamp-1', tz: 'America/New_York' },
  // RFC 822 timestamps between headline and lead (a feed widget): the exact moment, offset and all.
  { name: 'en-widget-1', tz: 'Europe/London' },
  // Date headers over items without ages: with datelines (ages trail) and without (headline · text).
  { name: 'en-dated-1', tz: 'Europe/London' },
  // A digest: slug headlines over leads whose datelines name no agency (`CAPITAL CITY, Texas — `), labels between.
  { name: 'en-digest-1', tz: 'America/Chicago' },
  { name: 'fr-dated-1', tz: 'Europe/Paris' },
  // Traps that are not ages, dateline variants (region, several places, agency typo).
  { name: 'nl-anp-traps-1', tz: 'Europe/Amsterdam' },
  { name: 'nl-anp-traps-2', tz: 'Europe/Amsterdam' },
];

test.each(CASES)('$name', async ({ name, tz, now = NOW }) => {
  const run = await runParse([`${DIR}/${name}.txt`, '--now', now, '--tz', tz, '--lang', 'auto', '--format', 'json']);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  const expectedPath = `${DIR}/${name}.expected.json`;
  if (UPDATE) await writeFile(expectedPath, run.stdout);
  expect(JSON.parse(run.stdout)).toEqual(JSON.parse(await readFile(expectedPath, 'utf8')));
});
