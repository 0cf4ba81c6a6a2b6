/**
 * Issue 19, finding 2: pages built to stall the event loop. Each case asserts what a hostile page
 * produces (items, paragraphs, stories, what the feeds and /healthz show, the log) — never how
 * long it took: the machine is shared. That a poll lets the event loop run is asserted by counting
 * turns of the loop, with the poll yielding at every checkpoint (`sliceMs: 0`), so that the count
 * does not depend on the machine's speed.
 */
import { describe, expect, it } from 'vitest';
import { extract, extractSteps, htmlToLines } from '../src/extract/index.js';
import type { Document } from '../src/model.js';
import { parseExtracted } from '../src/parse/index.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { openStore, type Change, type Store } from '../src/store/index.js';
import { runSteps, runStepsSliced, type Steps } from '../src/steps.js';
import { startDaemon, startSite, type Site, type TestDaemon } from './helpers/daemon.js';
import { datedStory } from './helpers/stories.js';
import { storiesOf } from './helpers/state.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const NOW = new Date('2026-11-28T12:00:00Z');

function doc(text: string): Document {
  return { sourceId: 'h', url: 'https://wire.example/', mediaType: 'text/html', text, fetchedAt: NOW };
}

async function site(routes: Parameters<typeof startSite>[0]): Promise<Site> {
  const s = await startSite(routes);
  afterThisTest(() => s.close());
  return s;
}

async function daemon(yaml: string, over: Parameters<typeof startDaemon>[2] = {}): Promise<TestDaemon> {
  const d = await startDaemon(await tempDir(), yaml, over);
  afterThisTest(() => d.app.stop(1000));
  return d;
}

/** Wire text of `n` stories `from` on: headline, dateline lead, age (the top of the page is the newest). */
function wirePage(n: number, from = 0): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) out.push(`Kop nummer ${i} over de zaak`, `ROME (ANP) - Bericht ${i} gaat over de zaak.`, `${i - from + 1} minuten geleden`);
  return out.join('\n') + '\n';
}

function config(sources: string[]): string {
  return ['server:', '  host: 127.0.0.1', '  port: 0', 'sources:', ...sources].join('\n') + '\n';
}

function urlSource(id: string, url: string, extra: string[] = []): string[] {
  return [`  - id: ${id}`, `    title: ${id}`, `    url: ${url}`, '    format: text', '    lang: nl', '    schedule: "0 0 1 1 *"', ...extra.map((l) => `    ${l}`)];
}

async function feedTitles(d: TestDaemon, id: string): Promise<string[]> {
  const res = await fetch(`${d.app.url}/feeds/${id}.json?limit=500`);
  const body = (await res.json()) as { items: { title: string }[] };
  return body.items.map((i) => i.title);
}

async function storiesInHealth(d: TestDaemon, id: string): Promise<number> {
  const body = (await (await fetch(`${d.app.url}/healthz`)).json()) as { sources: Record<string, { stories: number }> };
  return body.sources[id]!.stories;
}

const headlines = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `Kop nummer ${from + i} over de zaak`);

describe('the HTML nesting guard follows the parser\'s open elements', () => {
  it('a closing tag that closes nothing does not count down', () => {
    // 10,001 <div>s stay open: the </a>s close nothing.
    expect(() => htmlToLines('<div></a>'.repeat(10_001))).toThrow('extract: HTML nests more than 10000 elements deep');
    expect(() => extract(doc('<div></a>'.repeat(10_001)), { format: 'html', selectors: { item: 'div' } })).toThrow(
      'extract: HTML nests more than 10000 elements deep',
    );
    const stray = '<div>'.repeat(9_000) + '</span>'.repeat(5_000) + '<div>'.repeat(2_000) + 'diep';
    expect(() => htmlToLines(stray)).toThrow('extract: HTML nests more than 10000 elements deep');
  });

  it('elements that are closed, or close themselves, do not count', () => {
    expect(htmlToLines('<div>x</div>'.repeat(20_000))).toHaveLength(20_000);
    expect(htmlToLines('<div>'.repeat(9_000) + '<p>a<p>b<br><img>'.repeat(2_000) + '<ul>' + '<li>c<li>d'.repeat(2_000))).toHaveLength(8_000);
    expect(htmlToLines('<div>'.repeat(9_999) + '</div>'.repeat(9_999) + '<div>'.repeat(9_999) + 'diep')).toEqual(['diep']);
  });
});

