/**
 * `wirefeed try` against a real HTTP server on loopback (and a file), in-process with the clock
 * passed in, and once through the shipped bundle.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkCommand } from '../src/cli/check.js';
import { entryYaml, sourceIdOf, tryCommand } from '../src/cli/try.js';
import { type Site, startDaemon, startSite } from './helpers/daemon.js';
import { storiesOf } from './helpers/state.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(import.meta.dirname, 'fixtures/try/nl-lijst.html');
// With milliseconds, as a real clock has them: times are shown to the second, as feeds show them.
const NOW = new Date('2026-11-28T12:00:00.250Z');
const USAGE = 'usage: wirefeed try <url|file> [--lang auto|nl|en|de|fr] [--timezone ZONE] [--format table|json] [--format-in auto|text|html] [--full-text]\n';
const run = promisify(execFile);
/** As the JSON shows times: ISO 8601 to the second. */
const isoSecond = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

/** A listing of four stories whose articles are: a plain article, a paywall stub shorter than its teaser, a 404, one more. */
const LIJST = `<html><head><title>Lijst</title></head><body><main>
<div><h2><a href="/artikel/dam">Dam weer open na herstel</a></h2><p>MILLFORD (ANP) - De dam is weer open.</p></div>
<div><h2><a href="/artikel/bank">Bank verhoogt de rente</a></h2><p>FRANKFURT (ANP) - De centrale bank verhoogt de rente met een kwart procentpunt, tot 3,5 procent.</p></div>
<div><h2><a href="/artikel/weg">Pagina verdwenen</a></h2><p>MILLFORD (ANP) - Deze pagina is er niet meer.</p></div>
<div><h2><a href="/artikel/vier">Een vierde bericht</a></h2><p>MILLFORD (ANP) - Dit artikel wordt niet gelezen.</p></div>
</main></body></html>`;
const fulltextFixture = (name: string) => readFileSync(join(import.meta.dirname, `fixtures/fulltext/${name}.html`), 'utf8');

let site: Site;
let page = '';
let cp1252: Buffer;
let enWorld = '';

beforeAll(async () => {
  page = await readFile(FIXTURE, 'utf8');
  enWorld = await readFile(join(import.meta.dirname, 'fixtures/parse/en-world.txt'), 'utf8');
  cp1252 = await readFile(join(import.meta.dirname, 'fixtures/extract/cp1252-meta.html'));
  site = await startSite({
    '/cp1252': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(cp1252),
    '/nieuws/buitenland.html': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page),
    '/leeg': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Welkom</title></head><body><p>Welkom op onze site.</p></body></html>'),
    '/wire/world.txt': (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(enWorld),
    '/verhuisd': (_req, res) => void res.writeHead(301, { location: '/nieuws/buitenland.html' }).end(),
    '/lijst': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LIJST),
    '/artikel/dam': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fulltextFixture('plain')),
    '/artikel/bank': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fulltextFixture('paywall')),
    '/artikel/vier': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fulltextFixture('plain')),
  });
});
afterAll(async () => {
  await site.close();
});

async function tryIt(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await tryCommand(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    now: () => NOW,
  });
  return { code, stdout, stderr };
}

interface TryJson {
  source: string;
  stories: { published: string | null; headline: string; link: string | null }[];
  timezone: string;
  timezoneAssumed: boolean;
  yaml: { text: string; entry: Record<string, unknown> };
}

async function checkSnippet(yamlText: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(await tempDir('wirefeed-try-'), 'wirefeed.yaml');
  await writeFile(file, `sources:\n${yamlText}`);
  let stdout = '';
  let stderr = '';
  const code = await checkCommand(['--config', file], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {} });
  return { code, stdout: stdout.replace(file, 'FILE'), stderr };
}

