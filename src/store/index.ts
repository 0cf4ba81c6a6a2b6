/**
 * The state: every story and per-source fetch bookkeeping, kept in memory with indexes and
 * persisted with lowdb under the state directory:
 *
 *   wirefeed.json            { version, sources: { <id>: SourceState } }
 *   stories/<source>.json    { version, stories: StoredStory[] }  (a story lives in the file of
 *                            its first source; it is listed under every source it was seen on)
 *   wirefeed.lock            pid of the process that owns the directory
 *
 * One file per source keeps each write small (no event-loop stall with 50,000 stories) and
 * only changed files are written. Writes are coalesced by the caller through `flush()`.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { WirefeedError } from '../errors.js';
import type { SourceState, StoredStory } from '../model.js';
import { DurableJsonFile, removeStaleTemps, writeFilesAtomic, type FileJob } from './atomic.js';
import { acquireLock, type StateLock } from './lock.js';
import { migrateState, STATE_VERSION } from './migrate.js';

export { STATE_VERSION } from './migrate.js';

export interface MetaData {
  version: number;
  sources: Record<string, SourceState>;
}

export interface ShardData {
  version: number;
  stories: StoredStory[];
}

export const META_FILE = 'wirefeed.json';
export const SHARD_DIR = 'stories';
const SHARD_NAME = /^([a-z0-9-]+)\.json$/;

function shardFile(dir: string, home: string): string {
  return join(dir, SHARD_DIR, `${home}.json`);
}

export function emptySourceState(): SourceState {
  return {
    etag: null,
    lastModified: null,
    lastAttempt: null,
    lastSuccess: null,
    lastError: null,
    consecutiveFailures: 0,
    nextAttemptAfter: null,
    contentHash: null,
    lastPageAt: null,
  };
}

/** The storage interface the rest of wirefeed sees; another backend can replace lowdb behind it. */
export interface Store {
  readonly dir: string;
  /** Number of stories held. */
  size(): number;
  get(id: string): StoredStory | undefined;
  /** The story that has this story key among its keys. */
  byKey(key: string): StoredStory | undefined;
  /** Stories with this lead key. */
  byLeadKey(leadKey: string): readonly StoredStory[];
  /** Stories listed under a source, in no particular order. */
  ofSource(sourceId: string): Iterable<StoredStory>;
  countOf(sourceId: string): number;
  /** Insert a new story or record that a held one changed in what feeds show (after mutating it in place). */
  put(story: StoredStory): void;
  /** Record a change that feeds do not show (lastSeen): written, but no revision bump. */
  touchSeen(story: StoredStory): void;
  /** Drop a source from a story's list; the story goes when no source lists it any more. */
  unlist(story: StoredStory, sourceId: string): void;
  source(sourceId: string): SourceState;
  updateSource(sourceId: string, patch: Partial<SourceState>): void;
  /** Increases whenever a story listed under the source changes. */
  revision(sourceId: string): number;
  /** True when something is waiting to be written. */
  dirty(): boolean;
  /** Write every changed file; on failure the changes stay pending and the error is thrown. */
  flush(): Promise<void>;
  /** Flush and release the lock. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Take the directory lock (default true). Read-only tools may skip it. */
  lock?: boolean;
  /** Called once per migrated file, for logging. */
  onMigrate?: (file: string, from: number, backup: string) => void;
}