describe('selector items nested inside each other', () => {
  it('a matched item inside another matched item is not a second item', () => {
    // Unclosed <article>s: each one holds all that follow.
    const html = '<article><h2>Kop</h2><p>Tekst.</p>'.repeat(300);
    const got = extract(doc(html), { format: 'html', selectors: { item: 'article', headline: 'h2' } });
    expect(got.kind).toBe('items');
    if (got.kind !== 'items') return;
    expect(got.items).toHaveLength(1);
    expect(got.items[0]!.headline).toBe('Kop');
    // The outer item's own paragraph, then each nested article's headline and paragraph.
    expect(got.items[0]!.body).toHaveLength(1 + 2 * 299);
    expect(parseExtracted(got, { lang: 'nl' }).stories).toHaveLength(1);

    const bodies = extract(doc(html), { format: 'html', selectors: { item: 'article', headline: 'h2', body: 'p' } });
    expect(bodies.kind === 'items' && bodies.items.map((i) => i.body.length)).toEqual([300]);
  });

  it('an item list inside an item, and items side by side', () => {
    const html = '<ul><li>Een<ul><li>Twee</li><li>Drie</li></ul></li><li>Vier</li></ul>';
    const got = extract(doc(html), { format: 'html', selectors: { item: 'li' } });
    expect(got.kind === 'items' && got.items.map((i) => i.body)).toEqual([['Een', 'Twee', 'Drie'], ['Vier']]);
    // Body matches likewise: the inner <div>'s text is in the outer one's paragraph already.
    const nested = extract(doc('<section><div>Een<div>Twee</div></div></section>'), { format: 'html', selectors: { item: 'section', body: 'div' } });
    expect(nested.kind === 'items' && nested.items.map((i) => i.body)).toEqual([['Een', 'Twee']]);
  });
});

describe('selectors on deep and wide pages', () => {
  it('finds items under 9,000 open elements and among 30,000 siblings, with the same selectors as cheerio', () => {
    const deep = '<div>'.repeat(9_000) + '<article><h2>Kop</h2><p>Tekst.</p></article>'.repeat(3);
    const got = extract(doc(deep), { format: 'html', selectors: { item: 'div > article', headline: 'h2' } });
    expect(got.kind === 'items' && got.items.map((i) => [i.headline, i.body])).toEqual(Array(3).fill(['Kop', ['Tekst.']]));
    const wide = '<article><h2>Kop</h2><p>Tekst.</p></article>'.repeat(30_000);
    const items = extract(doc(wide), { format: 'html', selectors: { item: 'article', headline: 'h2' } });
    expect(items.kind === 'items' && items.items.length).toBe(30_000);
    // With a cap the matches after it are counted, not read.
    const capped = extract(doc(wide), { format: 'html', selectors: { item: 'article', headline: 'h2' }, maxItems: 2 });
    expect(capped).toEqual({ kind: 'items', items: Array(2).fill({ headline: 'Kop', body: ['Tekst.'], ageText: null, link: null, datetime: null }), unread: 29_998 });
    // jQuery's positional extensions still work (cheerio-select), and a broken selector still says so.
    const list = '<ul><li><h2>A</h2></li><li><h2>B</h2></li><li><h2>C</h2></li></ul>';
    const eq = extract(doc(list), { format: 'html', selectors: { item: 'li:eq(1)', headline: 'h2' } });
    expect(eq.kind === 'items' && eq.items.map((i) => i.headline)).toEqual(['B']);
    expect(() => extract(doc(list), { format: 'html', selectors: { item: 'li', headline: 'h2[' } })).toThrow('extract: invalid CSS selector "h2["');
  });
});

