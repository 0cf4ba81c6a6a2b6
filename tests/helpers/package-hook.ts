/**
 * Which libraries a stage loads (tests/extract-lazy.test.ts, tests/start-lazy.test.ts): a child
 * process runs a script with a module hook that records each node_modules package an ESM import
 * resolves, and reads CommonJS loads from require.cache, so either way of loading counts.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './tmp.js';

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..');

/** Records each resolved node_modules package (its name, one a line) in the file passed as `data`. */
const HOOK = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(file) { log = file; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) appendFileSync(log, m[1] + '\\n');
  return r;
}`;

/** What every script gets: `args`, `log` (the hook's file) and `loaded()`, the watched packages loaded so far. */
const PRELUDE = `
import { register, createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const [log, hook, watched, ...args] = process.argv.slice(1);
register(hook, import.meta.url, { data: log });
const require = createRequire(import.meta.url);
const loaded = () => {
  const names = new Set(readFileSync(log, 'utf8').split('\\n').filter(Boolean));
  for (const f of Object.keys(require.cache)) {
    const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f);
    if (m) names.add(m[1]);
  }
  return JSON.parse(watched).filter((n) => names.has(n));
};
`;

/** Run `script` (an ES module body that writes JSON to stdout) in the repository with the hook; its JSON. */
export async function runWatchingPackages(script: string, watched: readonly string[], args: readonly string[]): Promise<unknown> {
  const log = join(await tempDir(), 'resolved.txt');
  await writeFile(log, '');
  const hook = `data:text/javascript,${encodeURIComponent(HOOK)}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PRELUDE + script, log, hook, JSON.stringify(watched), ...args], { cwd: ROOT });
  return JSON.parse(stdout) as unknown;
}
