/**
 * Durable file writes: a temp file beside the target, fsync, rename over the target, fsync the
 * directory. A crash at any moment leaves either the old file or the new one, never a mix.
 * lowdb's own JSONFile adapter renames but never fsyncs, so a power cut can leave an empty file.
 */
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { WirefeedError } from '../errors.js';

export async function writeFileAtomic(file: string, content: FileContent): Promise<void> {
  const tmp = tempName(file);
  try {
    await writeSynced(tmp, content);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined); // the write already failed; report that one
    throw new WirefeedError('store', 'E_WRITE', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
  await syncDir(dirname(file));
}

/** What a file holds: text (written as UTF-8), bytes, or the chunks of its bytes in order. */
export type FileContent = string | Uint8Array | readonly Uint8Array[];

/** One file of a batch: its content is made only when its turn comes, so no stall builds them all at once. */
export interface FileJob {
  file: string;
  content(): FileContent;
}

/** Temp files written and synced at once; more gains little on one disk and holds more text in memory. */
const WRITE_CONCURRENCY = 8;

/**
 * Write several files atomically: every temp file is written and fsynced (several at a time),
 * and renamed over its target IN THE ORDER GIVEN, each as soon as it and every file before it
 * are synced (the renames overlap the writes still running); then each directory is fsynced
 * once. A crash or a failure leaves the files before some point new and the rest old, never a
 * mix inside a file: callers that list files in the order their data was made keep "earlier
 * complete". On failure no temp file is left and the error names the first file that failed.
 */
export async function writeFilesAtomic(jobs: readonly FileJob[]): Promise<void> {
  const temps = jobs.map((j) => tempName(j.file));
  const synced: boolean[] = jobs.map(() => false);
  let next = 0;
  let renamed = 0;
  let failure = null as { file: string; err: unknown } | null;
  let renaming = null as Promise<void> | null;
  // Rename the synced files that follow the renamed ones, one at a time, in order.
  const renameReady = async (): Promise<void> => {
    while (failure === null && renamed < jobs.length && synced[renamed]) {
      try {
        await rename(temps[renamed]!, jobs[renamed]!.file);
      } catch (err) {
        failure ??= { file: jobs[renamed]!.file, err };
        return;
      }
      renamed++;
    }
  };
  // One renaming loop at a time; a file synced while the loop was finishing starts another.
  const kick = (): void => {
    if (renaming !== null) return;
    renaming = renameReady().finally(() => {
      renaming = null;
      if (failure === null && renamed < jobs.length && synced[renamed]) kick();
    });
  };
  const worker = async (): Promise<void> => {
    while (failure === null && next < jobs.length) {
      const i = next++;
      // Yield first: writes that finished together must not run their serialisations back to back.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await writeSynced(temps[i]!, jobs[i]!.content());
      } catch (err) {
        failure ??= { file: jobs[i]!.file, err };
        return;
      }
      synced[i] = true;
      kick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, jobs.length) }, worker));
  while (renaming !== null) await renaming;
  if (failure !== null) {
    const { file, err } = failure;
    // The write already failed; report that one rather than a cleanup error.
    for (const tmp of temps.slice(renamed)) await rm(tmp, { force: true }).catch(() => undefined);
    throw new WirefeedError('store', 'E_WRITE', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
  for (const dir of new Set(jobs.map((j) => dirname(j.file)))) await syncDir(dir);
}

function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

async function writeSynced(tmp: string, content: FileContent): Promise<void> {
  const fh = await open(tmp, 'w', 0o600);
  try {
    if (Array.isArray(content)) {
      const chunks = content as Uint8Array[];
      const { bytesWritten } = await fh.writev(chunks);
      // libuv goes on after a partial write; a short count here is a disk that took no more.
      const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
      if (bytesWritten !== total) throw new Error(`wrote ${bytesWritten} of ${total} bytes`);
    } else await fh.writeFile(content as string | Uint8Array);
    await fh.sync();
  } finally {
    await fh.close();
  }
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
