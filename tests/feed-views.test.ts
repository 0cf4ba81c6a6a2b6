/**
 * Issue 14.10, as the served feeds show it: a lead under two headlines on two sources appears
 * once in a combined feed; an interval's latest moment is shown to the second; a spool feed's
 * language is the most common one of its entries, and an entry in another language says so.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { atomErrors } from './clients/xml.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');

async function start(dir: string, yaml: string): Promise<TestDaemon> {
  // A clock one second further at each reading: a later fetch is a later moment.
  let tick = 0;
  const d = await startDaemon(dir, `server: { port: 0 }\nstate: { dir: ./state }\n${yaml}`, { now: () => new Date(NOW + 1000 * tick++) });
  afterThisTest(() => d.app.stop());
  await d.app.settled;
  return d;
}

async function get(d: TestDaemon, path: string): Promise<string> {
  const res = await fetch(`${d.app.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.text();
}

const titles = (atom: string) => [...atom.matchAll(/<entry[^>]*>\s*<title[^>]*>([^<]*)<\/title>/g)].map((m) => m[1]);

describe('near-duplicates in a combined feed', () => {
  const LEAD = 'GENT (ANP) - In Gent is een brug ingestort. Er vielen geen gewonden.';
  const OTHER = 'Trein ontspoord bij Utrecht\nUTRECHT (ANP) - Bij Utrecht is een trein ontspoord.\n';
  for (const first of ['aa', 'bb'] as const) {
    it(`the same lead under two headlines on two sources appears once, as the source that showed it first (${first}) has it`, async () => {
      const dir = await tempDir();
      const d = await start(
        dir,
        `sources:
  - { id: aa, title: A, path: a.txt }
  - { id: bb, title: B, path: b.txt }
feeds:
  - { id: alles, title: Alles, sources: [aa, bb] }
`,
      );
      const headline = { aa: 'Brug ingestort in Gent', bb: 'Gentse brug stort in' };
      const second: 'aa' | 'bb' = first === 'aa' ? 'bb' : 'aa';
      for (const id of [first, second]) {
        await writeFile(join(dir, `${id === 'aa' ? 'a' : 'b'}.txt`), `${headline[id]}\n${LEAD}\n\n${id === 'bb' ? OTHER : ''}`);
        await d.app.pollNow(id);
      }
      expect(titles(await get(d, '/feeds/alles.atom')).sort()).toEqual([headline[first], 'Trein ontspoord bij Utrecht'].sort());
      expect(JSON.parse(await get(d, '/feeds/alles.json')).items).toHaveLength(2);
      // Each source's own feed keeps its own listing.
      expect(titles(await get(d, '/feeds/aa.atom'))).toEqual([headline.aa]);
      expect(titles(await get(d, '/feeds/bb.atom')).sort()).toEqual([headline.bb, 'Trein ontspoord bij Utrecht'].sort());
    });
  }
});

describe('times to the second', () => {
  it('an interval ending at 17:46 local shows as 16:45:59Z in Atom and JSON, 16:45:59 GMT in RSS', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.txt'), 'Brand in haven\nROTTERDAM (ANP) - In de haven woedt een brand.\ngisteren 17:45\n');
    const d = await start(dir, 'sources:\n  - { id: aa, title: A, path: a.txt, lang: nl, timezone: Europe/Amsterdam }\n');
    expect(await get(d, '/feeds/aa.atom')).toContain('<published>2026-11-27T16:45:59Z</published>');
    expect(await get(d, '/feeds/aa.rss')).toContain('<pubDate>Fri, 27 Nov 2026 16:45:59 GMT</pubDate>');
    expect(JSON.parse(await get(d, '/feeds/aa.json')).items[0].date_published).toBe('2026-11-27T16:45:59Z');
  });
});

describe('languages of a spool', () => {
  it('the feed takes the most common language, not the last file read; an entry in another one is marked', async () => {
    const dir = await tempDir();
    const spool = join(dir, 'spool');
    await mkdir(spool);
    const d = await start(dir, 'sources:\n  - { id: spool, title: Spool, dir: spool }\n');
    const files: [string, string][] = [
      ['1.txt', 'Brand in haven\nROTTERDAM (ANP) - In de haven woedt een brand.\n4 minuten geleden\n'],
      ['2.txt', 'Trein ontspoord\nUTRECHT (ANP) - Bij Utrecht is een trein ontspoord.\n5 minuten geleden\n'],
      ['3.txt', 'Storm hits coast\nLONDON (Reuters) - A storm hit the coast.\n6 minutes ago\n'],
    ];
    for (const [name, text] of files) {
      await writeFile(join(spool, name), text);
      await d.app.pollNow('spool', join(spool, name));
    }
    const atom = await get(d, '/feeds/spool.atom');
    await writeFile(join(dir, 'spool.atom'), atom);
    expect(await atomErrors([join(dir, 'spool.atom')])).toEqual([]);
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">');
    expect([...atom.matchAll(/<entry( xml:lang="[a-z]+")?>\s*<title[^>]*>([^<]*)</g)].map((m) => [m[2], m[1] ?? ''])).toEqual([
      ['Brand in haven', ''],
      ['Trein ontspoord', ''],
      ['Storm hits coast', ' xml:lang="en"'],
    ]);
    expect(await get(d, '/feeds/spool.rss')).toContain('<language>nl</language>');
    const json = JSON.parse(await get(d, '/feeds/spool.json'));
    expect(json.language).toBe('nl');
    expect(json.items.map((i: { title: string; language: string }) => [i.title, i.language])).toEqual([
      ['Brand in haven', 'nl'],
      ['Trein ontspoord', 'nl'],
      ['Storm hits coast', 'en'],
    ]);
  });
});

describe('languages of a spool, tied', () => {
  it('one Dutch and one English file, the English read last: the feed stays Dutch (a tie goes by the order nl, en, de, fr)', async () => {
    const dir = await tempDir();
    const spool = join(dir, 'spool');
    await mkdir(spool);
    const d = await start(dir, 'sources:\n  - { id: spool, title: Spool, dir: spool }\n');
    for (const [name, text] of [
      ['1.txt', 'Brand in haven\nROTTERDAM (ANP) - In de haven woedt een brand.\n4 minuten geleden\n'],
      ['2.txt', 'Storm hits coast\nLONDON (Reuters) - A storm hit the coast.\n2 minutes ago\n'],
    ] as const) {
      await writeFile(join(spool, name), text);
      await d.app.pollNow('spool', join(spool, name));
    }
    expect(await get(d, '/feeds/spool.atom')).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">');
    expect(JSON.parse(await get(d, '/feeds/spool.json')).language).toBe('nl');
  });
});