describe('the repeated-block detector on hostile pages', () => {
  /** Runs the steps, counting them. */
  function counted<T>(steps: Steps<T>): { value: T; steps: number } {
    let n = 0;
    for (;;) {
      const step = steps.next();
      if (step.done) return { value: step.value, steps: n };
      n++;
    }
  }

  it('50,000 repeated blocks are 50,000 items, found in steps', () => {
    const html = '<main><ul class="l">' + Array.from({ length: 50_000 }, (_, i) => `<li><a href="/n/${i}">Kop nummer ${i} over de zaak</a></li>`).join('') + '</ul></main>';
    const extracted = counted(extractSteps(doc(html), { format: 'html' }));
    const offer = extracted.value.kind === 'lines' ? extracted.value.blocks : undefined;
    const found = counted(offer!());
    expect(found.value?.layout).toBe('repeated blocks at main > ul.l > li');
    expect(found.value?.items.length).toBe(50_000);
    expect(found.value?.items.at(-1)).toEqual({ headline: 'Kop nummer 49999 over de zaak', body: [], ageText: null, link: 'https://wire.example/n/49999', datetime: null });
    // A step per 2 KB of HTML (twice: lines, then the DOM), per 4,096 nodes walked and per 64 items looked at or built.
    expect(extracted.steps + found.steps).toBeGreaterThan(3_000);
    const parsed = parseExtracted(extracted.value, { lang: 'nl' });
    expect([parsed.layout, parsed.stories.length]).toEqual(['repeated blocks at main > ul.l > li', 50_000]);
  });

  it('a page of JSON-LD blocks is read only up to its budget: 40 blocks of 100 KB, the article after them unseen', () => {
    const blob = `<script type="application/ld+json">{"@type":"WebPage","x":"${'a'.repeat(100_000)}"}</script>`;
    const article = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Kop"}</script>';
    const html = `<html><head>${blob.repeat(40)}${article}</head><body><h1>Kop van het stuk</h1><p>ROME (ANP) - Tekst.</p></body></html>`;
    expect(runSteps(extractSteps(doc(html), { format: 'html' })).kind).toBe('lines');
    const small = `<html><head>${blob.repeat(2)}${article}</head><body><h1>Kop van het stuk</h1><p>ROME (ANP) - Tekst.</p></body></html>`;
    expect(runSteps(extractSteps(doc(small), { format: 'html' }))).toMatchObject({ kind: 'items', layout: 'article page' });
  });

  it('30,000 stories under one headline and one lead each get their own line\'s link', () => {
    const html = '<main>' + Array.from({ length: 30_000 }, (_, i) => `<div><h2><a href="/n/${i}">Kop van de dag</a></h2><p>ROME (ANP) - Tekst.</p></div>`).join('') + '</main>';
    const parsed = parseExtracted(runSteps(extractSteps(doc(html), { format: 'html' })), { lang: 'nl' });
    expect(parsed.stories.length).toBe(30_000);
    expect([parsed.stories[0]?.link, parsed.stories[29_999]?.link]).toEqual(['https://wire.example/n/0', 'https://wire.example/n/29999']);
  });

  it('an article page 9,000 levels deep with 50,000 pictures that are no pictures is still one story', () => {
    const html =
      '<html><head><meta property="og:type" content="article"></head><body><main><h1>Kop van het stuk</h1>' +
      '<div>'.repeat(9_000) + '<img>'.repeat(50_000) + '<p>ROME (ANP) - Tekst <b>met</b> <a href="/x">een link</a>.</p></main></body></html>';
    const { value, steps } = counted(extractSteps(doc(html), { format: 'html' }));
    expect(value).toMatchObject({ kind: 'items', layout: 'article page', items: [{ headline: 'Kop van het stuk', body: ['ROME (ANP) - Tekst met een link.'], image: null }] });
    expect(steps).toBeGreaterThan(100);
  });

  it('20,000 items under 9,000 open elements: found, with a selector of at most eight levels; links nested in each other: none', () => {
    const blocksOf = (html: string) => {
      const extracted = runSteps(extractSteps(doc(html), { format: 'html' }));
      return extracted.kind === 'lines' && extracted.blocks ? runSteps(extracted.blocks()) : undefined;
    };
    const deep = '<div>'.repeat(9_000) + Array.from({ length: 20_000 }, (_, i) => `<p><a href="/d/${i}">Kop nummer ${i} over de zaak</a></p>`).join('');
    const found = blocksOf(deep);
    expect([found?.layout, found?.items.length]).toEqual(['repeated blocks at div > div > div > div > div > div > div > p', 20_000]);
    expect(blocksOf('<div><a href="/x">Kop nummer over de zaak</a>'.repeat(9_000))).toBeNull();
  });
});

