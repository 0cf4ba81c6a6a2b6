/** A source on disk: read a whole file, with the same size cap as HTTP bodies. */
import { open } from 'node:fs/promises';
import { FetchError } from './errors.js';

export async function readCapped(path: string, url: string, maxBytes: number): Promise<Uint8Array> {
  const target = { verb: 'READ' as const, url };
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new FetchError('E_FILE', target, `cannot open (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  try {
    const { size } = await handle.stat();
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