test('a page over HTTP: the stories as a table, layout, language, zone, warnings and a source entry', async () => {
  const url = `${site.url}/nieuws/buitenland.html`;
  const { code, stdout, stderr } = await tryIt([url]);
  expect([code, stderr]).toEqual([0, '']);
  expect(stdout).toBe(
    [
      `3 stories in ${url}`,
      '',
      'layout     text grammar: headline · dateline lead · body (ages trail)',
      'language   nl',
      'time zone  Europe/Amsterdam (assumed for nl; --timezone to change)',
      '',
      'TIME                  PLACE      AGENCIES   HEADLINE                                               LINK',
      '-                     ANTWERPEN  ANP/BELGA  Havenstaking in Antwerpen duurt voort                  -',
      '2026-11-28T11:48:00Z  MARSEILLE  ANP/AFP    Brand in bos bij Marseille onder controle              -',
      '2026-11-28T10:00:00Z  OSLO       ANP/RTR    Noorwegen verlengt de grenscontroles met een maand. *  -',
      '',
      '* headline made from the first sentence of the lead',
      '',
      'warnings:',
      '  1 age(s) found outside any story, ignored',
      '',
      'source entry for wirefeed.yaml (under sources:):',
      '  - id: 127-0-0-1-nieuws-buitenland',
      '    title: Buitenland & Europa | Het Proefblad',
      `    url: ${url}`,
      '    format: auto',
      '    lang: nl',
      '    timezone: Europe/Amsterdam',
      '',
    ].join('\n'),
  );
  // As the daemon asks with a default config, but without validators: the whole page, once.
  const hit = site.hits.filter((h) => h.path === '/nieuws/buitenland.html').at(-1);
  expect(hit?.ifNoneMatch).toBeUndefined();
  expect(hit?.userAgent).toMatch(/^wirefeed\/\d+\.\d+\.\d+ \(\+http:\/\/127\.0\.0\.1:8080\)$/);
});

test('--format json: the same as one object, stories with ISO intervals, the entry as text and as an object', async () => {
  const url = `${site.url}/nieuws/buitenland.html`;
  const { code, stdout, stderr } = await tryIt([url, '--format', 'json']);
  expect([code, stderr]).toEqual([0, '']);
  const entry = {
    id: '127-0-0-1-nieuws-buitenland',
    title: 'Buitenland & Europa | Het Proefblad',
    url,
    format: 'auto',
    lang: 'nl',
    timezone: 'Europe/Amsterdam',
  };
  expect(JSON.parse(stdout)).toEqual({
    source: url,
    stories: [
      { published: null, age: null, place: 'ANTWERPEN', agencies: ['ANP', 'BELGA'], headline: 'Havenstaking in Antwerpen duurt voort', headlineDerived: false, author: null, image: null, link: null },
      {
        published: '2026-11-28T11:47:00Z/2026-11-28T11:48:00Z',
        age: '12 minuten geleden',
        place: 'MARSEILLE',
        agencies: ['ANP', 'AFP'],
        headline: 'Brand in bos bij Marseille onder controle',
        headlineDerived: false,
        author: null,
        image: null,
        link: null,
      },
      {
        published: '2026-11-28T09:00:00Z/2026-11-28T10:00:00Z',
        age: '2 uur geleden',
        place: 'OSLO',
        agencies: ['ANP', 'RTR'],
        headline: 'Noorwegen verlengt de grenscontroles met een maand.',
        headlineDerived: true,
        author: null,
        image: null,
        link: null,
      },
    ],
    layout: 'text grammar: headline · dateline lead · body (ages trail)',
    lang: 'nl',
    timezone: 'Europe/Amsterdam',
    timezoneAssumed: true,
    warnings: ['1 age(s) found outside any story, ignored'],
    yaml: {
      text: `  - id: 127-0-0-1-nieuws-buitenland\n    title: Buitenland & Europa | Het Proefblad\n    url: ${url}\n    format: auto\n    lang: nl\n    timezone: Europe/Amsterdam\n`,
      entry,
    },
  });
});

