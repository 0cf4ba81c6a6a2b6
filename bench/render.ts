/** Figure 4: ms to render a 500-entry feed as Atom and as RSS (renderFeed). */
import { entryUri } from '../src/identity/index.js';
import type { EntryView, FeedView } from '../src/model.js';
import { renderFeed } from '../src/render/index.js';
import { atMost, median, rng, syntheticBody, type Figure } from './lib.js';

export function syntheticView(n: number): FeedView {
  const r = rng(11);
  const t = Date.parse('2026-11-28T12:00:00Z');
  const entries: EntryView[] = Array.from({ length: n }, (_, i) => {
    const { agencies, body } = syntheticBody(r, `r${i}`, 600);
    const at = new Date(t - i * 600_000);
    return {
      id: entryUri(`k${i.toString(16).padStart(40, '0')}`),
      title: `Bericht ${i}: kabinet & oppositie <eens> over "begroting"`,
      link: `https://example.org/buitenland/${i}`,
      published: at,
      updated: at,
      author: agencies.join('/'),
      category: 'Buitenland',
      body,
      summary: body[0]!,
    };
  });
  return {
    id: 'bench',
    title: 'Bench',
    language: 'nl',
    alternateUrl: 'https://example.org/buitenland',
    baseUrl: 'http://127.0.0.1:8080',
    updated: new Date(t),
    hub: null,
    entries,
  };
}

export function renderFigures(): Figure[] {
  const view = syntheticView(500);
  // Warm both formats up before timing either: they share most code, and renders only settle
  // after about ten (the first format timed used to pay the rest of the warm-up).
  for (let i = 0; i < 10; i++) for (const format of ['atom', 'rss'] as const) renderFeed(view, format);
  return (['atom', 'rss'] as const).map((format) => {
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      renderFeed(view, format);
      times.push(performance.now() - t0);
    }
    const bytes = Buffer.byteLength(renderFeed(view, format));
    return { name: `render-${format}`, value: median(times), unit: 'ms', target: atMost(50), note: `500 entries, ${(bytes / 1e6).toFixed(2)} MB` };
  });
}
