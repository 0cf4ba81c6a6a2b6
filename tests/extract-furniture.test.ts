/**
 * Issue 15, shape 10: page furniture between items, where the DOM tells — ad slots, weather
 * widgets ("Full Forecast"), webmail prompts, long navigation lists outside <nav>, a headline
 * printed twice in a row — is dropped or collapsed before the grammar reads the lines.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extract, htmlToLines } from '../src/extract/index.js';
import { parseExtracted } from '../src/parse/index.js';

const NOW = new Date('2026-12-07T12:00:00Z');

describe('page furniture in HTML', () => {
  it('drops widgets, ad slots and tag lists, collapses a doubled headline; the stories keep their links', async () => {
    const html = await readFile(new URL('./fixtures/extract/en-furniture.html', import.meta.url), 'utf8');
    const extracted = extract({ sourceId: 't', url: 'https://www.tribune.example/world/', mediaType: 'text/html', text: html, fetchedAt: NOW }, { format: 'auto' });
    expect(extracted.kind === 'lines' && extracted.lines).toEqual([
      'Flooding closes schools across the valley',
      'SACRAMENTO, Calif. (AP) — Heavy rain swelled rivers across the valley on Monday, closing dozens of schools and several highways.',
      'Port strike ends after new contract deal',
      'LONG BEACH, Calif. (AP) — Dock workers returned to the terminals on Tuesday after union members approved a six-year contract.',
      // Two links of whole headlines are no navigation list.
      'Ferry service resumes after storm damage repairs',
      'Airport expansion wins final approval from regulators',
      'Wildfire near the coast is fully contained',
      'SANTA BARBARA, Calif. (AP) — Firefighters declared the blaze fully contained on Wednesday after ten days.',
    ]);
    const stories = parseExtracted(extracted, { lang: 'en' }).stories;
    expect(stories.map((s) => [s.headline, s.link])).toEqual([
      ['Flooding closes schools across the valley', 'https://www.tribune.example/world/flooding-closes-schools'],
      ['Port strike ends after new contract deal', 'https://www.tribune.example/world/port-strike-ends'],
      ['Wildfire near the coast is fully contained', 'https://www.tribune.example/world/wildfire-contained'],
    ]);
  });

  it('keeps a short list, a list of headlines, short labels printed twice, and does not read class names inside words', () => {
    const tags = (n: number): string => `<ul>${Array.from({ length: n }, (_, i) => `<li><a href="/t/${i}">Tag ${i}</a></li>`).join('')}</ul>`;
    const base = 'https://x.example/';
    const lines = (html: string): string[] => {
      const ex = extract({ sourceId: 't', url: base, mediaType: 'text/html', text: html, fetchedAt: NOW }, { format: 'html' });
      return ex.kind === 'lines' ? ex.lines : [];
    };
    expect(lines(tags(7))).toHaveLength(7);
    expect(lines(tags(8))).toEqual([]);
    expect(lines(`<ul>${Array.from({ length: 9 }, (_, i) => `<li><a href="/s/${i}">Story number ${i} in the list</a></li>`).join('')}</ul>`)).toHaveLength(9);
    expect(lines('<p>Video</p><p>Video</p><p>Drie woorden hier</p><p>Drie woorden hier</p>')).toEqual(['Video', 'Video', 'Drie woorden hier']);
    expect(lines('<div class="header-lead shadow">Kop</div><div class="category-weather">Storm</div><div class="c-ad">Weg</div>')).toEqual(['Kop', 'Storm']);
    // Without a page URL (selector bodies, htmlToLines) links are not read, and lists stay.
    expect(htmlToLines(tags(8))).toHaveLength(8);
  });
});
