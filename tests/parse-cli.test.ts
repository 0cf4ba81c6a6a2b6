import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from './helpers/daemon.js';
import { type ParseJson, runParse } from './helpers/expected.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { storiesOf } from './helpers/state.js';

const USAGE = 'usage: wirefeed parse <file|-> [--lang nl|en|de|fr|auto] [--tz ZONE] [--now ISO] [--format json|text] [--format-in auto|text|html]\n';
const HTML_PAGE = join(import.meta.dirname, 'fixtures/extract/nl-buitenland.html');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirefeed-parse-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function parseBytes(name: string, bytes: Uint8Array | string): Promise<{ code: number; out: ParseJson; stderr: string }> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  const run = await runParse([file, '--now', '2026-11-28T12:00:00Z']);
  return { code: run.code, out: JSON.parse(run.stdout) as ParseJson, stderr: run.stderr };
}

test('an empty file: no stories, a warning, exit 0', async () => {
  expect(await parseBytes('empty.txt', '')).toEqual({ code: 0, out: { layout: 'none (no items found)', stories: [], warnings: ['no stories found'] }, stderr: '' });
});

test('binary bytes: no stories, a warning, exit 0', async () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  const { code, out, stderr } = await parseBytes('image.txt', png);
  expect([code, out.stories, stderr]).toEqual([0, [], '']);
  expect(out.warnings).toEqual(['binary content (PNG signature), not decoded', 'input looks binary', 'no stories found']);
});

test('bytes that are not UTF-8: no stories, warnings, exit 0', async () => {
  const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 0xc3 : 0x80 + ((i * 7) % 0x3f)) ^ (i % 5 === 0 ? 0x40 : 0));
  const { code, out, stderr } = await parseBytes('latin.txt', bytes);
  expect([code, out.stories, stderr]).toEqual([0, [], '']);
  expect(out.warnings[0]).toMatch(/^invalid UTF-8 replaced with U\+FFFD/);
  expect(out.warnings.slice(1)).toEqual(['input looks binary', 'no stories found']);
});

test('20 MB of text without a dateline: no stories, a warning, exit 0', async () => {
  const para = 'Het weer blijft de komende dagen wisselvallig, met af en toe regen en een matige wind uit het zuidwesten (ANP). ';
  const text = `${para.repeat(3)}\n`.repeat(Math.ceil(20e6 / (para.length * 3 + 1)));
  expect(text.length).toBeGreaterThanOrEqual(20e6);
  expect(await parseBytes('big.txt', text)).toEqual({ code: 0, out: { layout: 'none (no items found)', stories: [], warnings: ['no stories found'] }, stderr: '' });
});

test('a missing file: one line on stderr, exit 2', async () => {
  const file = join(dir, 'missing.txt');
  const run = await runParse([file]);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`wirefeed parse: cannot read ${file}: ENOENT: no such file or directory, open '${file}'\n`);
});

test.each([
  [['--lang', 'xx', 'f.txt'], '--lang must be one of nl, en, de, fr, auto, not "xx"'],
  [['--format', 'xml', 'f.txt'], '--format must be json or text, not "xml"'],
  [['--format-in', 'xml', 'f.txt'], '--format-in must be auto, text or html, not "xml"'],
  [['--now', 'yesterday', 'f.txt'], '--now must be an ISO 8601 time, not "yesterday"'],
  [['--now', '2026-13-45T99:00:00Z', 'f.txt'], '--now must be an ISO 8601 time, not "2026-13-45T99:00:00Z"'],
  [[], 'expected one file (or -), got 0'],
  [['a.txt', 'b.txt'], 'expected one file (or -), got 2'],
])('bad flags %j: usage on stderr, exit 2', async (argv, message) => {
  const run = await runParse(argv);
  expect(run).toEqual({ code: 2, stdout: '', stderr: `wirefeed parse: ${message}\n${USAGE}` });
});

test.each([[['--bogus', 'f.txt']], [['--tz', 'Mars/Olympus', 'f.txt']], [['--lang']]])('bad flags %j: exit 2', async (argv) => {
  const run = await runParse(argv);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.startsWith('wirefeed parse: ')).toBe(true);
  expect(run.stderr.endsWith(USAGE)).toBe(true);
});

test('--help prints the usage', async () => {
  expect(await runParse(['--help'])).toEqual({ code: 0, stdout: USAGE, stderr: '' });
});

test('- reads standard input; without --now the time comes from io.now()', async () => {
  const text = 'Een kop boven het bericht\nROME (ANP) - De paus is ziek. Meer volgt.\n';
  const run = await runParse(['-', '--lang', 'nl'], new TextEncoder().encode(text));
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout) as ParseJson;
  expect(out.stories.map((s) => [s.headline, s.dateline, s.published, s.publishedEarliest])).toEqual([
    ['Een kop boven het bericht', 'ROME', '2030-01-01T00:00:00Z', null],
  ]);
});

describe('an HTML page (issue 14.8)', () => {
  const NOW = '2026-11-28T12:00:00Z';
  const row = (id: string, headline: string, place: string | null, published: string) => [id, headline, place, new Date(published).toISOString()];
  const rows = (out: ParseJson) => out.stories.map((s) => row(s.id, s.headline, s.dateline, s.published)).sort();

  test('gives the stories the daemon stores from the same file, deciding html or text the same way', async () => {
    const dir = await tempDir();
    await copyFile(HTML_PAGE, join(dir, 'page.html'));
    const d = await startDaemon(dir, 'state: { dir: ./state }\nsources:\n  - { id: page, title: Page, path: page.html, lang: nl }\n', { now: () => new Date(NOW) });
    afterThisTest(() => d.app.stop(1000));
    await d.app.settled;
    const stored = (await storiesOf(d.app.store, 'page')).map((s) => row(s.id, s.headline, s.place, s.publishedLatest)).sort();
    expect(stored.length).toBe(8);

    const auto = await runParse([join(dir, 'page.html'), '--lang', 'nl', '--now', NOW]);
    expect([auto.code, auto.stderr]).toEqual([0, '']);
    expect(rows(JSON.parse(auto.stdout) as ParseJson)).toEqual(stored);
    // No file name to go by: the bytes are sniffed, as the daemon sniffs a page without a media type.
    const stdin = await runParse(['-', '--lang', 'nl', '--now', NOW], await readFile(HTML_PAGE));
    expect(rows(JSON.parse(stdin.stdout) as ParseJson)).toEqual(stored);
    const forced = await runParse([join(dir, 'page.html'), '--format-in', 'html', '--lang', 'nl', '--now', NOW]);
    expect(rows(JSON.parse(forced.stdout) as ParseJson)).toEqual(stored);
  });

  test('--format-in text reads the markup as text, as a source with format: text would: no stories', async () => {
    const text = await runParse([HTML_PAGE, '--format-in', 'text', '--lang', 'nl', '--now', NOW]);
    expect([text.code, JSON.parse(text.stdout)]).toEqual([0, { layout: 'none (no items found)', stories: [], warnings: ['no stories found'] }]);
  });
});
