/** A source on disk: read a whole file, with the same size cap as HTTP bodies. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { FetchError } from './errors.js';

/**
 * Only a regular file is read. O_NONBLOCK: opening a FIFO for reading otherwise blocks a libuv
 * worker thread until a writer comes, and four of them stopped all file I/O and shutdown.
 * O_NOFOLLOW (when `followSymlinks` is false, for spool entries): a symlink planted in a spool
 * must not expose a file it points at. The type is checked on the open descriptor (fstat), so
 * the file cannot be swapped between the check and the read.
 */
export async function readCapped(path: string, url: string, maxBytes: number, opts: { followSymlinks: boolean }): Promise<Uint8Array> {
  const target = { verb: 'READ' as const, url };
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (opts.followSymlinks ? 0 : constants.O_NOFOLLOW);
  let handle;
  try {
    handle = await open(path, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' && !opts.followSymlinks) throw new FetchError('E_NOT_REGULAR', target, 'a symlink, not followed', { cause: err });
    throw new FetchError('E_FILE', target, `cannot open (${code ?? 'error'})`, { cause: err });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FetchError('E_NOT_REGULAR', target, 'not a regular file');
    const { size } = stats;
    if (size > maxBytes) throw new FetchError('E_TOO_LARGE', target, `file larger than ${maxBytes} bytes (${size})`);
    // Read one byte past the cap: the file may grow between stat and read.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, size + 64 * 1024));
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) throw new FetchError('E_TOO_LARGE', target, `file larger than ${maxBytes} bytes`);
      if (filled === buf.length) break;
    }
    return buf.subarray(0, filled);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError('E_FILE', target, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  } finally {
    await handle.close();
  }
}
