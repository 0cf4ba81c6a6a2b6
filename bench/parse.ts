/**
 * Figures 1 and 2: wire text → stories (textToLines + parseWire + resolveStories), and an HTML
 * news page → lines → stories (htmlToLines + parseWire + resolveStories), in MB/s of input.
 * `parse-stage` is figure 1 without the ages stage (textToLines + parseWire), to tell the two apart.
 */
import { resolveStories } from '../src/ages/index.js';
import { htmlToLines } from '../src/extract/index.js';
import { textToLines } from '../src/extract/text.js';
import { parseWire } from '../src/parse/index.js';
import { atLeast, fixture, median, type Figure } from './lib.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const PLACES = ['WASHINGTON', 'TEL AVIV', 'SEOUL', 'TOKIO', 'SAO PAULO', 'GELIDA', 'BERLIJN', 'KYIV'];

/** The page once more, told apart: its headline numbered, its datelines moved to other places. */
function variant(page: string, i: number): string {
  const [first, ...rest] = page.split('\n');
  const moved = rest.join('\n').replace(/\b(WASHINGTON|TEL AVIV|SEOUL|TOKIO|SAO PAULO|GELIDA) \(/g, (_m, place: string) => {
    const k = (PLACES.indexOf(place) + i) % PLACES.length;
    return `${PLACES[k]} (`;
  });
  return `${first} (${i})\n${moved}\n`;
}

/** Copies of `page` until the text holds at least `bytes` UTF-8 bytes. */
export function repeatTo(page: string, bytes: number, make: (page: string, i: number) => string): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const p = make(page, i);
    parts.push(p);
    size += Buffer.byteLength(p);
  }
  return parts.join('');
}

function mbPerSecond(bytes: number, run: () => number, runs: number): { mbs: number; stories: number } {
  let stories = run(); // warm-up, twice: JIT tiers and lazy regexes (the first run is 3× slower)
  stories = run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    stories = run();
    times.push(performance.now() - t0);
  }
  return { mbs: bytes / 1e6 / (median(times) / 1000), stories };
}

export async function parseFigures(): Promise<Figure[]> {
  const text = repeatTo(await fixture('parse/nl-buitenland.txt'), 5.2e6, variant);
  const textBytes = Buffer.byteLength(text);
  const wire = mbPerSecond(textBytes, () => {
    const parsed = parseWire(textToLines(text), { lang: 'nl' });
    return resolveStories(parsed.stories, { now: NOW, timeZone: 'Europe/Amsterdam', lang: parsed.lang }).stories.length;
  }, 5);
  const stage = mbPerSecond(textBytes, () => parseWire(textToLines(text), { lang: 'nl' }).stories.length, 5);

  // A 1 MB page: the fixture's <main> repeated (its list items numbered) inside one document.
  const html = await fixture('extract/nl-buitenland.html');
  const open = html.indexOf('<main');
  const close = html.indexOf('</main>') + '</main>'.length;
  const main = html.slice(open, close);
  const body = repeatTo(main, 1.05e6 - html.length, (m, i) => m.replace(/(<h1>[^<]*)/, `$1 (${i})`).replace(/\/(\d{4})\//g, `/$1${i}/`));
  const page = html.slice(0, open) + body + html.slice(close);
  const pageBytes = Buffer.byteLength(page);
  const htmlRun = mbPerSecond(pageBytes, () => {
    const parsed = parseWire(htmlToLines(page), { lang: 'nl' });
    return resolveStories(parsed.stories, { now: NOW, timeZone: 'Europe/Amsterdam', lang: parsed.lang }).stories.length;
  }, 5);

  return [
    { name: 'parse', value: wire.mbs, unit: 'MB/s', target: atLeast(50), note: `${(textBytes / 1e6).toFixed(1)} MB, ${wire.stories} stories` },
    { name: 'parse-stage', value: stage.mbs, unit: 'MB/s', target: null, note: 'textToLines + parseWire, no ages' },
    { name: 'html-parse', value: htmlRun.mbs, unit: 'MB/s', target: atLeast(10), note: `${(pageBytes / 1e6).toFixed(2)} MB page, ${htmlRun.stories} stories` },
  ];
}
