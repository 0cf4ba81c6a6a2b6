/**
 * bin/wirefeed.js runs the bundle in dist/bundle (rolldown.config.mjs), not the module tree in
 * dist/src: what ships must read its own package.json and answer like the sources do.
 * `npm test` builds first.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { runCli } from '../src/cli/index.js';
import type { Io } from '../src/cli/io.js';
import { runParse } from './helpers/expected.js';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);

async function version(): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

test('the shipped launcher runs the bundle, which finds package.json for --version', async () => {
  const launcher = await readFile(join(ROOT, 'bin/wirefeed.js'), 'utf8');
  expect(launcher).toContain("'../dist/bundle/wirefeed.js'");
  const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/wirefeed.js'), '--version']);
  expect([stdout, stderr]).toEqual([`wirefeed ${await version()}\n`, '']);
});

test('the bundle prints exactly what the sources print: parse of the nl fixture', async () => {
  const args = ['parse', join(ROOT, 'tests/fixtures/parse/nl-buitenland.txt'), '--now', '2026-11-28T12:00:00Z', '--tz', 'Europe/Amsterdam', '--format', 'json'];
  const shipped = await run(process.execPath, [join(ROOT, 'bin/wirefeed.js'), ...args]);
  const sources = await runParse(args.slice(1));
  expect(sources.code).toBe(0);
  expect(shipped.stdout).toBe(sources.stdout);
  expect((JSON.parse(shipped.stdout) as { stories: unknown[] }).stories).toHaveLength(8);
});

test('from the sources (tests), --version reads the same package.json', async () => {
  const out: string[] = [];
  const io: Io = { stdout: (s) => void out.push(s), stderr: (s) => void out.push(s), stdin: async () => new Uint8Array(), env: {}, now: () => new Date(0) };
  expect(await runCli(['--version'], io)).toBe(0);
  expect(out).toEqual([`wirefeed ${await version()}\n`]);
});
