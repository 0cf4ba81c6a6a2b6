/**
 * The state: every story and per-source fetch bookkeeping, kept in memory with indexes and
 * persisted with lowdb under the state directory:
 *
 *   wirefeed.json            { version, sources: { <id>: SourceState }, origins?: { <story id>: <source id> } }
 *   stories/<source>.json    { version, strings, stories: rows }  one row per story without its
 *                            body (story-file.ts); a story lives in the file of its first source,
 *                            its home, and is listed under every source it was seen on
 *   bodies/<source>.json     { version, bodies: { <id>: paragraphs } }  for the same stories (bodies.ts)
 *   wirefeed.lock            pid of the process that owns the directory
 *
 * One file per source keeps each write small and only changed files are written. Bodies are
 * most of the bytes and feeds need them only when they render, so they are not held in memory:
 * a held story's `body` reads through to a small cache of body files. Writes are coalesced by
 * the caller through `flush()`; a flush writes body files, then story files, then wirefeed.json.
 * A story file is rewritten by copying the rows of the stories that did not change from the
 * file on disk (story-file.ts, reencodeStoryFile): `put`, `touchSeen` and `unlist` are how the
 * store learns which did.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { WirefeedError } from '../errors.js';
import type { SourceState, StoredStory } from '../model.js';
import { BODY_DIR, BodyShards } from './bodies.js';
import { CorruptStateError, DurableJsonFile, removeStaleTemps, writeFilesAtomic, type FileJob } from './atomic.js';
import { acquireLock, type StateLock } from './lock.js';
import { LastPages } from './ingest.js';
import { migrateState, STATE_VERSION } from './migrate.js';
import { decodeStoryFile, encodeStoryFile, HeldStory, placeRows, reencodeStoryFile, RowError, Sharing, type EncodedStoryFile, type StoryTable } from './story-file.js';

export { STATE_VERSION } from './migrate.js';
export type { StoryMeta } from './story-file.js';

export interface MetaData {
  version: number;
  sources: Record<string, SourceState>;
  /**
   * Story id → the source it was first seen on, for the few stories that source no longer lists
   * while others do (unlist moved them to another home). Entry ids depend on it (select).
   */
  origins?: Record<string, string>;
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
  /** Ingest's memo of each source's last page (ingest.ts); `forget` a source that left the config. */
  readonly lastPages: LastPages;
  /** Number of stories held. */
  size(): number;
  get(id: string): StoredStory | undefined;
  /** The first story that has this story key among its keys (see withKey). */
  byKey(key: string): StoredStory | undefined;
  /** Every story that has this story key among its keys: at most one per visibility scope. */
  withKey(key: string): readonly StoredStory[];
  /** Stories with this lead key. */
  byLeadKey(leadKey: string): readonly StoredStory[];
  /** Stories listed under a source, in no particular order. */
  ofSource(sourceId: string): Iterable<StoredStory>;
  countOf(sourceId: string): number;
  /**
   * Insert a new story, or record that a held one changed in what feeds show (after mutating it
   * in place). Returns the object the store holds from now on (a new story is copied: its body
   * goes to the body files and is read back through `body`).
   */
  put(story: StoredStory): StoredStory;
  /** Record a change that feeds do not show (lastSeen): written, but no revision bump. */
  touchSeen(story: StoredStory): void;
  /** Drop a source from a story's list; the story goes when no source lists it any more. */
  unlist(story: StoredStory, sourceId: string): void;
  /** The source a story was first seen on: its home, or the one that has since let it go. */
  origin(story: StoredStory): string | undefined;
  /** `unlist` for many stories at once: the source's list is rewritten once, not once per story. */
  unlistAll(stories: readonly StoredStory[], sourceId: string): void;
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
  private readonly byId = new Map<string, HeldStory>();
  /**
   * Keys other than the story's id (most stories have only their id: byId finds them). A key
   * names one story per visibility scope (ingest.ts): mostly one, held alone like lead keys.
   */
  private readonly keyIndex = new Map<string, HeldStory | HeldStory[]>();
  /**
   * Most lead keys belong to one story: held alone, not in a list of one (50,000 arrays fewer).
   * Only ingest asks it, so it is built then, not while the state loads (start answers sooner).
   */
  private leadIndex: Map<string, HeldStory | HeldStory[]> | null = null;
  private readonly revisions = new Map<string, number>();
  /** home → the stories its story file holds (the stories listed under a source: these and its guests). */
  private readonly shards = new Map<string, HeldStory[]>();
  /**
   * source → stories listed under it that live in another home (sources after the first).
   * Most stories have one source: the home's shard lists them, no set entry each.
   */
  private readonly guests = new Map<string, Set<HeldStory>>();
  private readonly dirtyShards = new Set<string>();
  /** home → the string table of its story file as last written, while its stories' rows are known (story-file.ts). */
  private readonly tables = new Map<string, StoryTable>();
  private readonly bodies: BodyShards;
  readonly lastPages = new LastPages();
  private metaDirty = false;
  private flushing: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly meta: Low<MetaData>,
    private readonly lock: StateLock | null,
  ) {
    this.bodies = new BodyShards(dir, STATE_VERSION, (id, home) => this.byId.get(id)?.sources[0] === home);
  }

  /** Strings and arrays shared while the state loads; dropped after (the pools would only grow). */
  private sharing: Sharing | null = new Sharing();

  /** Index one story file as parsed; one that does not decode is a CorruptStateError naming it. */
  load(file: string, home: string, data: unknown): void {
    let decoded: ReturnType<typeof decodeStoryFile>;
    try {
      decoded = decodeStoryFile(data, this.bodies, this.sharing ?? new Sharing());
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      throw new CorruptStateError(file, err);
    }
    const { stories, table } = decoded;
    if (table !== null) this.tables.set(home, table);
    this.shards.set(home, stories);
    for (const story of stories) this.index(story);
  }

  /** Loading is over. */
  done(): void {
    this.sharing = null;
  }

  private index(story: HeldStory): void {
    this.byId.set(story.id, story);
    for (const key of story.otherKeys()) addTo(this.keyIndex, key, story);
    if (this.leadIndex !== null && story.leadKey !== null) addTo(this.leadIndex, story.leadKey, story);
    for (let i = 1; i < story.sources.length; i++) {
      const source = story.sources[i]!;
      let set = this.guests.get(source);
      if (set === undefined) this.guests.set(source, (set = new Set()));
      set.add(story);
    }
  }

  private unindex(story: HeldStory): void {
    this.byId.delete(story.id);
    for (const key of story.otherKeys()) removeFrom(this.keyIndex, key, story);
    if (this.leadIndex !== null && story.leadKey !== null) removeFrom(this.leadIndex, story.leadKey, story);
    for (let i = 1; i < story.sources.length; i++) this.guests.get(story.sources[i]!)?.delete(story);
  }

  size(): number {
    return this.byId.size;
  }
  get(id: string): StoredStory | undefined {
    return this.byId.get(id);
  }
  byKey(key: string): StoredStory | undefined {
    return this.withKey(key)[0];
  }
  withKey(key: string): readonly StoredStory[] {
    const others = listOf(this.keyIndex.get(key));
    // A story whose id is not its first key (ingest.ts: a key held in another scope) is found by keyIndex.
    const own = this.byId.get(key);
    return own === undefined || !own.keys.includes(key) ? others : [own, ...others];
  }
  byLeadKey(leadKey: string): readonly StoredStory[] {
    if (this.leadIndex === null) {
      const leads = new Map<string, HeldStory | HeldStory[]>();
      for (const story of this.byId.values()) if (story.leadKey !== null) addTo(leads, story.leadKey, story);
      this.leadIndex = leads;
    }
    return listOf(this.leadIndex.get(leadKey));
  }
  ofSource(sourceId: string): Iterable<StoredStory> {
    const home = this.shards.get(sourceId) ?? [];
    const guests = this.guests.get(sourceId);
    // A live view, like the sets before it: iterate it before changing the store (retention copies it).
    return guests === undefined || guests.size === 0 ? home : [...home, ...guests];
  }
  countOf(sourceId: string): number {
    return (this.shards.get(sourceId)?.length ?? 0) + (this.guests.get(sourceId)?.size ?? 0);
  }

  private shard(home: string): HeldStory[] {
    let shard = this.shards.get(home);
    if (shard === undefined) this.shards.set(home, (shard = []));
    return shard;
  }

  private touch(story: StoredStory): void {
    for (const source of story.sources) this.revisions.set(source, (this.revisions.get(source) ?? 0) + 1);
    const home = story.sources[0];
    if (home !== undefined) this.dirtyShards.add(home);
  }

  private held(story: StoredStory): HeldStory {
    const held = this.byId.get(story.id);
    if (held !== story) throw new WirefeedError('store', 'E_NOT_HELD', `story ${story.id} is not the object this store holds`);
    return held;
  }

  put(story: StoredStory): StoredStory {
    const held = this.byId.get(story.id);
    if (held === undefined) {
      const home = story.sources[0];
      if (home === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
      const fresh = HeldStory.of(story, this.bodies);
      fresh.body = story.body;
      this.shard(home).push(fresh);
      this.index(fresh);
      this.touch(fresh);
      return fresh;
    }
    if (held !== story) throw new WirefeedError('store', 'E_DUPLICATE', `story ${story.id} is already held as another object`);
    held.forgetRow();
    this.unindex(held);
    this.index(held);
    this.touch(held);
    return held;
  }

  touchSeen(story: StoredStory): void {
    this.byId.get(story.id)?.forgetRow();
    const home = story.sources[0];
    if (home !== undefined) this.dirtyShards.add(home);
  }

  unlist(story: StoredStory, sourceId: string): void {
    this.unlistAll([story], sourceId);
  }

  unlistAll(stories: readonly StoredStory[], sourceId: string): void {
    // Stories that leave their home's file: it is filtered once at the end (once per story was
    // quadratic: 32,000 stories displacing as many took 45 s).
    const leaving = new Map<string, Set<HeldStory>>();
    for (const story of stories) {
      const held = this.held(story);
      if (!held.sources.includes(sourceId)) continue;
      held.forgetRow();
      this.touch(held);
      this.unindex(held);
      const home = held.sources[0]!;
      held.sources = held.sources.filter((s) => s !== sourceId);
      if (held.sources.length > 0 && held.sources[0] === home) {
        this.index(held);
        continue;
      }
      // Gone from its home source: remove it from that file, and move it when others still list it.
      let gone = leaving.get(home);
      if (gone === undefined) leaving.set(home, (gone = new Set()));
      gone.add(held);
      this.dirtyShards.add(home);
      const to = held.sources[0] ?? null;
      this.bodies.leave(home, held.id, to);
      this.keepOrigin(held.id, to === null ? null : home);
      if (to !== null) {
        this.shard(to).push(held);
        this.index(held);
        this.touch(held);
      }
    }
    for (const [home, gone] of leaving) this.shards.set(home, this.shard(home).filter((s) => !gone.has(s)));
  }

  origin(story: StoredStory): string | undefined {
    return this.meta.data.origins?.[story.id] ?? story.sources[0];
  }

  /** Remember `home` as the origin of a story that moves away from it (the first move only); null: the story is gone. */
  private keepOrigin(id: string, home: string | null): void {
    const origins = this.meta.data.origins;
    if (home === null) {
      if (origins?.[id] === undefined) return;
      delete origins[id];
    } else {
      if (origins?.[id] !== undefined) return;
      (this.meta.data.origins ??= {})[id] = home;
    }
    this.metaDirty = true;
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
    return this.metaDirty || this.dirtyShards.size > 0 || this.bodies.isDirty();
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
    for (const sub of [SHARD_DIR, BODY_DIR]) await mkdir(join(this.dir, sub), { recursive: true });
    // Cleared before the write: a change made while the files are written marks them again.
    // Body files first (a story file never names a story whose body is not on disk), then the
    // story files in the order they changed, the meta file last (see writeFilesAtomic).
    const bodies = this.bodies.pending();
    const homes = [...this.dirtyShards];
    const meta = this.metaDirty;
    this.dirtyShards.clear();
    this.metaDirty = false;
    const jobs: FileJob[] = [...bodies.jobs];
    const lists = new Map<string, HeldStory[]>();
    for (const home of homes) {
      // The list as it is now: every story on it has its body in the body files' pending text.
      const stories = [...this.shard(home)];
      const file = shardFile(this.dir, home);
      lists.set(home, stories);
      jobs.push({ file, content: () => this.storyFile(home, file, stories) });
    }
    if (meta) jobs.push({ file: join(this.dir, META_FILE), content: () => JSON.stringify(this.meta.data) });
    try {
      await writeFilesAtomic(jobs);
    } catch (err) {
      // Some files may be written already; writing them again next time is harmless. Which of
      // them hold the rows just placed is not known: the next write of each serialises it whole.
      this.bodies.failed(bodies.homes);
      for (const [home, stories] of lists) {
        this.tables.delete(home);
        for (const story of stories) story.forgetRow();
      }
      for (const home of homes) this.dirtyShards.add(home);
      if (meta) this.metaDirty = true;
      throw err;
    }
    this.bodies.written(bodies.homes, homes);
  }

  /**
   * The bytes of `home`'s story file holding `stories`: a copy of the file on disk with the
   * changed rows serialised again when its rows are known, else the whole file serialised.
   */
  private storyFile(home: string, file: string, stories: readonly HeldStory[]): Buffer[] {
    const encoded = this.rewrite(home, file, stories) ?? encodeStoryFile(stories);
    if (encoded.table === null) this.tables.delete(home);
    else this.tables.set(home, encoded.table);
    placeRows(stories, encoded, home);
    return encoded.chunks;
  }

  private rewrite(home: string, file: string, stories: readonly HeldStory[]): EncodedStoryFile | null {
    const table = this.tables.get(home);
    if (table === undefined || table.bloated()) return null;
    let placed = 0;
    for (const story of stories) if (story.rowAt() !== -1) placed++;
    // Mostly changed: one JSON.stringify of the whole file costs less than one per changed row.
    if (placed * 2 < stories.length) return null;
    let previous: Buffer;
    try {
      // Read synchronously: the file was written or read by this process, so it is in the page
      // cache, and 110 KB from there takes ~40 µs; the four async calls of readFile cost the
      // event loop ~25 µs each on top (measured on 2 cores), 100 files a full write.
      previous = readFileSync(file);
    } catch (err) {
      // Not there or not readable: the whole file is serialised instead, and a lasting cause
      // fails that write, where it is reported.
      if ((err as NodeJS.ErrnoException).code === undefined) throw err;
      return null;
    }
    return reencodeStoryFile(stories, previous, table);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.lock?.release();
    }
  }
}

