/**
 * What a daemon on SQLite with UTF-8 sources never loads: node-postgres (whose Cloudflare check
 * builds a fetch Response and so loads Node's own undici) and iconv-lite (a quarter of the
 * bundle). A child process runs the built fetch and store stages (dist/, which `npm test` builds
 * first) with a module hook that records every package an ESM import resolves, and reads
 * CommonJS loads from require.cache, as tests/extract-lazy.test.ts does.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { ROOT, runWatchingPackages } from './helpers/package-hook.js';
import { tempDir } from './helpers/tmp.js';

const FETCH = pathToFileURL(join(ROOT, 'dist', 'src', 'fetch', 'index.js')).href;
const STORE = pathToFileURL(join(ROOT, 'dist', 'src', 'store', 'index.js')).href;

const CHILD = `
const [fetchUrl, storeUrl, stateDir] = args;
const { decodeBody } = await import(fetchUrl);
const { openStore } = await import(storeUrl);
const steps = {};
steps.imported = loaded();
steps.utf8 = [decodeBody(Buffer.from('Kop \\u00e9\\n'), 'text/plain; charset=utf-8').text, loaded()];
const store = await openStore(stateDir);
await store.close();
steps.sqlite = loaded();
steps.legacy = [decodeBody(Buffer.from([0x4b, 0x6f, 0x70, 0x20, 0x80]), 'text/plain; charset=windows-1252').text, loaded()];
// The hook's own check: an ESM import of pg is recorded (the child runs in the repository).
await import('pg');
steps.hookSeesImports = loaded().includes('pg');
process.stdout.write(JSON.stringify(steps));
`;

test('a SQLite state and UTF-8 pages load neither node-postgres nor iconv-lite; a legacy charset loads iconv-lite', async () => {
  const dir = await tempDir();
  expect(await runWatchingPackages(CHILD, ['pg', 'iconv-lite'], [FETCH, STORE, join(dir, 'state')])).toEqual({
    imported: [],
    utf8: ['Kop \u00e9\n', []],
    sqlite: [],
    legacy: ['Kop \u20ac', ['iconv-lite']],
    hookSeesImports: true,
  });
});