test('the YAML entry, pasted under sources:, is a config that wirefeed check accepts', async () => {
  const { stdout } = await tryIt([`${site.url}/nieuws/buitenland.html`, '--format', 'json']);
  expect(await checkSnippet((JSON.parse(stdout) as TryJson).yaml.text)).toEqual({ code: 0, stdout: 'FILE: ok (1 source, 0 feeds)\n', stderr: '' });
});

test('an entry with the selectors a repeated-block detector found is a config that check accepts', async () => {
  const text = entryYaml({
    id: 'example-com-news',
    title: 'News: "today"',
    url: 'https://example.com/news',
    format: 'auto',
    lang: 'en',
    timezone: 'UTC',
    selectors: { item: 'main > ul > li', headline: 'h3', link: 'a', time: 'time' },
  });
  expect(text).toBe(
    [
      '  - id: example-com-news',
      '    title: \'News: "today"\'',
      '    url: https://example.com/news',
      '    format: auto',
      '    lang: en',
      '    timezone: UTC',
      '    selectors:',
      '      item: main > ul > li',
      '      headline: h3',
      '      link: a',
      '      time: time',
      '',
    ].join('\n'),
  );
  expect((await checkSnippet(text)).code).toBe(0);
});

test('ids come from the host and path, slugged to [a-z0-9-]+', () => {
  expect(sourceIdOf({ url: 'https://www.Example.com/news/world/index.html?page=2' })).toBe('example-com-news-world-index');
  expect(sourceIdOf({ url: 'https://nieuws.example.nl/%C3%A9conomie/' })).toBe('nieuws-example-nl-economie');
  expect(sourceIdOf({ url: 'https://example.com/' })).toBe('example-com');
  expect(sourceIdOf({ url: 'https://example.com/a%zz' })).toBe('example-com-a-zz');
  expect(sourceIdOf({ url: `https://example.com/${'lang-pad/'.repeat(10)}` })).toBe('example-com-lang-pad-lang-pad-lang-pad-lang-pad');
  expect(sourceIdOf({ path: '/srv/wire/ANP Buitenland.txt' })).toBe('anp-buitenland');
  expect(sourceIdOf({ path: '/srv/wire/___.txt' })).toBe('source');
});

test('a file: read as wirefeed parse reads it; the entry has its path and loads with check', async () => {
  const { code, stdout, stderr } = await tryIt([FIXTURE, '--format', 'json', '--timezone', 'Europe/Brussels']);
  expect([code, stderr]).toEqual([0, '']);
  const out = JSON.parse(stdout) as TryJson;
  expect([out.source, out.stories.length, out.timezone, out.timezoneAssumed]).toEqual([FIXTURE, 3, 'Europe/Brussels', false]);
  expect(out.yaml.entry).toEqual({
    id: 'nl-lijst',
    title: 'Buitenland & Europa | Het Proefblad',
    path: FIXTURE,
    format: 'auto',
    lang: 'nl',
    timezone: 'Europe/Brussels',
  });
  expect((await checkSnippet(out.yaml.text)).code).toBe(0);
});

test('the zone is assumed from the language, never the host: de → Europe/Berlin, en (detected) → UTC; the title of a text file is its name', async () => {
  const de = JSON.parse((await tryIt([FIXTURE, '--format', 'json', '--lang', 'de'])).stdout) as TryJson;
  expect([de.timezone, de.timezoneAssumed]).toEqual(['Europe/Berlin', true]);
  const enFile = join(import.meta.dirname, 'fixtures/parse/en-world.txt');
  const en = JSON.parse((await tryIt([enFile, '--format', 'json', '--format-in', 'text'])).stdout) as TryJson & { lang: string };
  expect([en.lang, en.timezone, en.timezoneAssumed, en.yaml.entry['title'], en.yaml.entry['format']]).toEqual(['en', 'UTC', true, 'en-world.txt', 'text']);
});

