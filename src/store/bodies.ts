/**
 * Story bodies, kept out of the in-memory index: `bodies/<home>.json` holds
 * `{ version, bodies: { <story id>: paragraphs } }` for the stories whose home (first source)
 * is <home>. Bodies are most of a story's bytes and only a feed render (on a cache miss) or an
 * edited story needs them, so a few shards are cached (least recently used go first) and a miss
 * reads the file synchronously (a shard of 500 bodies is ~350 KB: a few ms).
 *
 * A shard read for a render stays raw: only where each id's paragraphs are in the file (found by
 * one scan of the JSON's structure when it is read, ~45 KB of heap at 500 stories), and a get
 * reads and parses just that range. Parsing the whole file for a render that shows 50 of 500
 * bodies made ~1 MB of heap objects, held long enough to reach the old generation; keeping the
 * file's bytes instead cost ~2 MB of RSS in the memory figure. A positional read is ~10 µs. A
 * shard that changes (set, or a prune after a flush) is parsed whole: its write needs every body.
 *
 * Corruption: the scan at read checks the structure (object, the bodies object, each value an
 * array of strings, nothing after the end), so a truncated file fails there; the text inside the
 * strings (escapes, UTF-8) is only checked when a body is parsed, and a slice that does not parse
 * is the same CorruptStateError naming the file.
 *
 * A shard with unwritten bodies stays in memory until it is written. When a story leaves a
 * home (dropped, or moved to its next source), its body stays in that home's file until the
 * story file without it is on disk; only then is it pruned. So at every moment of a flush each
 * story in a story file has its body in its home's body file (body files are written first).
 * A body file may hold bodies of stories that are not (or not yet) in its story file: they are
 * ignored when it is read.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { WirefeedError } from '../errors.js';
import { CorruptStateError, type FileJob } from './atomic.js';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-bytes.js';

export const BODY_DIR = 'bodies';

interface BodyFile {
  version: number;
  bodies: Record<string, string[]>;
}

/** Shards kept besides the ones with unwritten changes (raw ≈ 45 KB, parsed ≈ 1 MB of heap at 500 stories). */
const CACHED_SHARDS = 8;

const NO_BODY: readonly string[] = Object.freeze([]);

function bodyFile(dir: string, home: string): string {
  return join(dir, BODY_DIR, `${home}.json`);
}

/** Where each id's paragraphs are in a body file: slot n's array is bytes [ranges[2n], ranges[2n+1]). */
interface BodyIndex {
  slots: Map<string, number>;
  ranges: Uint32Array;
}

/**
 * A clean body file as read: only where each body is. A get reads that range of the file: no
 * body file is ever rewritten while its shard is raw (a change parses the shard first), and
 * the lock keeps other processes out, so the ranges stay true; a range that no longer holds
 * one array of strings is reported as corruption all the same.
 */
class RawShard {
  /** The last body read, so a caller reading `story.body` twice in a row reads it once. */
  private lastId = '';
  private lastBody: readonly string[] = NO_BODY;

  constructor(
    readonly file: string,
    private readonly index: BodyIndex,
  ) {}

  body(id: string): readonly string[] | undefined {
    if (id === this.lastId) return this.lastBody;
    const slot = this.index.slots.get(id);
    if (slot === undefined) return undefined;
    const bytes = readRange(this.file, this.index.ranges[2 * slot]!, this.index.ranges[2 * slot + 1]!);
    // The scan at read checked this range's structure: one that fails now means the file changed.
    let end: number;
    try {
      end = arrayEnd(bytes, 0, this.file);
    } catch (err) {
      end = -1;
      if (!(err instanceof CorruptStateError)) throw err;
    }
    if (end !== bytes.length - 1) throw new CorruptStateError(this.file, new Error(`the body of ${id} is not where the file had it: it changed since it was read`));
    let body: string[];
    try {
      body = JSON.parse(bytes.toString('utf8')) as string[];
    } catch (err) {
      throw new CorruptStateError(this.file, err);
    }
    this.lastId = id;
    this.lastBody = body;
    return body;
  }

