/**
 * One process per state directory. The lock file holds the owner's pid; a lock whose pid is
 * no longer alive is stale and taken over (a crash must not need manual cleanup).
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WirefeedError } from '../errors.js';

export const LOCK_FILE = 'wirefeed.lock';

export interface StateLock {
  readonly file: string;
  release(): Promise<void>;
}

/** True when a process with this pid exists (ours or anyone's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else: still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(dir: string, pid = process.pid): Promise<StateLock> {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(`${pid}\n`);
      await fh.close();
      return {
        file,
        release: async () => {
          await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WirefeedError('store', 'E_LOCK', `cannot create lock ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== pid && processAlive(owner)) {
      throw new WirefeedError(
        'store',
        'E_LOCKED',
        `state directory ${dir} is in use by another wirefeed process (pid ${owner}, lock ${file}); stop it first`,
      );
    }
    // Stale (dead owner, our own pid from a previous life, or unreadable): remove and retry.
    await rm(file, { force: true });
  }
  throw new WirefeedError('store', 'E_LOCK', `cannot take lock ${file}: it keeps reappearing`);
}