describe('retention', () => {
  it('unlists the stories it drops in one call to the store, in the same transaction as the page', async () => {
    const store = await openStore(await tempDir());
    afterThisTest(() => store.close());
    const old = Array.from({ length: 500 }, (_, i) => datedStory({ headline: `Oud bericht ${i}`, publishedLatest: new Date(NOW.getTime() - 3_600_000 - i * 1000) }));
    await ingestPage(store, old, { sourceId: 's', at: new Date(NOW.getTime() - 3_600_000), lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    const fresh = Array.from({ length: 500 }, (_, i) => datedStory({ headline: `Nieuw bericht ${i}`, publishedLatest: new Date(NOW.getTime() - i * 1000) }));

    const calls: number[] = [];
    const counting = new Proxy(store, {
      get(target, key: keyof Store) {
        if (key === 'commit') return (change: Change) => (calls.push(change.unlist?.ids.length ?? 0), target.commit(change));
        const value = target[key];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const r = await ingestPage(counting, fresh, { sourceId: 's', at: NOW, lang: 'nl', scopeOf: () => PUBLIC_SCOPE, retention: { keep: 500, maxAgeDays: 30 } });
    expect(r.dropped).toBe(500);
    expect(calls).toEqual([500]);
    expect((await storiesOf(store, 's')).map((s) => s.headline).sort()).toEqual(fresh.map((s) => s.headline).sort());
  });
});

describe('the stories one page brings', () => {
  it('keep holds after every page: the first stories in page order stay', async () => {
    let page = wirePage(150);
    const s = await site({ '/p': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(page) });
    const d = await daemon(config(urlSource('w', `${s.url}/p`, ['keep: 60'])));
    await d.app.settled;
    expect(await storiesInHealth(d, 'w')).toBe(60);
    expect(await feedTitles(d, 'w')).toEqual(headlines(0, 60));

    page = wirePage(150, 1000);
    await d.app.pollNow('w');
    expect(await storiesInHealth(d, 'w')).toBe(60);
    expect(await feedTitles(d, 'w')).toEqual(headlines(1000, 60));
    // keep is a setting, not a fault: no warning.
    expect(d.lines.filter((l) => / warn /.test(l))).toEqual([]);
  });

  it('a page beyond maxStoriesPerPage gives its first stories and one warning with the counts', async () => {
    const html = Array.from({ length: 1_500 }, (_, i) => `<article><h2>Kop nummer ${i} over de zaak</h2><p>ROME (ANP) - Bericht ${i}.</p></article>`).join('');
    const s = await site({
      '/p': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(wirePage(1_500)),
      '/h': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html),
    });
    const selectors = ['maxStoriesPerPage: 30', 'selectors:', '  item: article', '  headline: h2'];
    const d = await daemon(
      config([
        ...urlSource('big', `${s.url}/p`, ['keep: 5000']),
        ...urlSource('small', `${s.url}/p`, ['keep: 5000', 'maxStoriesPerPage: 40']),
        ...urlSource('items', `${s.url}/h`, selectors).map((l) => l.replace('format: text', 'format: html')),
      ]),
    );
    await d.app.settled;
    expect(await storiesInHealth(d, 'big')).toBe(1_000);
    expect(await storiesInHealth(d, 'small')).toBe(40);
    expect(await feedTitles(d, 'small')).toEqual(headlines(0, 40));
    expect(await storiesInHealth(d, 'items')).toBe(30);
    expect((await feedTitles(d, 'items')).sort()).toEqual(headlines(0, 30).sort());
    const warnings = d.lines.filter((l) => / warn /.test(l));
    expect(warnings).toHaveLength(3);
    expect(warnings.find((l) => l.includes('source=items'))).toContain('page has 1500 stories, more than maxStoriesPerPage (30): kept the first 30');
    expect(warnings.find((l) => l.includes('source=big'))).toContain('page has 1500 stories, more than maxStoriesPerPage (1000): kept the first 1000');
    expect(warnings.find((l) => l.includes('source=small'))).toContain('page has 1500 stories, more than maxStoriesPerPage (40): kept the first 40');
  });
});

describe('a big page does not hold the event loop', () => {
  it('sliced steps run to the end, or stop after a turn when told', async () => {
    function* count(): Steps<number> {
      for (let i = 1; ; i++) {
        if (i === 1_000) return i;
        yield;
      }
    }
    expect(await runStepsSliced(count(), 0)).toBe(1_000);
    let asked = 0;
    await expect(runStepsSliced(count(), 0, () => ++asked > 3)).rejects.toThrow('schedule: wirefeed is stopping: the page was left unread');
    // Asked after the first turn (before any step) and after each step's turn.
    expect(asked).toBe(4);
  });

  it.each([
    ['free lines', []],
    ['selector items', ['selectors:', '  item: article', '  headline: h2', '  body: p:first-of-type', '  age: p:last-child']],
  ])('the loop runs between chunks of a page\'s work, and the page gives what it gives (%s)', async (_kind, selectors: string[]) => {
    const items: string[] = [];
    for (let i = 0; i < 6_000; i++) {
      items.push(`<article><h2>Kop nummer ${i} over de zaak</h2><p>ROME (ANP) - Bericht ${i} gaat over de zaak.</p><p>${(i % 50) + 1} minuten geleden</p></article>`);
    }
    let html = `<!doctype html><html><body><main>${items.join('\n')}</main></body></html>`;
    expect(html.length).toBeGreaterThan(700_000);
    // Turns of the loop are counted from the moment the site has handed the whole page to the
    // socket: before that, the loop also turns while it waits for bytes.
    let sent = false;
    const s = await site({
      '/p': (_req, res) => {
        res.on('finish', () => (sent = true));
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      },
    });
    const yaml = config(urlSource('f', `${s.url}/p`, ['keep: 5000', 'maxStoriesPerPage: 5000', ...selectors]).map((l) => l.replace('format: text', 'format: html')));
    const d = await daemon(yaml, { sliceMs: 0 });
    await d.app.settled;
    expect(await storiesInHealth(d, 'f')).toBe(5_000);

    html = html.replace('Kop nummer 0 ', 'Kop nummer nul ');
    sent = false;
    let turns = 0;
    let polling = true;
    const spin = (): void => {
      if (sent) turns++;
      if (polling) setImmediate(spin);
    };
    setImmediate(spin);
    await d.app.pollNow('f');
    polling = false;
    // All at once, the rest of the poll takes the few turns of reading the socket's last bytes
    // (4 here); read in steps, a turn per 2 KB of HTML (~390), per 512 lines or a selector item,
    // per 1,000 stories dated.
    expect(turns).toBeGreaterThan(300);
    expect(await storiesInHealth(d, 'f')).toBe(5_000);
    expect((await feedTitles(d, 'f')).filter((t) => t.startsWith('Kop nummer nul '))).toEqual(['Kop nummer nul over de zaak']);
  });
});
