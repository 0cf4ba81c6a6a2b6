import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];
const pending: (() => unknown)[] = [];

/**
 * Run `fn` after the current test: servers, daemons and sockets a test started, in the reverse
 * order of their registration, and before the test's temp directories are removed.
 */
export function afterThisTest(fn: () => unknown): void {
  pending.push(fn);
}

/** A fresh temp directory, removed after the test. */
export async function tempDir(prefix = 'wirefeed-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const fn of pending.splice(0).reverse()) await fn();
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});