test('plain text over HTTP: read as text, the title is the host, the zone assumed for en is UTC', async () => {
  const url = `${site.url}/wire/world.txt`;
  const out = JSON.parse((await tryIt([url, '--format', 'json'])).stdout) as TryJson & { lang: string };
  expect([out.stories.length, out.lang, out.timezone]).toEqual([7, 'en', 'UTC']);
  expect(out.yaml.entry).toEqual({ id: '127-0-0-1-wire-world', title: '127.0.0.1', url, format: 'auto', lang: 'en', timezone: 'UTC' });
});

test('control characters of a hostile page never reach the terminal (C0 and C1, title included)', async () => {
  const file = join(await tempDir('wirefeed-try-'), 'boos.html');
  const html = '<html><head><title>Boos \u001b[2J \u009b31m\u0007 blad</title></head><body><h1>Kop met \u001b]0;titel\u0007 en \u009b2J</h1>'
    + '<p>WASHINGTON (ANP/AFP) - Een zin over \u001b[31mrood\u001b[0m nieuws.</p><span>4 minuten geleden</span></body></html>';
  await writeFile(file, html);
  const { code, stdout } = await tryIt([file]);
  expect(code).toBe(0);
  expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(stdout).toContain('    title: Boos [2J 31m blad\n');
});

test('a page of 130,000 stories prints its table (no spread of every cell into one call)', async () => {
  const file = join(await tempDir('wirefeed-try-'), 'veel.txt');
  await writeFile(file, Array.from({ length: 130_000 }, (_, i) => `WASHINGTON (ANP) - Bericht ${i} is hier.\n`).join('\n'));
  const { code, stdout, stderr } = await tryIt([file]);
  expect([code, stderr]).toEqual([0, '']);
  expect(stdout.startsWith(`130000 stories in ${file}\n`)).toBe(true);
  expect(stdout.split('\n').filter((line) => line.startsWith('-     WASHINGTON  ANP       Bericht ')).length).toBe(130_000);
});

test('a redirect is followed as the daemon follows it; the entry keeps the URL asked for', async () => {
  const url = `${site.url}/verhuisd`;
  const out = JSON.parse((await tryIt([url, '--format', 'json'])).stdout) as TryJson;
  expect([out.source, out.stories.length, out.yaml.entry['url'], out.yaml.entry['id']]).toEqual([url, 3, url, '127-0-0-1-verhuisd']);
});

test("the charset rules are the daemon's: windows-1252 from <meta charset> gives the right headline and title", async () => {
  const out = JSON.parse((await tryIt([`${site.url}/cp1252`, '--format', 'json'])).stdout) as TryJson;
  expect(out.stories.map((s) => [s.headline, s.published])).toEqual([['Prijs van “groene” stroom stijgt naar € 0,40', '2026-11-28T11:54:00Z/2026-11-28T11:55:00Z']]);
  expect([out.yaml.entry['id'], out.yaml.entry['title']]).toEqual(['127-0-0-1-cp1252', 'Nieuws']);
});

test('a page without stories: one line saying why on stderr, nothing on stdout, exit 1', async () => {
  const url = `${site.url}/leeg`;
  expect(await tryIt([url])).toEqual({
    code: 1,
    stdout: '',
    stderr: `wirefeed try: no stories in ${url}: no line reads as a headline, a dateline lead or an age\n`,
  });
  const dir = await tempDir('wirefeed-try-');
  const strays = join(dir, 'alleen-tijden.txt');
  await writeFile(strays, '4 minuten geleden\n\n2 uur geleden\n');
  expect(await tryIt([strays, '--format', 'json'])).toEqual({
    code: 1,
    stdout: '',
    stderr: `wirefeed try: no stories in ${strays}: 2 age(s) found outside any story, ignored\n`,
  });
});