class LowdbStore implements Store {
  private readonly byId = new Map<string, StoredStory>();
  private readonly keyIndex = new Map<string, StoredStory>();
  private readonly leadIndex = new Map<string, StoredStory[]>();
  private readonly sourceIndex = new Map<string, Set<StoredStory>>();
  private readonly revisions = new Map<string, number>();
  private readonly shards = new Map<string, Low<ShardData>>();
  private readonly dirtyShards = new Set<string>();
  private metaDirty = false;
  private flushing: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly meta: Low<MetaData>,
    private readonly lock: StateLock | null,
  ) {}

  load(shards: Map<string, Low<ShardData>>): void {
    for (const [home, shard] of shards) {
      this.shards.set(home, shard);
      for (const story of shard.data.stories) this.index(story);
    }
  }

  private index(story: StoredStory): void {
    this.byId.set(story.id, story);
    for (const key of story.keys) this.keyIndex.set(key, story);
    if (story.leadKey !== null) {
      const list = this.leadIndex.get(story.leadKey);
      if (list === undefined) this.leadIndex.set(story.leadKey, [story]);
      else if (!list.includes(story)) list.push(story);
    }
    for (const source of story.sources) {
      let set = this.sourceIndex.get(source);
      if (set === undefined) this.sourceIndex.set(source, (set = new Set()));
      set.add(story);
    }
  }

  private unindex(story: StoredStory): void {
    this.byId.delete(story.id);
    for (const key of story.keys) if (this.keyIndex.get(key) === story) this.keyIndex.delete(key);
    if (story.leadKey !== null) {
      const list = this.leadIndex.get(story.leadKey)?.filter((s) => s !== story) ?? [];
      if (list.length === 0) this.leadIndex.delete(story.leadKey);
      else this.leadIndex.set(story.leadKey, list);
    }
    for (const source of story.sources) this.sourceIndex.get(source)?.delete(story);
  }

  size(): number {
    return this.byId.size;
  }
  get(id: string): StoredStory | undefined {
    return this.byId.get(id);
  }
  byKey(key: string): StoredStory | undefined {
    return this.keyIndex.get(key);
  }
  byLeadKey(leadKey: string): readonly StoredStory[] {
    return this.leadIndex.get(leadKey) ?? [];
  }
  ofSource(sourceId: string): Iterable<StoredStory> {
    return this.sourceIndex.get(sourceId) ?? [];
  }
  countOf(sourceId: string): number {
    return this.sourceIndex.get(sourceId)?.size ?? 0;
  }

  private shard(home: string): Low<ShardData> {
    let shard = this.shards.get(home);
    if (shard === undefined) {
      shard = new Low(new DurableJsonFile<ShardData>(shardFile(this.dir, home)), {
        version: STATE_VERSION,
        stories: [],
      });
      this.shards.set(home, shard);
    }
    return shard;
  }

  private touch(story: StoredStory): void {
    for (const source of story.sources) this.revisions.set(source, (this.revisions.get(source) ?? 0) + 1);
    const home = story.sources[0];
    if (home !== undefined) this.dirtyShards.add(home);
  }

  put(story: StoredStory): void {
    const held = this.byId.get(story.id);
    if (held === undefined) {
      const home = story.sources[0];
      if (home === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
      this.shard(home).data.stories.push(story);
    } else if (held !== story) {
      throw new WirefeedError('store', 'E_DUPLICATE', `story ${story.id} is already held as another object`);
    } else {
      this.unindex(story);
    }
    this.index(story);
    this.touch(story);
  }

  touchSeen(story: StoredStory): void {
    const home = story.sources[0];
    if (home !== undefined) this.dirtyShards.add(home);
  }

  unlist(story: StoredStory, sourceId: string): void {
    if (!story.sources.includes(sourceId)) return;
    this.touch(story);
    this.unindex(story);
    const home = story.sources[0]!;
    story.sources = story.sources.filter((s) => s !== sourceId);
    if (story.sources.length > 0 && story.sources[0] === home) {
      this.index(story);
      return;
    }
    // Gone from its home source: remove it from that file, and move it when others still list it.
    const shard = this.shard(home);
    shard.data.stories = shard.data.stories.filter((s) => s !== story);
    this.dirtyShards.add(home);
    if (story.sources.length > 0) {
      this.shard(story.sources[0]!).data.stories.push(story);
      this.index(story);
      this.touch(story);
    }
  }

  source(sourceId: string): SourceState {
    return this.meta.data.sources[sourceId] ?? emptySourceState();
  }

  updateSource(sourceId: string, patch: Partial<SourceState>): void {
    this.meta.data.sources[sourceId] = { ...this.source(sourceId), ...patch };
    this.metaDirty = true;
  }

  revision(sourceId: string): number {
    return this.revisions.get(sourceId) ?? 0;
  }

  dirty(): boolean {
    return this.metaDirty || this.dirtyShards.size > 0;
  }

  async flush(): Promise<void> {
    // One flush at a time; a caller arriving during a flush waits for it and then writes
    // whatever changed meanwhile.
    while (this.flushing !== null) await this.flushing;
    if (!this.dirty()) return;
    this.flushing = this.writePending();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async writePending(): Promise<void> {
    await mkdir(join(this.dir, SHARD_DIR), { recursive: true });
    // Cleared before the write: a change made while the files are written marks them again.
    // Shards go in the order they changed, the meta file last (see writeFilesAtomic).
    const homes = [...this.dirtyShards];
    const meta = this.metaDirty;
    this.dirtyShards.clear();
    this.metaDirty = false;
    const jobs: FileJob[] = homes.map((home) => {
      const shard = this.shard(home);
      return { file: shardFile(this.dir, home), text: () => JSON.stringify(shard.data) };
    });
    if (meta) jobs.push({ file: join(this.dir, META_FILE), text: () => JSON.stringify(this.meta.data) });
    try {
      await writeFilesAtomic(jobs);
    } catch (err) {
      // Some files may be written already; writing them again next time is harmless.
      for (const home of homes) this.dirtyShards.add(home);
      if (meta) this.metaDirty = true;
      throw err;
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.lock?.release();
    }
  }
}

/**
 * Open (and lock) the state in `dir`, creating it when absent. A file that does not parse
 * stops the open with a CorruptStateError naming it; a file from a newer wirefeed is refused.
 */
export async function openStore(dir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  try {
    await mkdir(join(dir, SHARD_DIR), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new WirefeedError('store', 'E_STATE_DIR', `cannot create state directory ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const lock = opts.lock === false ? null : await acquireLock(dir);
  try {
    if (lock !== null) for (const d of [dir, join(dir, SHARD_DIR)]) await removeStaleTemps(d);
    await migrateState(dir, opts.onMigrate);
    const meta = new Low<MetaData>(new DurableJsonFile(join(dir, META_FILE)), {
      version: STATE_VERSION,
      sources: {},
    });
    await meta.read();
    checkVersion(join(dir, META_FILE), meta.data.version);
    const shards = new Map<string, Low<ShardData>>();
    for (const name of (await readdir(join(dir, SHARD_DIR))).sort()) {
      const home = SHARD_NAME.exec(name)?.[1];
      if (home === undefined) continue;
      const file = join(dir, SHARD_DIR, name);
      const shard = new Low<ShardData>(new DurableJsonFile(file), { version: STATE_VERSION, stories: [] });
      await shard.read();
      checkVersion(file, shard.data.version);
      if (!Array.isArray(shard.data.stories)) {
        throw new WirefeedError('store', 'E_CORRUPT', `state file ${file} has no stories list; see wirefeed run --recover`);
      }
      shards.set(home, shard);
    }
    const store = new LowdbStore(dir, meta, lock);
    store.load(shards);
    return store;
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

function checkVersion(file: string, version: unknown): void {
  if (version === STATE_VERSION) return;
  if (typeof version === 'number' && version > STATE_VERSION) {
    throw new WirefeedError(
      'store',
      'E_STATE_VERSION',
      `state file ${file} was written by a newer wirefeed (state version ${version}, this one reads ${STATE_VERSION}); ` +
        'upgrade wirefeed or point it at another state directory; the file is left untouched',
    );
  }
  throw new WirefeedError('store', 'E_CORRUPT', `state file ${file} has no valid version field; see wirefeed run --recover`);
}
