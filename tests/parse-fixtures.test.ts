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
];

test.each(CASES)('$name', async ({ name, tz, now = NOW }) => {
  const run = await runParse([`${DIR}/${name}.txt`, '--now', now, '--tz', tz, '--lang', 'auto', '--format', 'json']);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  const expectedPath = `${DIR}/${name}.expected.json`;
  if (UPDATE) await writeFile(expectedPath, run.stdout);
  expect(JSON.parse(run.stdout)).toEqual(JSON.parse(await readFile(expectedPath, 'utf8')));
});
