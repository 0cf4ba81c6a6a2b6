/**
 * Story bodies, kept out of the in-memory index: `bodies/<home>.json` holds
 * `{ version, bodies: { <story id>: paragraphs } }` for the stories whose home (first source)
 * is <home>. Bodies are most of a story's bytes and only a feed render (on a cache miss) or an
 * edited story needs them, so a few parsed shards are cached (least recently used go first)
 * and a miss reads the file synchronously (a shard of 500 bodies is ~300 KB: a few ms).
 *
 * A shard with unwritten bodies stays in memory until it is written. When a story leaves a
 * home (dropped, or moved to its next source), its body stays in that home's file until the
 * story file without it is on disk; only then is it pruned. So at every moment of a flush each
 * story in a story file has its body in its home's body file (body files are written first).
 * A body file may hold bodies of stories that are not (or not yet) in its story file: they are
 * ignored when it is read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WirefeedError } from '../errors.js';
import { CorruptStateError, type FileJob } from './atomic.js';

export const BODY_DIR = 'bodies';

interface BodyFile {
  version: number;
  bodies: Record<string, string[]>;
}

/** Parsed shards kept besides the ones with unwritten changes (≈ 1 MB each at 500 stories). */
const CACHED_SHARDS = 8;

const NO_BODY: readonly string[] = Object.freeze([]);

function bodyFile(dir: string, home: string): string {
  return join(dir, BODY_DIR, `${home}.json`);
}

export class BodyShards {
  /** home → id → paragraphs; Map order is the recency order (oldest first). */
  private readonly cache = new Map<string, Map<string, string[]>>();
  private readonly dirty = new Set<string>();
  /** Homes whose body file is being written: like dirty ones, they must not be dropped and read back old. */
  private readonly writing = new Set<string>();
  /** home → ids that left it since its story file was last written. */
  private readonly leaving = new Map<string, Set<string>>();

  constructor(
    private readonly dir: string,
    private readonly version: number,
    /** Whether a story with this id is held with this home (bodies of others are ignored on read). */
    private readonly homedAt: (id: string, home: string) => boolean,
  ) {}

  get(home: string, id: string): readonly string[] {
    return this.shard(home).get(id) ?? NO_BODY;
  }

  set(home: string, id: string, body: string[]): void {
    this.shard(home).set(id, body);
    this.dirty.add(home);
  }

  /** The story left `home` (dropped, or moved to `to`): its body follows it, and is pruned from `home` later. */
  leave(home: string, id: string, to: string | null): void {
    // Marked first: the story is no longer homed here, and a read of this file must keep its body.
    let ids = this.leaving.get(home);
    if (ids === undefined) this.leaving.set(home, (ids = new Set()));
    ids.add(id);
    if (to !== null) this.set(to, id, [...this.get(home, id)]);
  }

  isDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Jobs for every changed body file; `done` after they and the story files are on disk. */
  pending(): { jobs: FileJob[]; homes: string[] } {
    const homes = [...this.dirty];
    this.dirty.clear();
    for (const home of homes) this.writing.add(home);
    const jobs = homes.map((home) => {
      const bodies = this.shard(home);
      return { file: bodyFile(this.dir, home), text: () => JSON.stringify({ version: this.version, bodies: Object.fromEntries(bodies) }) };
    });
    return { jobs, homes };
  }

  /** The write of `homes`' body files failed: they are written again next time. */
  failed(homes: readonly string[]): void {
    for (const home of homes) {
      this.writing.delete(home);
      this.dirty.add(home);
    }
  }

  /**
   * The body files of `bodyHomes` and the story files of `storyHomes` are on disk: bodies that
   * left those homes can go (their files are written again, pruned, at the next flush).
   */
  written(bodyHomes: readonly string[], storyHomes: readonly string[]): void {
    for (const home of bodyHomes) this.writing.delete(home);
    for (const home of storyHomes) {
      const ids = this.leaving.get(home);
      if (ids === undefined) continue;
      this.leaving.delete(home);
      const bodies = this.shard(home);
      for (const id of ids) if (!this.homedAt(id, home)) bodies.delete(id);
      this.dirty.add(home);
    }
  }

  private shard(home: string): Map<string, string[]> {
    let bodies = this.cache.get(home);
    if (bodies !== undefined) {
      this.cache.delete(home);
      this.cache.set(home, bodies);
      return bodies;
    }
    bodies = this.read(home);
    this.cache.set(home, bodies);
    let over = this.cache.size - CACHED_SHARDS;
    for (const old of this.cache.keys()) {
      if (over <= 0) break;
      if (old === home || this.dirty.has(old) || this.writing.has(old) || this.leaving.has(old)) continue;
      this.cache.delete(old);
      over -= 1;
    }
    return bodies;
  }

  private read(home: string): Map<string, string[]> {
    const file = bodyFile(this.dir, home);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new WirefeedError('store', 'E_READ', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    let data: BodyFile;
    try {
      data = JSON.parse(text) as BodyFile;
    } catch (err) {
      throw new CorruptStateError(file, err);
    }
    if (typeof data !== 'object' || data === null || typeof data.bodies !== 'object' || data.bodies === null) {
      throw new CorruptStateError(file, new Error('no bodies object'));
    }
    const leaving = this.leaving.get(home);
    const bodies = new Map<string, string[]>();
    for (const [id, body] of Object.entries(data.bodies)) {
      if (this.homedAt(id, home) || leaving?.has(id) === true) bodies.set(id, body);
    }
    return bodies;
  }
}
