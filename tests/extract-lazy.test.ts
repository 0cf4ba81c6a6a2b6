/**
 * The HTML libraries load on first use: a daemon of plain-text sources never loads htmlparser2 or
 * cheerio, and free-line HTML never loads cheerio. A child process runs the built extract stage
 * (dist/, which `npm test` builds first) with a module hook that records every package an ESM
 * import resolves, and reads CommonJS loads from require.cache, so either way of loading counts.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { ROOT, runWatchingPackages } from './helpers/package-hook.js';

const EXTRACT = pathToFileURL(join(ROOT, 'dist', 'src', 'extract', 'index.js')).href;

const CHILD = `
const [extractUrl] = args;
const { extract } = await import(extractUrl);
const doc = (text, mediaType) => ({ sourceId: 's', url: 'https://wire.example/', mediaType, text, fetchedAt: new Date(0) });
const steps = {};
steps.imported = loaded();
steps.text = [extract(doc('Kop\\n\\nTekst.\\n', 'text/plain'), { format: 'auto' }), loaded()];
steps.html = [extract(doc('<p>Kop</p><p>Tekst.</p>', 'text/html'), { format: 'auto' }), loaded()];
steps.items = [extract(doc('<ul><li><h2>Kop</h2><p>Tekst.</p></li></ul>', 'text/html'), { format: 'auto', selectors: { item: 'li', headline: 'h2' } }), loaded()];
// The hook's own check: an ESM import of cheerio is recorded (the child runs in the repository).
await import('cheerio/slim');
steps.hookSeesImports = readFileSync(log, 'utf8').split('\\n').includes('cheerio');
process.stdout.write(JSON.stringify(steps));
`;

test('plain text loads neither HTML library, free-line HTML only htmlparser2, selectors cheerio', async () => {
  expect(await runWatchingPackages(CHILD, ['htmlparser2', 'cheerio'], [EXTRACT])).toEqual({
    imported: [],
    text: [{ kind: 'lines', lines: ['Kop', 'Tekst.'] }, []],
    html: [{ kind: 'lines', lines: ['Kop', 'Tekst.'] }, ['htmlparser2']],
    items: [
      { kind: 'items', items: [{ headline: 'Kop', body: ['Tekst.'], ageText: null, link: null, datetime: null }] },
      ['htmlparser2', 'cheerio'],
    ],
    hookSeesImports: true,
  });
});
