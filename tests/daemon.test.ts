/**
 * The daemon in-process against a news site on 127.0.0.1: what it stores from each kind of
 * page, conditional GET, a failing source beside working ones, watched files and spools,
 * restart on the same state, and `wirefeed ingest` of two snapshots forty minutes apart.
 */
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import type { Io } from '../src/cli/io.js';
import type { StoredStory } from '../src/model.js';
import { newestFirst } from '../src/store/index.js';
import { startDaemon, startDaemonProcess, startSite, waitFor, type Site, type TestDaemon } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { storiesOf as listed } from './helpers/state.js';

const FIX = join(import.meta.dirname, 'fixtures');
const T0 = new Date('2026-11-28T12:00:00Z');

async function site(routes: Parameters<typeof startSite>[0]): Promise<Site> {
  const s = await startSite(routes);
  afterThisTest(() => s.close());
  return s;
}

async function daemon(dir: string, yaml: string, over: Parameters<typeof startDaemon>[2] = {}): Promise<TestDaemon> {
  const d = await startDaemon(dir, yaml, over);
  afterThisTest(() => d.app.stop(1000));
  return d;
}

async function storiesOf(d: TestDaemon, source: string): Promise<StoredStory[]> {
  return (await listed(d.app.store, source)).sort(newestFirst);
}

function summary(s: StoredStory) {
  return [s.place, s.agencies.join('/'), s.headline, s.publishedLatest];
}

