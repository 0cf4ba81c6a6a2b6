/**
 * Durable file writes: a temp file beside the target, fsync, rename over the target, fsync the
 * directory. A crash at any moment leaves either the old file or the new one, never a mix.
 * lowdb's own JSONFile adapter renames but never fsyncs, so a power cut can leave an empty file.
 */
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { WirefeedError } from '../errors.js';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined); // the write already failed; report that one
    throw new WirefeedError('store', 'E_WRITE', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
  await syncDir(dirname(file));
}

/** Name of the temp file writeFileAtomic uses (`.<name>.<pid>.tmp`). */
const TEMP_NAME = /^\..+\.\d+\.tmp$/;

/**
 * Remove the temp files of writes that never reached their rename: a process killed mid-write
 * leaves one per file it was writing, and each pid makes a new name, so they would pile up.
 * Only the holder of the state lock may call this (no other writer can be mid-write).
 */
export async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) if (TEMP_NAME.test(name)) await rm(join(dir, name), { force: true });
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable. Some file systems refuse fsync on a directory (EINVAL,
  // EISDIR): the data is already synced there, so that refusal is not an error worth raising.
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    await fh.close();
  }
}

/** Thrown when a state file exists but does not parse: the caller must not overwrite it. */
export class CorruptStateError extends WirefeedError {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super(
      'store',
      'E_CORRUPT',
      `state file ${file} is corrupt (${(cause as Error).message}); refusing to start so nothing is overwritten. ` +
        'Recover with `wirefeed run --recover`: it moves the broken file aside (timestamped) and starts that part of the state empty, or restores its last backup.',
      { cause },
    );
    this.file = file;
  }
}

/** A lowdb adapter over one JSON file with durable writes and no silent reset on corruption. */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    readonly file: string,
    private readonly space: number | undefined = undefined,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new WirefeedError('store', 'E_READ', `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CorruptStateError(this.file, err);
    }
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data, null, this.space));
  }
}