test('a fetch that fails names the cause and exits 1: a 404, a refused connection, a missing file', async () => {
  expect(await tryIt([`${site.url}/weg`])).toEqual({
    code: 1,
    stdout: '',
    stderr: `wirefeed try: fetch: E_HTTP_STATUS: GET ${site.url}/weg: 404 Not Found\n`,
  });
  const closed = await startSite({});
  await closed.close();
  const refused = await tryIt([`${closed.url}/`]);
  expect([refused.code, refused.stdout]).toEqual([1, '']);
  expect(refused.stderr).toMatch(new RegExp(`^wirefeed try: fetch: E_REFUSED: GET ${closed.url}/: connection refused: caused by .*\\n$`));
  const missing = join(ROOT, 'tests/fixtures/try/missing.html');
  expect(await tryIt([missing])).toEqual({
    code: 1,
    stdout: '',
    stderr: `wirefeed try: fetch: E_FILE: READ file://${missing}: cannot read: caused by ENOENT: no such file or directory, open '${missing}'\n`,
  });
});

test('bad flags exit 2 with the usage', async () => {
  const url = `${site.url}/nieuws/buitenland.html`;
  const cases: [string[], string][] = [
    [[], 'expected one URL or file, got 0'],
    [[url, '--format', 'yaml'], '--format must be table or json, not "yaml"'],
    [[url, '--lang', 'es'], '--lang must be one of auto, nl, en, de, fr, not "es"'],
    [[url, '--format-in', 'pdf'], '--format-in must be auto, text or html, not "pdf"'],
    [[url, '--timezone', 'Mars/Olympus'], '--timezone: unknown time zone "Mars/Olympus" (Invalid time zone specified: Mars/Olympus)'],
    [['ftp://example.com/wire.txt'], 'only http(s) URLs and files can be tried, not "ftp://example.com/wire.txt"'],
  ];
  for (const [argv, error] of cases) {
    expect(await tryIt(argv)).toEqual({ code: 2, stdout: '', stderr: `wirefeed try: ${error}\n${USAGE}` });
  }
  expect(await tryIt(['--help'])).toEqual({ code: 0, stdout: USAGE, stderr: '' });
});

test('the shipped bundle (bin/wirefeed.js) prints the same page as the sources do, at its own clock', async () => {
  const url = `${site.url}/nieuws/buitenland.html`;
  const shipped = await run(process.execPath, [join(ROOT, 'bin/wirefeed.js'), 'try', url, '--format', 'json']);
  expect(shipped.stderr).toBe('');
  const out = JSON.parse(shipped.stdout) as TryJson & { stories: { headline: string; published: string | null }[] };
  const sources = JSON.parse((await tryIt([url, '--format', 'json'])).stdout) as TryJson;
  expect(out.stories.map((s) => s.headline)).toEqual(sources.stories.map((s) => s.headline));
  expect(out.stories.map((s) => s.published === null)).toEqual([true, false, false]);
  expect(out.yaml).toEqual(sources.yaml);
});

