/**
 * `wirefeed run --recover`: a database that does not open or fails SQLite's quick check, and a
 * JSON state of an earlier wirefeed that cannot be imported, are moved aside as
 * `<name>.corrupt-<timestamp>` so that the daemon starts empty. Nothing is deleted.
 */
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WirefeedError } from '../errors.js';
import { exists, JSON_META, readJsonState } from './json-import.js';
import { DB_FILE } from './sqlite-file.js';

/** SQLite's codes for a file that is not a (sound) database. */
const BROKEN = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

function sound(file: string): boolean {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    return db.pragma('quick_check', { simple: true }) === 'ok';
  } catch (err) {
    // Anything else (permissions, a busy lock) is no reason to move the database aside.
    if (BROKEN.has((err as { code?: string }).code ?? '')) return false;
    throw err;
  } finally {
    db?.close();
  }
}

/** Returns the paths the broken files were moved to. */
export async function recoverState(dir: string, now: Date): Promise<string[]> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const moved: string[] = [];
  const aside = async (path: string): Promise<void> => {
    if (!(await exists(path))) return;
    await rename(path, `${path}.corrupt-${stamp}`);
    moved.push(`${path}.corrupt-${stamp}`);
  };
  const file = join(dir, DB_FILE);
  if (await exists(file)) {
    if (!sound(file)) for (const suffix of ['', '-wal', '-shm']) await aside(`${file}${suffix}`);
    return moved;
  }
  if (!(await exists(join(dir, JSON_META)))) return moved;
  try {
    await readJsonState(dir);
  } catch (err) {
    if (!(err instanceof WirefeedError && err.code === 'E_CORRUPT')) throw err;
    for (const name of await readdir(dir)) if (name === 'stories' || name === 'bodies' || name.startsWith(JSON_META)) await aside(join(dir, name));
  }
  return moved;
}
