/**
 * The first start on a state directory of an earlier wirefeed (JSON files, state versions 1–4)
 * imports it into SQLite once, in one transaction, and moves the old files into
 * `json-backup-<timestamp>/`. The database is built as `wirefeed.db.importing` and renamed when
 * complete, so a crash midway leaves the JSON state as it was and the import runs again.
 *
 *   1  wirefeed.json: { version?: 1, sources, stories: StoredStory[] }
 *   2  wirefeed.json: { version: 2, sources }; stories/<home>.json: { stories: StoredStory[] }
 *   3  as 2, stories without bodies; bodies/<home>.json: { bodies: { <id>: paragraphs } }
 *   4  as 3, stories/<home>.json: { strings, stories: rows } (the columns below); wirefeed.json
 *      may hold origins: { <story id>: <source id> }
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WirefeedError } from '../errors.js';
import type { Lang, SourceState, StoredStory } from '../model.js';

export const JSON_META = 'wirefeed.json';

export interface JsonState {
  stories: StoredStory[];
  sources: Record<string, SourceState>;
  origins: Record<string, string>;
}

type Raw = Record<string, unknown>;

function corrupt(file: string, why: string, cause?: unknown): WirefeedError {
  return new WirefeedError('store', 'E_CORRUPT', `state file ${file} cannot be imported: ${why}; see wirefeed run --recover`, { cause });
}

async function readJson(file: string): Promise<Raw | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new WirefeedError('store', 'E_READ', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, 'not JSON', err);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw corrupt(file, 'not a JSON object');
  return data as Raw;
}

/** A version-1..3 story as written (version 3 and later without its body). */
function withDefaults(s: Omit<StoredStory, 'body' | 'author' | 'image'> & { body?: string[] }, body: string[] | undefined): StoredStory {
  return { ...s, body: body ?? s.body ?? [], author: null, image: null };
}

/** Columns of a version-4 row: StoredStory's fields without body, author and image. */
function fromRow(row: unknown[], strings: readonly string[], file: string): Omit<StoredStory, 'body' | 'author' | 'image'> {
  const str = (v: unknown): string => {
    const s = typeof v === 'number' ? strings[v] : undefined;
    if (s === undefined) throw corrupt(file, `row ${String(row[0])}: no string at ${String(v)}`);
    return s;
  };
  const orNull = (v: unknown): string | null => (v === -1 ? null : str(v));
  if (row.length !== 17 || typeof row[0] !== 'string') throw corrupt(file, `a row of ${row.length} columns`);
  const id = row[0];
  return {
    id,
    keys: row[1] === 0 ? [id] : (row[1] as string[]),
    leadKey: row[2] as string | null,
    sources: Array.isArray(row[3]) ? row[3].map(str) : [str(row[3])],
    headline: row[4] as string,
    headlineDerived: row[5] === 1,
    place: orNull(row[6]),
    agencies: (row[7] as unknown[]).map(str),
    section: orNull(row[8]),
    bodyHash: row[9] as string,
    link: row[10] as string | null,
    lang: str(row[11]) as Lang,
    firstSeen: str(row[12]),
    lastSeen: str(row[13]),
    publishedEarliest: orNull(row[14]),
    publishedLatest: str(row[15]),
    updated: str(row[16]),
  };
}

async function listJson(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The JSON state in `dir`, any version 1–4; null when there is none. */
export async function readJsonState(dir: string): Promise<JsonState | null> {
  const metaFile = join(dir, JSON_META);
  const meta = await readJson(metaFile);
  if (meta === null) return null;
  const version = meta['version'] ?? 1;
  if (typeof version !== 'number' || version < 1 || version > 4) throw corrupt(metaFile, `state version ${String(version)} is not one of 1–4`);
  const sources = (meta['sources'] ?? {}) as Record<string, SourceState>;
  const origins = (meta['origins'] ?? {}) as Record<string, string>;
  if (version === 1) {
    const stories = Array.isArray(meta['stories']) ? (meta['stories'] as StoredStory[]) : [];
    return { stories: stories.map((s) => withDefaults(s, undefined)), sources, origins };
  }
  const stories: StoredStory[] = [];
  for (const name of await listJson(join(dir, 'stories'))) {
    const file = join(dir, 'stories', name);
    const data = await readJson(file);
    if (data === null) continue;
    const bodies = ((await readJson(join(dir, 'bodies', name)))?.['bodies'] ?? {}) as Record<string, string[]>;
    const list = data['stories'];
    if (!Array.isArray(list)) throw corrupt(file, 'no stories');
    // A story file's own version: a migration cut short leaves files of two versions.
    if (data['version'] === 4) {
      const strings = data['strings'];
      if (!Array.isArray(strings)) throw corrupt(file, 'no string table');
      for (const row of list as unknown[][]) {
        const s = fromRow(row, strings as string[], file);
        stories.push(withDefaults(s, bodies[s.id]));
      }
    } else {
      for (const s of list as StoredStory[]) stories.push(withDefaults(s, bodies[s.id]));
    }
  }
  return { stories, sources, origins };
}

function stampOf(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Move the JSON state's files (meta, backups, story and body files) into `json-backup-<stamp>/`; returns that directory. */
export async function moveJsonAside(dir: string, now: Date): Promise<string> {
  const backup = join(dir, `json-backup-${stampOf(now)}`);
  await mkdir(backup, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir)) {
    if (name === 'stories' || name === 'bodies' || name.startsWith(JSON_META)) await rename(join(dir, name), join(backup, name));
  }
  return backup;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Remove what an import cut short left (its database and journal files). */
export async function removeImporting(file: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${file}${suffix}`, { force: true });
}