/** An index entry of one story or several (most keys name one: no array each). */
type IndexEntry = HeldStory | HeldStory[];

function listOf(held: IndexEntry | undefined): readonly HeldStory[] {
  return held === undefined ? [] : Array.isArray(held) ? held : [held];
}

function addTo(index: Map<string, IndexEntry>, key: string, story: HeldStory): void {
  const held = index.get(key);
  if (held === undefined) index.set(key, story);
  else if (!Array.isArray(held)) {
    if (held !== story) index.set(key, [held, story]);
  } else if (!held.includes(story)) held.push(story);
}

function removeFrom(index: Map<string, IndexEntry>, key: string, story: HeldStory): void {
  const list = listOf(index.get(key)).filter((s) => s !== story);
  if (list.length === 0) index.delete(key);
  else index.set(key, list.length === 1 ? list[0]! : list);
}

/**
 * Open (and lock) the state in `dir`, creating it when absent. A file that does not parse
 * stops the open with a CorruptStateError naming it; a file from a newer wirefeed is refused.
 * Body files are read later, when a body is first needed (bodies.ts).
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
    await mkdir(join(dir, BODY_DIR), { recursive: true, mode: 0o700 });
    if (lock !== null) for (const d of [dir, join(dir, SHARD_DIR), join(dir, BODY_DIR)]) await removeStaleTemps(d);
    await migrateState(dir, opts.onMigrate);
    const meta = new Low<MetaData>(new DurableJsonFile(join(dir, META_FILE)), {
      version: STATE_VERSION,
      sources: {},
    });
    await meta.read();
    checkVersion(join(dir, META_FILE), meta.data.version);
    // Indexed as each file is read, the next one read meanwhile: at most two files' text at
    // once keeps the peak (and so the resident size afterwards) low, and the disk never waits.
    const store = new LowdbStore(dir, meta, lock);
    const names = (await readdir(join(dir, SHARD_DIR))).sort().filter((name) => SHARD_NAME.test(name));
    const read = (i: number): Promise<unknown> | null => {
      if (i >= names.length) return null;
      const reading = new DurableJsonFile<unknown>(join(dir, SHARD_DIR, names[i]!)).read();
      reading.catch(() => undefined); // raised where it is awaited; not unhandled if an earlier file fails first
      return reading;
    };
    let next = read(0);
    for (let i = 0; i < names.length; i++) {
      const reading = next!;
      next = read(i + 1);
      const home = SHARD_NAME.exec(names[i]!)![1]!;
      const file = join(dir, SHARD_DIR, names[i]!);
      const data = await reading;
      if (data === null) continue; // gone since the listing: nothing to hold
      checkVersion(file, (data as { version?: unknown }).version);
      store.load(file, home, data);
    }
    store.done();
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
