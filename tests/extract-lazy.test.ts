/**
 * The HTML libraries load on first use: a daemon of plain-text sources never loads htmlparser2 or
 * cheerio, and free-line HTML never loads cheerio. A child process runs the built extract stage
 * (dist/, which `npm test` builds first) with a module hook that records every package an ESM
 * import resolves, and reads CommonJS loads from require.cache, so either way of loading counts.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { PACKAGE_HOOK_URL } from './helpers/package-hook.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const EXTRACT = pathToFileURL(join(ROOT, 'dist', 'src', 'extract', 'index.js')).href;

const CHILD = `
import { register, createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const [log, hook, extractUrl] = process.argv.slice(1);
register(hook, import.meta.url, { data: log });
const { extract } = await import(extractUrl);
const require = createRequire(import.meta.url);
const loaded = () => {
  const names = new Set(readFileSync(log, 'utf8').split('\\n').filter(Boolean));
  for (const f of Object.keys(require.cache)) {
    const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f);
    if (m) names.add(m[1]);
  }
  return ['htmlparser2', 'cheerio'].filter((n) => names.has(n));
};
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
  const dir = await tempDir();
  const log = join(dir, 'resolved.txt');
  await writeFile(log, '');
  const hook = PACKAGE_HOOK_URL;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD, log, hook, EXTRACT], { cwd: ROOT });
  expect(JSON.parse(stdout)).toEqual({
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
