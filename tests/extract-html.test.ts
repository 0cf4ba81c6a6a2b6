import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extract, htmlToLines, parseDatetime } from '../src/extract/index.js';
import { decodeBody } from '../src/fetch/decode.js';
import type { Document } from '../src/model.js';

const FIXTURES = new URL('./fixtures/extract/', import.meta.url);
const NOW = new Date('2026-01-21T12:00:00Z');
const read = (name: string): Promise<string> => readFile(new URL(name, FIXTURES), 'utf8');

function doc(text: string, mediaType: string | null = 'text/html', url = 'https://nieuws.example.nl/buitenland/'): Document {
  return { sourceId: 'anp', url, mediaType, text, fetchedAt: NOW };
}

describe('HTML as lines', () => {
  it('reads the nl news page as the lines of the wire fixture, chrome left out', async () => {
    const lines = htmlToLines(await read('nl-buitenland.html'));
    // UPDATE_FIXTURES=1 rewrites the expected file when a change in the output is meant.
    if (process.env.UPDATE_FIXTURES === '1') {
      await writeFile(new URL('nl-buitenland.expected.json', FIXTURES), JSON.stringify({ lines }, null, 2) + '\n');
    }
    const expected = JSON.parse(await read('nl-buitenland.expected.json')) as { lines: string[] };
    expect(lines).toEqual(expected.lines);
    // The same lines as the browser-copied text fixture, whose ages are glued to the next lead.
    const wire = (await readFile(new URL('./fixtures/parse/nl-buitenland.txt', import.meta.url), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .flatMap((l) => l.split(/(?<=^\d+ (?:minuten|uur) geleden)/));
    expect(lines).toEqual(wire);
    for (const chrome of ['cookies', 'Binnenland', 'Meest gelezen', 'Colofon', 'Advertentie', 'dataLayer', 'JavaScript', 'Deel dit']) {
      expect(lines.join('\n')).not.toContain(chrome);
    }
  });

  it('breaks at blocks and <br>, keeps inline spacing and decodes entities', () => {
    const html =
      '<div>Eerste<br>Tweede<p><b>raket</b> &amp; <i>Japanse</i>\n   vloot</p><ul><li>a</li><li>b<span>c</span></li></ul>' +
      '<table><tr><td>cel 1</td><td>cel 2</td></tr></table>x&nbsp;&euro;&#8220;y&#x201D; AT&T</div>';
    expect(htmlToLines(html)).toEqual(['Eerste', 'Tweede', 'raket & Japanse vloot', 'a', 'bc', 'cel 1', 'cel 2', 'x €“y” AT&T']);
  });

  it('keeps line breaks inside <pre>', () => {
    expect(htmlToLines('<pre>een\n  twee\n\ndrie</pre>na')).toEqual(['een', 'twee', 'drie', 'na']);
  });

  it('drops scripts, hidden parts and chrome, and keeps escaped markup as text', () => {
    const html =
      '<p>Kop &lt;script&gt;alert(1)&lt;/script&gt; blijft tekst</p><script>document.write("<p>weg</p>")</script>' +
      '<style>p{}</style><p hidden>verborgen</p><p aria-hidden="true">ook</p><p style="display: none">niet</p>' +
      '<nav>menu</nav><template><p>sjabloon</p></template><svg><text>svg</text></svg><select><option>optie</option></select>' +
      '<p>]]&gt; en &lt;img src=x onerror=alert(1)&gt;</p><!-- commentaar -->';
    expect(htmlToLines(html)).toEqual(['Kop <script>alert(1)</script> blijft tekst', ']]> en <img src=x onerror=alert(1)>']);
  });

  it('reads deep nesting, refuses nesting no real page has, and survives truncated markup', () => {
    expect(htmlToLines('<div>'.repeat(9_000) + 'diep')).toEqual(['diep']);
    // htmlparser2 is quadratic in depth: a million unclosed <div>s would hold the process for hours.
    const bomb = '<div>'.repeat(1_000_000);
    expect(() => htmlToLines(bomb)).toThrow('extract: HTML nests more than 10000 elements deep');
    expect(() => extract(doc(bomb), { format: 'html', selectors: { item: 'div' } })).toThrow('extract: HTML nests more than 10000 elements deep');
    expect(htmlToLines('<p>x</p>'.repeat(50_000)).length).toBe(50_000);
    expect(htmlToLines('<ul>' + '<li>punt'.repeat(20_000) + '</ul>').length).toBe(20_000);
    expect(htmlToLines('<p>Afgebroken <b>tekst<p>Nog een')).toEqual(['Afgebroken tekst', 'Nog een']);
  });

  it('decodes and extracts a windows-1252 page with only a <meta charset>', async () => {
    const bytes = await readFile(new URL('cp1252-meta.html', FIXTURES));
    const decoded = decodeBody(bytes, 'text/html');
    expect(decoded.charset).toBe('windows-1252');
    expect(extract(doc(decoded.text), { format: 'auto' })).toEqual({
      kind: 'lines',
      lines: ['Prijs van “groene” stroom stijgt naar € 0,40', 'DEN HAAG (ANP) - De Israëlische én Curaçaose ministers – samen – zijn het eens.', '5 minuten geleden'],
    });
  });
});

describe('format detection', () => {
  it('reads text as text and sniffs HTML by its start', () => {
    expect(extract(doc('Kop\n\n<b>niet</b> html\n', 'text/plain'), { format: 'auto' })).toEqual({ kind: 'lines', lines: ['Kop', '<b>niet</b> html'] });
    expect(extract(doc('\ufeff  <!DOCTYPE html><p>a</p><p>b</p>', 'text/plain'), { format: 'auto' })).toEqual({ kind: 'lines', lines: ['a', 'b'] });
    expect(extract(doc('<p>a</p><body><p>b</p>', null), { format: 'auto' })).toEqual({ kind: 'lines', lines: ['a', 'b'] });
    expect(extract(doc('<p>a</p>', 'text/html'), { format: 'text' })).toEqual({ kind: 'lines', lines: ['<p>a</p>'] });
    expect(extract(doc('<p>a</p><p>b</p>', 'text/plain'), { format: 'html' })).toEqual({ kind: 'lines', lines: ['a', 'b'] });
  });
});

describe('HTML items by selectors', () => {
  it('cuts the nl page into items with absolute links', async () => {
    const got = extract(doc(await read('nl-buitenland.html')), { format: 'auto', selectors: { item: 'li.item', body: 'p.lead', age: '.age' } });
    expect(got.kind).toBe('items');
    if (got.kind !== 'items') return;
    expect(got.items).toHaveLength(7);
    expect(got.items[1]).toEqual({
      headline: null,
      body: [
        'SEOUL (ANP/RTR) - De Zuid-Koreaanse oud-premier Han Duck-soo heeft 23 jaar gevangenisstraf gekregen in een zaak rond de militaire noodtoestand van 2024. Een rechtbank acht de 76-jarige politicus schuldig aan onder meer het deelnemen aan een cruciale handeling van opstand.',
      ],
      ageText: '15 minuten geleden',
      link: 'https://nieuws.example.nl/buitenland/2601/han-duck-soo-celstraf',
      datetime: null,
    });
    expect(got.items.map((i) => i.ageText)).toEqual([
      '4 minuten geleden',
      '15 minuten geleden',
      '1 uur geleden',
      '5 uur geleden',
      '5 uur geleden',
      '9 uur geleden',
      '9 uur geleden',
    ]);
  });

  it('reads headline, body, age, link and <time datetime>, and drops unsafe links', async () => {
    const got = extract(doc(await read('selectors.html'), 'text/html', 'https://wire.example.com/world/index.html'), {
      format: 'html',
      selectors: { item: 'article.story', headline: 'h3', age: '.ago' },
    });
    expect(got).toEqual({
      kind: 'items',
      items: [
        {
          headline: 'Rockets & drones over Kharkiv',
          body: ['KHARKIV (Reuters) - Russia launched a raket & drone attack overnight, officials said.', 'Two people were hurt.'],
          ageText: '12 minutes ago',
          link: 'https://wire.example.com/world/kharkiv-attack',
          datetime: new Date('2026-01-21T10:48:00Z'),
        },
        {
          headline: 'Markets <script> rally',
          body: ['LONDON (Reuters) - Shares rose.'],
          ageText: '1 hour ago',
          link: null,
          datetime: null,
        },
        {
          headline: 'Third story',
          body: ['GENEVA (AP) — Talks resumed.'],
          ageText: null,
          link: 'https://other.example.org/geneva',
          datetime: new Date('2026-01-21T08:00:00Z'),
        },
      ],
    });
  });

  it('takes links from the link selector, and drops data: links', () => {
    const html =
      '<div class="i"><h2>Een</h2><p>Tekst</p><a href="/x">x</a><span class="more"><a href="../lees/1?a=1&amp;b=2">lees</a></span></div>' +
      '<div class="i"><h2>Twee</h2><a class="more" href="data:text/html,<script>alert(1)</script>">lees</a></div>';
    const got = extract(doc(html), { format: 'html', selectors: { item: '.i', headline: 'h2', link: '.more' } });
    expect(got.kind === 'items' && got.items.map((i) => [i.headline, i.body, i.link])).toEqual([
      ['Een', ['Tekst', 'x'], 'https://nieuws.example.nl/lees/1?a=1&b=2'],
      ['Twee', [], null],
    ]);
  });

  it('reports a broken selector as an extract error', () => {
    expect(() => extract(doc('<p>a</p>'), { format: 'html', selectors: { item: 'li[' } })).toThrow(/^extract: invalid CSS selector "li\["$/);
  });
});

describe('parseDatetime', () => {
  it('accepts only date-times that name their offset', () => {
    expect(parseDatetime('2026-01-21T10:48:00Z')).toEqual(new Date('2026-01-21T10:48:00Z'));
    expect(parseDatetime('2026-01-21 11:48+0100')).toEqual(new Date('2026-01-21T10:48:00Z'));
    expect(parseDatetime(' 2026-01-21T11:48:30.5+01:00 ')).toEqual(new Date('2026-01-21T10:48:30.500Z'));
    expect(parseDatetime('2026-01-21T11:48')).toBeNull();
    expect(parseDatetime('2026-01-21')).toBeNull();
    expect(parseDatetime('2026-13-45T99:00Z')).toBeNull();
    expect(parseDatetime('gisteren')).toBeNull();
  });
});