describe('daemon sources', () => {
  it('stores exactly what text, windows-1252 HTML, selector HTML and 304 sources hold; a failing source changes nothing else', async () => {
    const text = await readFile(join(FIX, 'parse/nl-buitenland.txt'));
    const cp1252 = iconv.encode(await readFile(join(FIX, 'daemon/cp1252.html'), 'utf8'), 'windows-1252');
    const selectors = await readFile(join(FIX, 'daemon/selectors.html'));
    const news = await site({
      '/text': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text),
      '/cp1252': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end(cp1252),
      '/selectors': (_q, r) => r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(selectors),
      '/etag': (q, r) => {
        if (q.headers['if-none-match'] === '"v1"') r.writeHead(304, { etag: '"v1"' }).end();
        else r.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', etag: '"v1"' }).end(text);
      },
      '/fail': (_q, r) => r.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
    });
    const dir = await tempDir();
    const d = await daemon(
      dir,
      `
state: { dir: ./state }
sources:
  - { id: text, title: Tekst, url: ${news.url}/text, lang: nl }
  - { id: cp1252, title: Economie, url: ${news.url}/cp1252 }
  - id: sel
    title: Wetenschap
    url: ${news.url}/selectors
    format: html
    selectors: { item: li.item, headline: h3, body: p, age: .age, link: a, time: time }
  - { id: etag, title: Etag, url: ${news.url}/etag }
  - { id: fail, title: Kapot, url: ${news.url}/fail }
`,
      { now: () => T0 },
    );
    await d.app.settled;

    expect((await storiesOf(d, 'text')).map(summary)).toEqual([
      ['WASHINGTON', 'ANP/AFP', 'VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000', '2026-11-28T12:00:00.000Z'],
      ['TEL AVIV', 'ANP/RTR', 'De Israëlische premier Benjamin Netanyahu heeft een uitnodiging geaccepteerd om deel te nemen aan de Raad van Vrede.', '2026-11-28T11:56:00.000Z'],
      ['SEOUL', 'ANP/RTR', 'De Zuid-Koreaanse oud-premier Han Duck-soo heeft 23 jaar gevangenisstraf gekregen in een zaak rond de militaire noodtoestand van 2024.', '2026-11-28T11:45:00.000Z'],
      ['TOKIO', 'ANP/RTR', 'De man die in 2022 de Japanse oud-premier Shinzo Abe vermoordde, is veroordeeld tot een levenslange gevangenisstraf.', '2026-11-28T11:00:00.000Z'],
      // Equal times are ordered by id, the same way every time.
      ['SAO PAULO', 'ANP/RTR', 'De Braziliaanse regering heeft Elon Musks bedrijf xAI dertig dagen de tijd gegeven om te voorkomen dat chatbot Grok seksueel getinte nepbeelden verspreidt.', '2026-11-28T07:00:00.000Z'],
      ['GELIDA', 'ANP/RTR', 'De machinist van de forensentrein die dinsdag in de omgeving van Barcelona op een omgevallen muur botste, is overleden.', '2026-11-28T07:00:00.000Z'],
      ['WASHINGTON', 'ANP', 'De NAVO is veel sterker dan een jaar geleden en dat komt volgens de Amerikaanse president Donald Trump door zijn beleid.', '2026-11-28T03:00:00.000Z'],
      ['WASHINGTON', 'ANP/AFP', 'Donald Trump is niet geïnteresseerd om af te reizen naar Parijs voor een bijeenkomst van de G7.', '2026-11-28T03:00:00.000Z'],
    ]);

    // windows-1252 without a charset in Content-Type: the meta tag decides, € and curly quotes survive.
    const eco = (await storiesOf(d, 'cp1252'));
    expect(eco.map(summary)).toEqual([
      ['DEN HAAG', 'ANP', 'Kabinet trekt “extra” € 2 miljard uit voor defensie', '2026-11-28T12:00:00.000Z'],
      ['FRANKFURT', 'ANP/RTR', 'De Europese Centrale Bank houdt de rente op 2 procent.', '2026-11-28T11:48:00.000Z'],
      ['PARIJS', 'ANP/AFP', 'De Franse regering wil het begrotingstekort terugbrengen naar 5,4 procent.', '2026-11-28T09:00:00.000Z'],
    ]);
    expect(eco[0]?.body).toEqual([
      'DEN HAAG (ANP) - Het kabinet trekt volgend jaar € 2 miljard extra uit voor defensie, meldt minister Brekelmans. Het geld gaat vooral naar munitie.',
      'De oppositie noemt het plan ‘te weinig, te laat’.',
    ]);

    // Selectors: links resolved against the page, javascript: dropped, <time datetime> beats the age.
    const sel = (await storiesOf(d, 'sel'));
    expect(sel.map((s) => [s.headline, s.headlineDerived, s.link, s.publishedEarliest, s.publishedLatest])).toEqual([
      ['Raket & Japanse satelliet gelanceerd', false, `${news.url}/nieuws/raket`, '2026-11-28T11:49:00.000Z', '2026-11-28T11:50:00.000Z'],
      ['Duitse onderzoekers hebben een nieuw antibioticum gevonden in bodembacteriën.', true, null, '2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z'],
      ['Komeet zichtbaar boven Nederland', false, 'https://example.org/nieuws/komeet', '2026-11-28T09:15:00.000Z', '2026-11-28T09:15:00.000Z'],
    ]);
    expect(sel[0]?.body).toEqual([
      'TOKIO (ANP/AFP) - Japan heeft een H3-raket gelanceerd met een navigatiesatelliet aan boord.',
      'Het was de vijfde lancering van dit type.',
    ]);

    // The failing source is recorded and backed off; the others are untouched by it.
    const fail = await d.app.store.source('fail');
    expect(fail.consecutiveFailures).toBe(1);
    expect(fail.lastError).toBe(`fetch: E_HTTP_STATUS: GET ${news.url}/fail: 500 Internal Server Error`);
    expect(fail.nextAttemptAfter).toBe(new Date(T0.getTime() + 5 * 60_000).toISOString());
    expect((await d.app.store.countOf('fail'))).toBe(0);
    expect(d.lines.some((l) => l.includes('fetch error source=fail') && l.includes('E_HTTP_STATUS'))).toBe(true);

    // Conditional GET: the stored ETag goes out and a 304 costs no parsing.
    expect((await d.app.store.source('etag')).etag).toBe('"v1"');
    await d.app.pollNow('etag');
    expect(news.hits.filter((h) => h.path === '/etag').map((h) => h.ifNoneMatch)).toEqual([undefined, '"v1"']);
    expect(d.lines.map((l) => /fetch (\S+) source=etag /.exec(l)?.[1]).filter(Boolean)).toEqual(['ok', 'not-modified']);
    expect(news.hits[0]?.userAgent).toBe(`wirefeed/0.0.0-test (+http://127.0.0.1:8080)`);
    // One log line per fetch with the counts and the duration.
    expect(d.lines.find((l) => l.includes('fetch ok source=text'))).toMatch(/ new=8 updated=0 unchanged=0 ms=\d+ url=http/);
  });
});

