/**
 * Issue 19.4: a spool directory is a place others write to. Only its regular files are read: a
 * symlink to a private file must not end up in a public feed, and FIFOs must not block the
 * threads that every later read (and shutdown) needs. Everything else is skipped, one warning
 * per entry.
 */
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, lutimes, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchSource, FetchError } from '../src/fetch/index.js';
import { startDaemon, waitFor } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { storiesOf } from './helpers/state.js';

const FIX = join(import.meta.dirname, 'fixtures');
const SECRET_HEADLINE = 'Geheim bericht dat nooit in een feed mag staan';

/** A private wire page: a 0600 file in a 0700 directory. */
async function secretFile(dir: string): Promise<string> {
  const secret = join(dir, 'secret');
  await mkdir(secret);
  const file = join(secret, 'wire.txt');
  await writeFile(file, `${SECRET_HEADLINE}\nDEN HAAG (ANP) - Dit bericht staat in een bestand dat alleen de eigenaar mag lezen.\n`);
  await chmod(file, 0o600);
  await chmod(secret, 0o700);
  return file;
}

/** A unix socket bound in `path`, held until the test ends. */
async function socketAt(path: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  afterThisTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

function skipLines(lines: string[]): string[] {
  return lines.filter((l) => l.includes('spool: skipped')).map((l) => l.slice(25));
}

describe('a hostile spool directory', () => {
  it('skips FIFOs, symlinks and sockets with one warning each, still ingests new files, and stops', async () => {
    const dir = await tempDir();
    const spool = join(dir, 'spool');
    await mkdir(spool);
    const secret = await secretFile(dir);
    // More FIFOs than libuv has worker threads (4): one blocked open each would stall all file I/O.
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']) execFileSync('mkfifo', [join(spool, `fifo-${name}`)]);
    await symlink(secret, join(spool, 'leak.txt'));
    await socketAt(join(spool, 'sock.txt'));

    const d = await startDaemon(dir, 'state: { dir: ./state }\nsources:\n  - { id: spool, title: Spool, dir: spool, lang: nl }\n');
    let stopped = false;
    afterThisTest(() => (stopped ? undefined : d.app.stop(1000)));
    await d.app.settled;

    // Planted while the daemon runs: arrives as an event, not in the first listing.
    execFileSync('mkfifo', [join(spool, 'fifo-late.txt')]);
    await symlink(secret, join(spool, 'leak-late.html'));
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(spool, '0001.txt'));
    await waitFor('the regular file to be ingested', async () => (await d.app.store.countOf('spool')) === 8);
    await waitFor('every planted entry to be seen', () => skipLines(d.lines).length === 9);

    // Touched again: no second warning, still not read.
    const later = new Date('2030-01-01T00:00:00Z');
    for (const name of ['fifo-a.txt', 'fifo-late.txt', 'sock.txt']) await utimes(join(spool, name), later, later);
    for (const name of ['leak.txt', 'leak-late.html']) await lutimes(join(spool, name), later, later);
    await copyFile(join(FIX, 'daemon/nl-buitenland-t2.txt'), join(spool, '0002.txt'));
    await waitFor('the second regular file', async () => (await d.app.store.countOf('spool')) === 9);

    expect(skipLines(d.lines).sort()).toEqual([
      'warn  spool: skipped, not a regular file source=spool file=fifo-a.txt kind=fifo',
      'warn  spool: skipped, not a regular file source=spool file=fifo-b.txt kind=fifo',
      'warn  spool: skipped, not a regular file source=spool file=fifo-c.txt kind=fifo',
      'warn  spool: skipped, not a regular file source=spool file=fifo-d.txt kind=fifo',
      'warn  spool: skipped, not a regular file source=spool file=fifo-e.txt kind=fifo',
      'warn  spool: skipped, not a regular file source=spool file=fifo-late.txt kind=fifo',
      'warn  spool: skipped, not a regular file source=spool file=leak-late.html kind=symlink',
      'warn  spool: skipped, not a regular file source=spool file=leak.txt kind=symlink',
      'warn  spool: skipped, not a regular file source=spool file=sock.txt kind=socket',
    ]);
    expect((await storiesOf(d.app.store, 'spool')).some((s) => s.headline === SECRET_HEADLINE)).toBe(false);
    const feed = await (await fetch(`${d.app.url}/feeds/spool.atom`)).text();
    expect(feed).not.toContain('Geheim');
    // Only the two regular files were fetched, and nothing failed.
    expect(d.lines.filter((l) => l.includes(' fetch ')).map((l) => /fetch (\w+) .* file=\S+\/(\w+\.txt)/.exec(l)?.slice(1))).toEqual([
      ['ok', '0001.txt'],
      ['ok', '0002.txt'],
    ]);
    expect((await d.app.store.source('spool')).consecutiveFailures).toBe(0);

    await d.app.stop(1000);
    stopped = true;
  });

  it('refuses a symlink or FIFO at open time, should one be swapped in after the check', async () => {
    const dir = await tempDir();
    const secret = await secretFile(dir);
    await symlink(secret, join(dir, 'leak.txt'));
    execFileSync('mkfifo', [join(dir, 'fifo.txt')]);
    const ctx = { now: new Date(0), userAgent: 'test', http: {}, allowPrivateRedirects: false };
    const none = { etag: null, lastModified: null };
    const refused = async (path: string, spoolEntry: boolean): Promise<string> => {
      const err = await fetchSource({ id: 'spool', path, spoolEntry }, none, ctx).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FetchError);
      return `${(err as FetchError).code} ${(err as FetchError).message}`;
    };
    expect(await refused(join(dir, 'leak.txt'), true)).toBe(`E_NOT_REGULAR fetch: E_NOT_REGULAR: READ file://${dir}/leak.txt: a symlink, not followed`);
    expect(await refused(join(dir, 'fifo.txt'), true)).toBe(`E_NOT_REGULAR fetch: E_NOT_REGULAR: READ file://${dir}/fifo.txt: not a regular file`);
    // A watched file (path:) is the operator's choice: its symlink is followed; a FIFO is not read.
    expect(await refused(join(dir, 'fifo.txt'), false)).toBe(`E_NOT_REGULAR fetch: E_NOT_REGULAR: READ file://${dir}/fifo.txt: not a regular file`);
    const followed = await fetchSource({ id: 'file', path: join(dir, 'leak.txt') }, none, ctx);
    expect(followed.kind === 'document' && followed.document.text).toBe(await readFile(secret, 'utf8'));
  });
});