  /** Every body, for a shard about to change: the whole file read and parsed (which checks all of it). */
  parse(keep: (id: string) => boolean): Map<string, string[]> {
    let data: BodyFile;
    try {
      data = JSON.parse(readBytes(this.file).toString('utf8')) as BodyFile;
    } catch (err) {
      throw err instanceof WirefeedError ? err : new CorruptStateError(this.file, err);
    }
    const bodies = new Map<string, string[]>();
    for (const [id, body] of Object.entries(data.bodies)) if (keep(id)) bodies.set(id, body);
    return bodies;
  }
}

function readError(file: string, err: unknown): WirefeedError {
  return new WirefeedError('store', 'E_READ', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw readError(file, err);
  }
}

/** Bytes [start, end) of `file`. */
function readRange(file: string, start: number, end: number): Buffer {
  const bytes = Buffer.allocUnsafe(end - start);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw readError(file, err);
  }
  try {
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, start + got);
      if (n === 0) throw new CorruptStateError(file, new Error(`file ends before byte ${end}: it changed since it was read`));
      got += n;
    }
  } catch (err) {
    throw err instanceof CorruptStateError ? err : readError(file, err);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

type Shard = RawShard | Map<string, string[]>;

export class BodyShards {
  /** home → its shard; Map order is the recency order (oldest first). */
  private readonly cache = new Map<string, Shard>();
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
    const shard = this.shard(home);
    if (shard instanceof Map) return shard.get(id) ?? NO_BODY;
    return this.kept(home, id) ? (shard.body(id) ?? NO_BODY) : NO_BODY;
  }

  set(home: string, id: string, body: string[]): void {
    this.parsed(home).set(id, body);
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
      const bodies = this.parsed(home);
      return { file: bodyFile(this.dir, home), content: () => JSON.stringify({ version: this.version, bodies: Object.fromEntries(bodies) }) };
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
      const bodies = this.parsed(home);
      this.leaving.delete(home);
      for (const id of ids) if (!this.homedAt(id, home)) bodies.delete(id);
      this.dirty.add(home);
    }
  }

  /** Whether a body in `home`'s file belongs there: its story is homed there, or is leaving it. */
  private kept(home: string, id: string): boolean {
    return this.homedAt(id, home) || this.leaving.get(home)?.has(id) === true;
  }

  /** `home`'s shard in the form that can change: a raw one is parsed whole first. */
  private parsed(home: string): Map<string, string[]> {
    const shard = this.shard(home);
    if (shard instanceof Map) return shard;
    const bodies = shard.parse((id) => this.kept(home, id));
    this.cache.set(home, bodies);
    return bodies;
  }

  private shard(home: string): Shard {
    let shard = this.cache.get(home);
    if (shard !== undefined) {
      this.cache.delete(home);
      this.cache.set(home, shard);
      return shard;
    }
    shard = this.read(home);
    this.cache.set(home, shard);
    let over = this.cache.size - CACHED_SHARDS;
    for (const old of this.cache.keys()) {
      if (over <= 0) break;
      if (old === home || this.dirty.has(old) || this.writing.has(old) || this.leaving.has(old)) continue;
      this.cache.delete(old);
      over -= 1;
    }
    return shard;
  }

  private read(home: string): Shard {
    const file = bodyFile(this.dir, home);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw readError(file, err);
    }
    return new RawShard(file, bodyIndex(bytes, file));
  }
}

// The scan below walks the JSON's structure only: strings are skipped by searching for their
// closing quote (an escaped quote is one preceded by an odd run of backslashes), so it touches
// few bytes outside the paragraphs and allocates nothing but the ids and their ranges.

/** JSON's whitespace (RFC 8259 §2): space, tab, line feed, carriage return. */
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function corrupt(file: string, at: number, what: string): CorruptStateError {
  return new CorruptStateError(file, new Error(`${what} at byte ${at}`));
}

function skipSpace(bytes: Buffer, at: number): number {
  while (SPACE.has(bytes[at] ?? -1)) at += 1;
  return at;
}

function expect(bytes: Buffer, at: number, byte: number, file: string): number {
  if (bytes[at] !== byte) throw corrupt(file, at, `expected '${String.fromCharCode(byte)}'`);
  return at + 1;
}

