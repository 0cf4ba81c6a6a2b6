/**
 * A module hook for a child process that records each node_modules package an ESM import
 * resolves (its name, one a line) in the file passed as its `data`: which libraries a stage
 * loads (tests/extract-lazy.test.ts, tests/start-lazy.test.ts). Passed to `register()` as this URL.
 */
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

export const PACKAGE_HOOK_URL = `data:text/javascript,${encodeURIComponent(HOOK)}`;
