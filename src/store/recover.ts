/**
 * `wirefeed run --recover`: every state file that does not load is moved aside as
 * `<name>.corrupt-<timestamp>` so the daemon starts with that part empty. Nothing is deleted.
 */
import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { BodyShards } from './bodies.js';
import { STATE_VERSION } from './migrate.js';
import { decodeStoryFile, RowError, Sharing } from './story-file.js';

/** True when the text loads: it parses, has a version this wirefeed reads, and (a story file) its rows decode. */
function loads(text: string, storyFile: boolean): boolean {
  let data: { version?: unknown };
  try {
    data = JSON.parse(text) as { version?: unknown };
  } catch (err) {
    return !(err instanceof SyntaxError);
  }
  if (typeof data !== 'object' || data === null || typeof data.version !== 'number' || data.version > STATE_VERSION) return false;
  // Older story files are checked by their migration; a current one must decode as openStore does.
  if (!storyFile || data.version !== STATE_VERSION) return true;
  try {
    // Nothing is read through these bodies: decoding only checks the file.
    decodeStoryFile(data, new BodyShards('', STATE_VERSION, () => false), new Sharing());
    return true;
  } catch (err) {
    // A file or row that does not decode: openStore would refuse the file. Anything else is a
    // bug of the reader, not a reason to move the file aside.
    if (err instanceof RowError) return false;
    throw err;
  }
}

/** Returns the paths the broken files were moved to. */
export async function recoverState(dir: string, now: Date): Promise<string[]> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const candidates = [{ file: join(dir, 'wirefeed.json'), storyFile: false }];
  // Story files, and body files (a broken one leaves its stories without bodies, not the daemon down).
  for (const sub of ['stories', 'bodies']) {
    const names = await readdir(join(dir, sub)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    for (const name of names) if (name.endsWith('.json')) candidates.push({ file: join(dir, sub, name), storyFile: sub === 'stories' });
  }
  const moved: string[] = [];
  for (const { file, storyFile } of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (loads(text, storyFile)) continue;
    const aside = `${file}.corrupt-${stamp}`;
    await rename(file, aside);
    moved.push(aside);
  }
  return moved;
}