test('a listing without datelines over HTTP: the repeated blocks as stories with their own links; the pinned selectors pass check and give the daemon the same stories', async () => {
  const html = await readFile(join(import.meta.dirname, 'fixtures/extract/blocks/fr-div-grid.html'));
  const grid = await startSite({ '/actualites/': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html) });
  try {
    const url = `${grid.url}/actualites/`;
    const table = await tryIt([url, '--lang', 'fr']);
    expect([table.code, table.stderr]).toEqual([0, '']);
    const path = 'html > body > main > div.grille > div.tuile';
    expect(table.stdout).toBe(
      [
        `4 stories in ${url}`,
        '',
        `layout     repeated blocks at ${path}`,
        'language   fr',
        'time zone  Europe/Paris (assumed for fr; --timezone to change)',
        '',
        'TIME                  PLACE  AGENCIES  HEADLINE                                                          LINK',
        `2026-12-07T10:02:00Z  -      -         Le Parlement adopte la réforme des retraites en première lecture  ${grid.url}/actualites/reforme-retraites_4400.html`,
        `2026-12-07T09:31:00Z  -      -         Grève des contrôleurs aériens : des vols annulés à Paris          ${grid.url}/actualites/greve-controleurs_4401.html`,
        `2026-12-07T08:45:00Z  -      -         Un nouveau record de chaleur enregistré dans le sud du pays       ${grid.url}/actualites/record-chaleur_4402.html`,
        `2026-12-07T07:12:00Z  -      -         La bibliothèque municipale rouvre après deux ans de travaux       ${grid.url}/actualites/bibliotheque-rouvre_4403.html`,
        '',
        'source entry for wirefeed.yaml (under sources:):',
        '  - id: 127-0-0-1-actualites',
        '    title: Actualités - Le Quotidien Exemple',
        `    url: ${url}`,
        '    format: auto',
        '    lang: fr',
        '    timezone: Europe/Paris',
        '    selectors:',
        `      item: ${path}`,
        '      headline: a.tuile__lien > h3.tuile__titre',
        '      link: a.tuile__lien',
        '      body: a.tuile__lien > p.tuile__chapo',
        '      time: time',
        '',
      ].join('\n'),
    );

    // Pasted into a config as a user would, the entry is valid and pins the detector's choice.
    const json = await tryIt([url, '--lang', 'fr', '--format', 'json']);
    const out = JSON.parse(json.stdout) as TryJson;
    expect(await checkSnippet(out.yaml.text)).toEqual({ code: 0, stdout: 'FILE: ok (1 source, 0 feeds)\n', stderr: '' });
    const tried = out.stories.map((s) => [s.headline, s.link, s.published?.split('/')[1]]);
    expect(tried).toEqual([
      ['Le Parlement adopte la réforme des retraites en première lecture', `${grid.url}/actualites/reforme-retraites_4400.html`, '2026-12-07T10:02:00Z'],
      ['Grève des contrôleurs aériens : des vols annulés à Paris', `${grid.url}/actualites/greve-controleurs_4401.html`, '2026-12-07T09:31:00Z'],
      ['Un nouveau record de chaleur enregistré dans le sud du pays', `${grid.url}/actualites/record-chaleur_4402.html`, '2026-12-07T08:45:00Z'],
      ['La bibliothèque municipale rouvre après deux ans de travaux', `${grid.url}/actualites/bibliotheque-rouvre_4403.html`, '2026-12-07T07:12:00Z'],
    ]);

    // The daemon polling the page with the pinned selectors stores the same stories.
    const d = await startDaemon(await tempDir('wirefeed-try-'), `state: { dir: ./state }\nsources:\n${out.yaml.text}`, { now: () => NOW });
    try {
      await d.app.settled;
      const stored = (await storiesOf(d.app.store, '127-0-0-1-actualites')).map((s) => [s.headline, s.link, isoSecond(s.publishedLatest)]);
      expect(stored).toEqual(tried);
    } finally {
      await d.app.stop(1000);
    }
  } finally {
    await grid.close();
  }
});

test('an article page over HTTP: layout "article page", one story with its authors, image, link and published time from the metadata', async () => {
  const html = await readFile(join(import.meta.dirname, 'fixtures/extract/article/en-jsonld.html'));
  const desk = await startSite({ '/world/port-workers': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html) });
  try {
    const url = `${desk.url}/world/port-workers`;
    const link = 'https://www.worldnewsdesk.example/world/europe/port-workers-walk-out-2026-11-19/';
    const table = await tryIt([url, '--lang', 'en']);
    expect([table.code, table.stderr]).toEqual([0, '']);
    expect(table.stdout).toBe(
      [
        `1 story in ${url}`,
        '',
        'layout     article page',
        'language   en',
        'time zone  UTC (assumed for en; --timezone to change)',
        '',
        'TIME                  PLACE    AGENCIES  HEADLINE                              LINK',
        `2026-11-19T00:21:00Z  ANTWERP  WND       Port workers walk out over pay talks  ${link}`,
        '',
        'source entry for wirefeed.yaml (under sources:):',
        '  - id: 127-0-0-1-world-port-workers',
        '    title: Port workers walk out over pay talks | World News Desk',
        `    url: ${url}`,
        '    format: auto',
        '    lang: en',
        '    timezone: UTC',
        '',
      ].join('\n'),
    );
    const json = await tryIt([url, '--lang', 'en', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      layout: 'article page',
      lang: 'en',
      warnings: [],
      stories: [
        {
          published: '2026-11-19T00:21:00Z/2026-11-19T00:21:00Z',
          age: null,
          place: 'ANTWERP',
          agencies: ['WND'],
          headline: 'Port workers walk out over pay talks',
          headlineDerived: false,
          author: 'Hannah Moreau, Tomasz Wilk',
          image: 'https://img.worldnewsdesk.example/port-walkout-800.jpg',
          link,
        },
      ],
    });
  } finally {
    await desk.close();
  }
});

