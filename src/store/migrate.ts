/**
 * State file versions and the migrations between them. Each migration reads the old layout and
 * writes the next one; the original meta file is copied beside itself first
 * (`wirefeed.json.v<N>.bak`), and a crash midway leaves the old version in place, so the
 * migration simply runs again on the next start.
 *
 *   1  one file, wirefeed.json: { version?: 1, sources: {…}, stories: StoredStory[] }
 *   2  wirefeed.json holds { version: 2, sources }; stories/<source>.json holds each source's stories
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WirefeedError } from '../errors.js';
import type { SourceState, StoredStory } from '../model.js';
import { CorruptStateError, writeFileAtomic } from './atomic.js';

export const STATE_VERSION = 2;

type Raw = Record<string, unknown>;

/** Migration from version N to N+1: writes whatever new files it needs, returns the new meta. */
type Migration = (dir: string, data: Raw) => Promise<Raw>;

const MIGRATIONS: Record<number, Migration> = {
  1: async (dir, data) => {
    const stories = Array.isArray(data['stories']) ? (data['stories'] as StoredStory[]) : [];
    const byHome = new Map<string, StoredStory[]>();
    for (const story of stories) {
      const home = story.sources[0];
      if (home === undefined) continue;
      const list = byHome.get(home);
      if (list === undefined) byHome.set(home, [story]);
      else list.push(story);
    }
    await mkdir(join(dir, 'stories'), { recursive: true });
    for (const [home, list] of byHome) {
      await writeFileAtomic(join(dir, 'stories', `${home}.json`), JSON.stringify({ version: 2, stories: list }));
    }
    return { version: 2, sources: (data['sources'] ?? {}) as Record<string, SourceState> };
  },
};

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Bring the state in `dir` to STATE_VERSION. A newer version is left for the caller to refuse. */
export async function migrateState(
  dir: string,
  onMigrate?: (file: string, from: number, backup: string) => void,
): Promise<void> {
  const file = join(dir, 'wirefeed.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new WirefeedError('store', 'E_READ', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: Raw;
  try {
    data = JSON.parse(text) as Raw;
  } catch (err) {
    throw new CorruptStateError(file, err);
  }
  // Version 1 files were written before the field existed.
  let version = data['version'] === undefined ? 1 : data['version'];
  if (typeof version !== 'number' || version >= STATE_VERSION) return;
  const from = version;
  let backup = `${file}.v${from}.bak`;
  for (let n = 1; await exists(backup); n++) backup = `${file}.v${from}.${n}.bak`;
  await copyFile(file, backup);
  while (version < STATE_VERSION) {
    const step = MIGRATIONS[version];
    if (step === undefined) {
      throw new WirefeedError('store', 'E_STATE_VERSION', `no migration from state version ${version} (${file})`);
    }
    data = await step(dir, data);
    version += 1;
  }
  await writeFileAtomic(file, JSON.stringify(data));
  onMigrate?.(file, from, backup);
}
