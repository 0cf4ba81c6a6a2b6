/**
 * State file versions and the migrations between them. Each migration reads the old layout and
 * writes the next one; the original meta file is copied beside itself first
 * (`wirefeed.json.v<N>.bak`), and a crash midway leaves the old version in place, so the
 * migration simply runs again on the next start.
 *
 *   1  one file, wirefeed.json: { version?: 1, sources: {…}, stories: StoredStory[] }
 *   2  wirefeed.json holds { version: 2, sources }; stories/<source>.json holds each source's stories
 *   3  as 2, but bodies move out of stories/<source>.json into bodies/<source>.json
 *      ({ version: 3, bodies: { <id>: paragraphs } }), so that bodies need not be held in memory
 *   4  as 3, but a story file holds rows without field names and a table of repeated strings
 *      ({ version: 4, strings, stories: rows }, see story-file.ts); body files keep their layout
 *      (a body file's version is that of the wirefeed that last wrote it)
 *
 * 2 → 3 and 3 → 4 rewrite every story file: each is first copied beside itself
 * (`stories/<source>.json.v<N>.bak`, when the state was at N on disk), then rewritten (2 → 3
 * writes its bodies first). A story file already at the next version (a migration that crashed
 * midway) is left as it is.
 */
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { WirefeedError } from '../errors.js';
import type { SourceState, StoredStory } from '../model.js';
import { CorruptStateError, writeFileAtomic } from './atomic.js';
import { encodeStoryFile, STORY_FILE_VERSION, type StoryMeta } from './story-file.js';

export const STATE_VERSION = STORY_FILE_VERSION;

type Raw = Record<string, unknown>;

/**
 * Migration from version N to N+1: writes whatever new files it needs, returns the new meta.
 * `from` is the version the state had on disk (files an earlier step just wrote need no backup).
 */
type Migration = (dir: string, data: Raw, from: number) => Promise<Raw>;

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
  2: async (dir, data, from) => {
    await mkdir(join(dir, 'bodies'), { recursive: true });
    await eachStoryFile(dir, 2, from, async (file, stories: StoredStory[]) => {
      const bodies: Record<string, string[]> = {};
      const metas = stories.map(({ body, ...meta }) => {
        bodies[meta.id] = body;
        return meta;
      });
      await writeFileAtomic(join(dir, 'bodies', basename(file)), JSON.stringify({ version: 3, bodies }));
      await writeFileAtomic(file, JSON.stringify({ version: 3, stories: metas }));
    });
    return { ...data, version: 3 };
  },
  3: async (dir, data, from) => {
    await eachStoryFile(dir, 3, from, async (file, stories: StoryMeta[]) => {
      await writeFileAtomic(file, encodeStoryFile(stories).chunks);
    });
    return { ...data, version: 4 };
  },
};

/**
 * Rewrite every story file at `version` with `rewrite`, each first copied to
 * `<file>.v<version>.bak` when the state was at that version on disk.
 */
async function eachStoryFile<T>(dir: string, version: number, from: number, rewrite: (file: string, stories: T[]) => Promise<void>): Promise<void> {
  const storyDir = join(dir, 'stories');
  const names = await readdir(storyDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  for (const name of names.filter((n) => /^[a-z0-9-]+\.json$/.test(n)).sort()) {
    const file = join(storyDir, name);
    let shard: { version?: unknown; stories?: unknown };
    try {
      shard = JSON.parse(await readFile(file, 'utf8')) as typeof shard;
    } catch (err) {
      throw err instanceof SyntaxError ? new CorruptStateError(file, err) : err;
    }
    if (shard.version !== version || !Array.isArray(shard.stories)) continue; // done already, or refused later
    const backup = `${file}.v${version}.bak`;
    if (from === version && !(await exists(backup))) await copyFile(file, backup);
    try {
      await rewrite(file, shard.stories as T[]);
    } catch (err) {
      // A story without the fields its version promises: the file is damaged, not the disk.
      throw err instanceof WirefeedError ? err : new CorruptStateError(file, err);
    }
  }
}

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
    data = await step(dir, data, from);
    version += 1;
  }
  await writeFileAtomic(file, JSON.stringify(data));
  onMigrate?.(file, from, backup);
}