test('--full-text: the first three stories\' articles as the feed would get them, or why the teaser stays; the fourth is not fetched', async () => {
  const url = `${site.url}/lijst`;
  const before = site.hits.length;
  const { code, stdout, stderr } = await tryIt([url, '--full-text']);
  expect([code, stderr]).toEqual([0, '']);
  expect(stdout.slice(stdout.indexOf('\nfull text of'))).toBe(
    [
      '',
      'full text of the first 3 stories:',
      '1. Dam weer open na herstel',
      `   ${site.url}/artikel/dam`,
      '   full text, 298 characters:',
      '   | The river dam near Millford reopened on Monday after two years of repairs, the water board said.',
      '   | Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024.',
      '   | Traffic over the dam road resumes on Wednesday; cyclists may use it from today.',
      '',
      '2. Bank verhoogt de rente',
      `   ${site.url}/artikel/bank`,
      `   keeps the teaser: extract: E_NO_ARTICLE: ${site.url}/artikel/bank: no article longer than the teaser`,
      '',
      '3. Pagina verdwenen',
      `   ${site.url}/artikel/weg`,
      `   keeps the teaser (http_error): fetch: E_HTTP_STATUS: GET ${site.url}/artikel/weg: 404 Not Found`,
      '',
    ].join('\n'),
  );
  expect(site.hits.slice(before).map((h) => h.path)).toEqual(['/lijst', '/artikel/dam', '/artikel/bank', '/artikel/weg']);

  const second = site.hits.length;
  const json = JSON.parse((await tryIt([url, '--full-text', '--format', 'json'])).stdout) as { fullText: unknown[] };
  // One host: each request ≥ 1 s after the one before, the listing's included (the second run has the extraction libraries loaded already).
  for (const hits of [site.hits.slice(before, second), site.hits.slice(second)]) {
    expect(hits.map((h) => h.path)).toEqual(['/lijst', '/artikel/dam', '/artikel/bank', '/artikel/weg']);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.at - hits[i - 1]!.at).toBeGreaterThanOrEqual(1000);
  }
  expect(json.fullText).toEqual([
    {
      headline: 'Dam weer open na herstel',
      link: `${site.url}/artikel/dam`,
      result: 'stored',
      characters: 298,
      text: [
        'The river dam near Millford reopened on Monday after two years of repairs, the water board said.',
        'Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024.',
        'Traffic over the dam road resumes on Wednesday; cyclists may use it from today.',
      ],
      reason: null,
    },
    { headline: 'Bank verhoogt de rente', link: `${site.url}/artikel/bank`, result: 'kept_teaser', characters: 0, text: [], reason: `extract: E_NO_ARTICLE: ${site.url}/artikel/bank: no article longer than the teaser` },
    { headline: 'Pagina verdwenen', link: `${site.url}/artikel/weg`, result: 'http_error', characters: 0, text: [], reason: `fetch: E_HTTP_STATUS: GET ${site.url}/artikel/weg: 404 Not Found` },
  ]);
});