describe('server.feedCacheMb', () => {
  /** Serve the een feed once, gzip as readers ask; the cache's bytes as /metrics says. */
  async function cachedBytes(server: string): Promise<number> {
    const dir = await tempDir();
    await copyFile(join(FIX, 'parse/nl-buitenland.txt'), join(dir, 'a.txt'));
    const d = await daemon(dir, `server: { port: 0${server} }\nstate: { dir: ./state }\nsources:\n  - { id: een, title: Een, path: a.txt }\n`);
    await d.app.settled;
    const feed = await fetch(`${d.app.url}/feeds/een.atom`, { headers: { 'accept-encoding': 'gzip' } });
    expect([feed.status, (await feed.text()).match(/<entry>/g)?.length]).toEqual([200, 8]);
    const metrics = await (await fetch(`${d.app.url}/metrics`)).text();
    return Number(/^wirefeed_feed_cache_bytes (\d+)$/m.exec(metrics)?.[1]);
  }

  it('sizes the rendered-feed cache: 0 keeps nothing, the default keeps the feed', async () => {
    expect(await cachedBytes(', feedCacheMb: 0')).toBe(0);
    expect(await cachedBytes('')).toBeGreaterThan(1000);
  });
});

describe('watched files', () => {
  it('ingests a watched file replaced by rename, and a file dropped into a spool directory', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'wire'));
    await mkdir(join(dir, 'spool'));
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'wire/anp.txt'));
    const d = await daemon(
      dir,
      `
state: { dir: ./state }
sources:
  - { id: file, title: Bestand, path: wire/anp.txt, lang: nl }
  - { id: spool, title: Spool, dir: spool, lang: nl }
`,
    );
    await d.app.settled;
    expect((await d.app.store.countOf('file'))).toBe(8);
    expect((await d.app.store.countOf('spool'))).toBe(0);

    // An editor's save: write a temp file, rename it over the watched one.
    await writeFile(join(dir, 'wire/.anp.txt.swp'), await readFile(join(FIX, 'daemon/nl-buitenland-t2.txt')));
    await rename(join(dir, 'wire/.anp.txt.swp'), join(dir, 'wire/anp.txt'));
    await waitFor('the renamed file to be ingested', async () => (await d.app.store.countOf('file')) === 9);
    expect((await storiesOf(d, 'file')).some((s) => s.headline === 'Zelensky ontmoet Europese leiders in Brussel')).toBe(true);

    await writeFile(join(dir, 'spool/.part'), 'half');
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'spool/0001.txt'));
    await waitFor('the spool file to be ingested', async () => (await d.app.store.countOf('spool')) === 8);
    // One story on two sources is one story, listed under both.
    expect(await d.app.store.size()).toBe(9);
  });
});

describe('restart', () => {
  it('keeps the same stories, ids and timestamps across a stop and start on the same state', async () => {
    const dir = await tempDir();
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'anp.txt'));
    const yaml = `
state: { dir: ./state }
sources:
  - { id: file, title: Bestand, path: anp.txt, lang: nl }
`;
    const first = await startDaemon(dir, yaml, { now: () => T0 });
    await first.app.settled;
    const before = JSON.stringify(await storiesOf(first, 'file'));
    await first.app.stop();
    const second = await daemon(dir, yaml, { now: () => new Date(T0.getTime() + 3_600_000) });
    expect(JSON.stringify(await storiesOf(second, 'file'))).toBe(before);
    await second.app.settled;
    // The same page read again an hour later is recognised as the same bytes: nothing changes.
    expect(JSON.stringify(await storiesOf(second, 'file'))).toBe(before);
    expect(second.lines.some((l) => l.includes('fetch unchanged-page source=file'))).toBe(true);
  });
});

