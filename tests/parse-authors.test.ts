/**
 * Issue 15: a byline is the entry's author in every format (Atom `author`, RSS `dc:creator`,
 * JSON Feed `authors`), read back with feedparser and the JSON Feed schema; a story without one keeps its agencies.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseWithFeedparser } from './clients/feedparser.js';
import { parseJsonFeed } from './clients/jsonfeed.js';
import { startDaemon } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const PAGE = [
  'Refiners cut fuel exports',
  'By Kevin Krolicki and Chen Aizhu SINGAPORE (Reuters) – Chinese refiners will cut exports next month.',
  'Senate passes stopgap bill',
  'Stephen Groves, The Associated Press 3 minute read Updated: 11:37 AM',
  'WASHINGTON (AP) — The Senate passed a stopgap bill on Friday.',
  'Markets close higher',
  'NEW YORK (Reuters) - U.S. stocks closed higher on Friday.',
  '',
].join('\n');

it('bylines are the author in Atom, RSS and JSON Feed; agencies stay the author of a story without one', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'wire.txt'), PAGE);
  const d = await startDaemon(
    dir,
    'server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: wire, title: Wire, path: wire.txt, lang: en, timezone: Europe/London }\n',
    { now: () => new Date('2026-11-28T12:00:00Z') },
  );
  afterThisTest(() => d.app.stop());
  await d.app.settled;
  const byTitle = (entries: { title: string | null; author: string | null }[]) =>
    Object.fromEntries(entries.map((e) => [e.title, e.author]));
  const expected = {
    'Refiners cut fuel exports': 'Kevin Krolicki and Chen Aizhu',
    'Senate passes stopgap bill': 'Stephen Groves',
    'Markets close higher': 'Reuters',
  };
  for (const format of ['atom', 'rss'] as const) {
    const parsed = await parseWithFeedparser(`${d.app.url}/feeds/wire.${format}`);
    expect(parsed.bozo, format).toBe(false);
    expect(byTitle(parsed.entries), format).toEqual(expected);
  }
  // feedparser does not read JSON Feed: the spec's schema is its reader (clients/jsonfeed.ts).
  const json = parseJsonFeed(await (await fetch(`${d.app.url}/feeds/wire.json`)).text());
  expect(Object.fromEntries(json.items.map((i) => [i.title, i.authors]))).toEqual({
    'Refiners cut fuel exports': [{ name: 'Kevin Krolicki and Chen Aizhu' }],
    'Senate passes stopgap bill': [{ name: 'Stephen Groves' }],
    'Markets close higher': [{ name: 'Reuters' }],
  });
});
