/**
 * Issue 18, full text: an article page → sanitized article HTML and its text (readability on
 * linkedom, then sanitize-html). Fixtures are our own pages in tests/fixtures/fulltext/.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractFullText } from '../src/fulltext/extract.js';

const BASE = 'https://news.example.org/2026/12/';

function page(name: string): string {
  return readFileSync(new URL(`./fixtures/fulltext/${name}.html`, import.meta.url), 'utf8');
}

function run(name: string, teaser = 'A teaser.') {
  return extractFullText(page(name), BASE + name, { teaser });
}

describe('extractFullText', () => {
  it('a plain article: its paragraphs, title left out', () => {
    expect(run('plain')).toEqual({
      html: [
        '<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>',
        '<p>Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024.</p>',
        '<p>Traffic over the dam road resumes on Wednesday; cyclists may use it from today.</p>',
      ].join('\n'),
      text:
        'The river dam near Millford reopened on Monday after two years of repairs, the water board said. ' +
        'Engineers replaced the four steel gates and strengthened the concrete walls, which had cracked during the floods of 2024. ' +
        'Traffic over the dam road resumes on Wednesday; cyclists may use it from today.',
    });
  });

  it('navigation, sidebar, share buttons, comments and footer are left out; a relative link made absolute', () => {
    expect(run('cluttered')?.html).toBe(
      [
        '<p>The city council approved a budget of 412 million euros on Tuesday night, after a debate that lasted nine hours.</p>',
        '<p>Most of the extra money goes to schools and to the repair of bridges, the alderman for finance said in a <a href="https://news.example.org/statement.pdf">written statement</a>.</p>',
        '<p>The opposition voted against, saying the plan raises local taxes by four percent without a clear reason.</p>',
      ].join('\n'),
    );
  });

  it('lazy images become real: data-src, srcset and the <noscript> copy, each absolute, placeholders gone', () => {
    expect(run('lazy')?.html).toBe(
      [
        '<p>Three new container cranes arrived in the harbour on Friday on board a ship from Shanghai.</p>',
        '<figure><img src="https://news.example.org/img/cranes.jpg" alt="Cranes on the ship" /><figcaption>The cranes on the ship.</figcaption></figure>',
        '<p>Each crane is eighty metres tall and can lift two containers at once, the port authority said.</p>',
        '<figure><img src="https://news.example.org/img/quay-800.jpg" alt="The quay" /></figure>',
        '<p>The cranes start work in March, after tests on the new quay.</p>',
        '<figure><img src="https://cdn.example.net/img/ship.jpg" alt="The ship" /></figure>',
        '<p>The old cranes go to a harbour in Poland.</p>',
      ].join('\n'),
    );
  });

  it('scripts, onerror/onclick/style, javascript: links, iframes and forms removed; relative and protocol-relative links absolute; mailto kept', () => {
    const r = run('hostile');
    expect(r?.html).toBe(
      [
        '<p>The city museum reopens its east wing on Saturday, with <a href="https://news.example.org/2026/collection/paintings">the painting collection</a> back on display.</p>',
        '<p>Visitors can book tickets online or <a href="mailto:tickets@museum.example">write to the desk</a>.</p>',
        '<p>Entrance is free for children under twelve, the <a href="https://evil.example/x">director</a> said.</p>',
        '<img src="https://news.example.org/img/wing.jpg" alt="The east wing" />',
        '<p>The west wing stays closed until <a href="https://museum.example/news?id=3&amp;x=1">next year</a>.</p>',
      ].join('\n'),
    );
    expect(r?.html).not.toMatch(/script|onerror|onclick|javascript|iframe|form|style/i);
    expect(r?.text).toBe(
      'The city museum reopens its east wing on Saturday, with the painting collection back on display. ' +
        'Visitors can book tickets online or write to the desk. Entrance is free for children under twelve, the director said. ' +
        'The west wing stays closed until next year.',
    );
  });

  it('a paywall stub no longer than the teaser: null', () => {
    expect(run('paywall', 'The central bank raised its main interest rate by a quarter point on Thursday, to 3.5 percent.')).toBeNull();
  });

  it('a page without an article: null', () => {
    expect(extractFullText('<html><head><title>x</title></head><body></body></html>', BASE + 'empty')).toBeNull();
  });

  it('a selector picks the article root; one that matches nothing: null', () => {
    expect(extractFullText(page('cluttered'), BASE + 'cluttered', { selector: '.story-body p:last-child' })?.text).toBe(
      'The opposition voted against, saying the plan raises local taxes by four percent without a clear reason.',
    );
    expect(extractFullText(page('cluttered'), BASE + 'cluttered', { selector: '.no-such-thing' })).toBeNull();
  });

  it('the text has entities decoded and paragraphs apart', () => {
    const html = '<html><head><title>T</title></head><body><article><p>Tom &amp; Jerry &lt;3 kaas&nbsp;en&nbsp;wijn.</p><p>Tweede<br>regel.</p></article></body></html>';
    expect(extractFullText(html, BASE + 'entities')?.text).toBe('Tom & Jerry <3 kaas en wijn. Tweede regel.');
  });
});