describe('wirefeed ingest', () => {
  function io(out: string[], err: string[]): Io {
    return { stdout: (s) => out.push(s), stderr: (s) => err.push(s), stdin: async () => new Uint8Array(), env: {}, now: () => T0 };
  }

  it('two snapshots forty minutes apart: no duplicate, ids kept, the moved story keeps its body, the edit is dated, intervals narrowed', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'wirefeed.yaml'), 'state: { dir: ./state }\nsources:\n  - { id: anp, title: ANP, url: https://example.org/anp, lang: nl }\n');
    const cfg = join(dir, 'wirefeed.yaml');
    const out: string[] = [];
    const err: string[] = [];
    expect(await runCli(['ingest', join(FIX, 'daemon/nl-buitenland-t1.txt'), '--source', 'anp', '--at', '2026-11-28T12:00:00Z', '--config', cfg], io(out, err))).toBe(0);
    expect(out.pop()).toBe('{"new":8,"updated":0,"unchanged":0}\n');
    const listed = async () => {
      const o: string[] = [];
      expect(await runCli(['stories', '--config', cfg, '--format', 'json'], io(o, err))).toBe(0);
      return JSON.parse(o.join('')) as { id: string; headline: string; publishedEarliest: string | null; publishedLatest: string; updated: string; firstSeen: string }[];
    };
    const t1 = await listed();
    expect(await runCli(['ingest', join(FIX, 'daemon/nl-buitenland-t2.txt'), '--source', 'anp', '--at', '2026-11-28T12:40:00Z', '--config', cfg], io(out, err))).toBe(0);
    expect(out.pop()).toBe('{"new":1,"updated":1,"unchanged":6}\n');
    expect(err).toEqual([]);
    const t2 = await listed();
    expect(t2).toHaveLength(9);
    const byId = new Map(t2.map((s) => [s.id, s]));
    for (const s of t1) expect(byId.get(s.id)?.headline).toBe(s.headline);

    const top = t2.find((s) => s.headline.startsWith('VS schatten'))!;
    // The old top story, now in the list with only its lead: same id, full body, and its
    // open interval (no age at 12:00) narrowed to "50 minuten geleden" at 12:40.
    expect(top.id).toBe(t1.find((s) => s.headline.startsWith('VS schatten'))!.id);
    expect([top.publishedEarliest, top.publishedLatest, top.updated]).toEqual(['2026-11-28T11:49:00.000Z', '2026-11-28T11:50:00.000Z', '2026-11-28T12:00:00.000Z']);
    const config = await import('../src/config/load.js').then((m) => m.loadConfig(cfg, {}));
    const { openStore } = await import('../src/store/index.js');
    const store = await openStore(config.state.dir, { lock: false });
    expect((await store.get(top.id))?.body).toHaveLength(3);

    const seoul = t2.find((s) => s.headline.startsWith('De Zuid-Koreaanse'))!;
    expect(seoul.updated).toBe('2026-11-28T12:40:00.000Z');
    expect((await store.get(seoul.id))?.body[0]).toMatch(/Han kan nog in hoger beroep gaan\.$/);

    // "1 uur geleden" at 12:00, "2 uur geleden" at 12:40: between 2 h and 1 h 20 min before 12:00.
    const tokio = t2.find((s) => s.headline.startsWith('De man die in 2022'))!;
    expect([tokio.publishedEarliest, tokio.publishedLatest]).toEqual(['2026-11-28T10:00:00.000Z', '2026-11-28T10:40:00.000Z']);
    expect(tokio.updated).toBe('2026-11-28T12:00:00.000Z');
  });

  it('refuses while a daemon holds the state', async () => {
    const dir = await tempDir();
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'anp.txt'));
    const cfg = join(dir, 'wirefeed.yaml');
    await writeFile(cfg, 'server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: file, title: Bestand, path: anp.txt }\n');
    const child = await startDaemonProcess(['--config', cfg]);
    try {
      const out: string[] = [];
      const err: string[] = [];
      expect(await runCli(['ingest', join(dir, 'anp.txt'), '--source', 'file', '--config', cfg], io(out, err))).toBe(1);
      expect(err.join('')).toBe(
        `wirefeed ingest: store: state directory ${join(dir, 'state')} is in use by another wirefeed process (pid ${child.pid}, lock ${join(dir, 'state', 'wirefeed.lock')}); stop it first (E_LOCKED)\n`,
      );
      // A second daemon on the same state refuses to start as well.
      await expect(startDaemonProcess(['--config', cfg])).rejects.toThrow(`in use by another wirefeed process (pid ${child.pid}`);
    } finally {
      expect(await child.kill('SIGTERM')).toBe(0);
    }
  });
});