/** The index of the quote closing the string whose opening quote is at `open`. */
function stringEnd(bytes: Buffer, open: number, file: string): number {
  let from = open + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) throw corrupt(file, open, 'unterminated string');
    let slash = quote - 1;
    while (bytes[slash] === BACKSLASH) slash -= 1;
    if ((quote - 1 - slash) % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** The index of the `]` closing the array of strings that opens at `open`. */
function arrayEnd(bytes: Buffer, open: number, file: string): number {
  let at = skipSpace(bytes, expect(bytes, open, OPEN_ARRAY, file));
  if (bytes[at] === CLOSE_ARRAY) return at;
  for (;;) {
    if (bytes[at] !== QUOTE) throw corrupt(file, at, 'expected a paragraph string');
    at = skipSpace(bytes, stringEnd(bytes, at, file) + 1);
    if (bytes[at] === CLOSE_ARRAY) return at;
    at = skipSpace(bytes, expect(bytes, at, COMMA, file));
  }
}

/** The end (exclusive) of any JSON value at `at`: a string, a nested object or array, or a scalar. */
function valueEnd(bytes: Buffer, at: number, file: string): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at, file) + 1;
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let i = at; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === QUOTE) i = stringEnd(bytes, i, file);
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth += 1;
      else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return i + 1;
    }
    throw corrupt(file, at, 'unterminated value');
  }
  let end = at;
  while (end < bytes.length && bytes[end] !== COMMA && bytes[end] !== CLOSE_OBJECT && !SPACE.has(bytes[end]!)) end += 1;
  if (end === at) throw corrupt(file, at, 'expected a value');
  return end;
}

/** The key whose quotes are at `open` and `close` (a key with escapes is decoded by JSON.parse). */
function keyAt(bytes: Buffer, open: number, close: number): string {
  const slash = bytes.indexOf(BACKSLASH, open);
  return slash !== -1 && slash < close ? (JSON.parse(bytes.toString('utf8', open, close + 1)) as string) : bytes.toString('utf8', open + 1, close);
}

/**
 * Calls `each(key, valueStart)` for every member of the object opening at `open`; `each`
 * returns where the value ends. Returns the index after the closing `}`.
 */
function members(bytes: Buffer, open: number, file: string, each: (key: string, value: number) => number): number {
  let at = skipSpace(bytes, expect(bytes, open, OPEN_OBJECT, file));
  if (bytes[at] === CLOSE_OBJECT) return at + 1;
  for (;;) {
    if (bytes[at] !== QUOTE) throw corrupt(file, at, 'expected a key');
    const close = stringEnd(bytes, at, file);
    const key = keyAt(bytes, at, close);
    const value = skipSpace(bytes, expect(bytes, skipSpace(bytes, close + 1), COLON, file));
    at = skipSpace(bytes, each(key, value));
    if (bytes[at] === CLOSE_OBJECT) return at + 1;
    at = skipSpace(bytes, expect(bytes, at, COMMA, file));
  }
}

/** Where each id's paragraphs are in a body file; throws CorruptStateError when its structure is broken. */
function bodyIndex(bytes: Buffer, file: string): BodyIndex {
  const slots = new Map<string, number>();
  const ranges: number[] = [];
  let found = false;
  const end = members(bytes, skipSpace(bytes, 0), file, (key, value) => {
    if (key !== 'bodies') return valueEnd(bytes, value, file);
    if (bytes[value] !== OPEN_OBJECT) throw corrupt(file, value, 'no bodies object');
    found = true;
    return members(bytes, value, file, (id, start) => {
      const after = arrayEnd(bytes, start, file) + 1;
      // A repeated id keeps its last body, as JSON.parse would.
      let slot = slots.get(id);
      if (slot === undefined) slots.set(id, (slot = ranges.length / 2));
      ranges[2 * slot] = start;
      ranges[2 * slot + 1] = after;
      return after;
    });
  });
  if (skipSpace(bytes, end) !== bytes.length) throw corrupt(file, end, 'text after the end');
  if (!found) throw new CorruptStateError(file, new Error('no bodies object'));
  return { slots, ranges: Uint32Array.from(ranges) };
}
