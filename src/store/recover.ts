/**
 * `wirefeed run --recover`: every state file that does not load is moved aside as
 * `<name>.corrupt-<timestamp>` so the daemon starts with that part empty. Nothing is deleted.
 */
import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_VERSION } from './migrate.js';

function loads(text: string): boolean {
  try {
    const data = JSON.parse(text) as { version?: unknown };
    return typeof data === 'object' && data !== null && typeof data.version === 'number' && data.version <= STATE_VERSION;
  } catch (err) {
    return !(err instanceof SyntaxError);
  }
}

/** Returns the paths the broken files were moved to. */
export async function recoverState(dir: string, now: Date): Promise<string[]> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const candidates = [join(dir, 'wirefeed.json')];
  // Story files, and body files (a broken one leaves its stories without bodies, not the daemon down).
  for (const sub of ['stories', 'bodies']) {
    const names = await readdir(join(dir, sub)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    for (const name of names) if (name.endsWith('.json')) candidates.push(join(dir, sub, name));
  }
  const moved: string[] = [];
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (loads(text)) continue;
    const aside = `${file}.corrupt-${stamp}`;
    await rename(file, aside);
    moved.push(aside);
  }
  return moved;
}
