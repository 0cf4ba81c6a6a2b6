/**
 * Story files (state version 4) and the stories held from them. `stories/<home>.json` is
 *
 *   { "version": 4, "strings": [ … ], "stories": [ row, … ] }
 *
 * `strings` holds once each the values that repeat across a source's stories (source ids,
 * places, agencies, sections, languages, timestamps); a row names them by index. A row is one
 * story without its body: StoredStory's fields in StoredStory's order, without field names:
 *
 *    0 id                 string
 *    1 keys               0 when the keys are just [id]; else the array of keys
 *    2 leadKey            string or null
 *    3 sources            string index (one source), or an array of string indexes
 *    4 headline           string
 *    5 headlineDerived    0 or 1
 *    6 place              string index, -1 for null
 *    7 agencies           array of string indexes
 *    8 section            string index, -1 for null
 *    9 bodyHash           string
 *   10 link               string or null
 *   11 lang               string index
 *   12 firstSeen          string index (timestamps stay ISO 8601 UTC, as StoredStory has them)
 *   13 lastSeen           string index
 *   14 publishedEarliest  string index, -1 for null
 *   15 publishedLatest    string index
 *   16 updated            string index
 *
 * Why: in version 3 (one JSON object per story) field names were a third of each story's
 * ~590 bytes and repeated values most of the rest. Measured over 100 files × 500 stories,
 * JSON.parse took ~270 ms for 30 MB of objects, ~140 ms for 18.5 MB of rows with inline
 * strings, ~200 ms for 15 MB of rows with epoch-ms timestamps (numbers parse slower than short
 * strings, and need converting back), and ~90–135 ms for 11 MB of rows with a string table. The
 * table also gives sharing for free: every story of a file gets the same string objects, so a
 * load interns only the table, not every field.
 */
import type { Lang, StoredStory } from '../model.js';
import type { BodyShards } from './bodies.js';

export const STORY_FILE_VERSION = 4;

/** A story as its story file holds it: everything but the body. */
export type StoryMeta = Omit<StoredStory, 'body'>;

/** The columns of a row, in order (as listed above): for tools and tests that read a story file. */
export const STORY_COLUMNS = [
  'id', 'keys', 'leadKey', 'sources', 'headline', 'headlineDerived', 'place', 'agencies', 'section',
  'bodyHash', 'link', 'lang', 'firstSeen', 'lastSeen', 'publishedEarliest', 'publishedLatest', 'updated',
] as const satisfies readonly (keyof StoryMeta)[];
const COLUMNS = STORY_COLUMNS.length;
const NONE = -1;

type Row = unknown[];

/**
 * Strings and lists shared by every story loaded into one store (one `['src-001']` for its
 * 500 stories, not 500). The lists are frozen: a held story's `sources` and `agencies` are
 * replaced, never changed in place (ingest and unlist assign).
 */
export class Sharing {
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  string(s: string): string {
    const held = this.strings.get(s);
    if (held !== undefined) return held;
    this.strings.set(s, s);
    return s;
  }

  /** The one frozen array with these (already shared) strings. */
  list(items: string[]): string[] {
    // Keyed by JSON, which no item's text can fake; asked once per distinct list of a file (RowReader).
    const key = JSON.stringify(items);
    let held = this.lists.get(key);
    if (held === undefined) this.lists.set(key, (held = Object.freeze(items)));
    // Frozen: an in-place change throws rather than changing every story that shares it.
    return held as string[];
  }
}

/** A held story: its fields in memory, its body read through to the body files on demand. */
export class HeldStory implements StoredStory {
  /** Keys besides the id; null when the id is the only one (most stories: no array held). */
  #keys: string[] | null;
  leadKey: string | null;
  sources: string[];
  headline: string;
  headlineDerived: boolean;
  place: string | null;
  agencies: string[];
  section: string | null;
  bodyHash: string;
  link: string | null;
  lang: Lang;
  firstSeen: string;
  lastSeen: string;
  publishedEarliest: string | null;
  publishedLatest: string;
  updated: string;
  readonly #bodies: BodyShards;

  constructor(
    readonly id: string,
    keys: string[] | null,
    leadKey: string | null,
    sources: string[],
    headline: string,
    headlineDerived: boolean,
    place: string | null,
    agencies: string[],
    section: string | null,
    bodyHash: string,
    link: string | null,
    lang: Lang,
    firstSeen: string,
    lastSeen: string,
    publishedEarliest: string | null,
    publishedLatest: string,
    updated: string,
    bodies: BodyShards,
  ) {
    this.#keys = keys;
    this.leadKey = leadKey;
    this.sources = sources;
    this.headline = headline;
    this.headlineDerived = headlineDerived;
    this.place = place;
    this.agencies = agencies;
    this.section = section;
    this.bodyHash = bodyHash;
    this.link = link;
    this.lang = lang;
    this.firstSeen = firstSeen;
    this.lastSeen = lastSeen;
    this.publishedEarliest = publishedEarliest;
    this.publishedLatest = publishedLatest;
    this.updated = updated;
    this.#bodies = bodies;
  }

  /** A copy of `m` held by the store (arrays copied: the caller's stay its own). */
  static of(m: StoryMeta, bodies: BodyShards): HeldStory {
    return new HeldStory(
      m.id, onlyId(m.id, m.keys) ? null : [...m.keys], m.leadKey, [...m.sources], m.headline, m.headlineDerived, m.place, [...m.agencies],
      m.section, m.bodyHash, m.link, m.lang, m.firstSeen, m.lastSeen, m.publishedEarliest, m.publishedLatest, m.updated, bodies,
    );
  }

  /**
   * Every story key. A story with only its id gets a new array at each read: assign to change
   * the keys (`story.keys = [...story.keys, key]`), never push.
   */
  get keys(): string[] {
    return this.#keys ?? [this.id];
  }

  set keys(keys: string[]) {
    this.#keys = onlyId(this.id, keys) ? null : keys;
  }

  /** Keys other than the id (for the store's key index), without making an array. */
  otherKeys(): readonly string[] {
    return this.#keys === null ? NO_KEYS : this.#keys.filter((k) => k !== this.id);
  }

  /** Read from the home's body file (cached); an empty list when the story has no body. */
  get body(): string[] {
    // The cache's own array: callers never mutate a body in place (ingest assigns a new one).
    return this.#bodies.get(this.sources[0] ?? '', this.id) as string[];
  }

  set body(paragraphs: string[]) {
    this.#bodies.set(this.sources[0] ?? '', this.id, paragraphs);
  }

  /** The whole story, body included, in StoredStory's field order (for tools and tests). */
  toJSON(): StoredStory {
    const { id, keys, leadKey, sources, headline, headlineDerived, place, agencies, section, body, bodyHash, link, lang } = this;
    const { firstSeen, lastSeen, publishedEarliest, publishedLatest, updated } = this;
    return { id, keys, leadKey, sources, headline, headlineDerived, place, agencies, section, body, bodyHash, link, lang, firstSeen, lastSeen, publishedEarliest, publishedLatest, updated };
  }

  /** Column 1 of this story's row. */
  keysColumn(): 0 | string[] {
    return this.#keys ?? 0;
  }
}

const NO_KEYS: readonly string[] = Object.freeze([]);

function onlyId(id: string, keys: readonly string[]): boolean {
  return keys.length === 1 && keys[0] === id;
}

/**
 * The bytes (UTF-8) of a story file holding `stories` (rows in the order given): exactly
 * `JSON.stringify({ version, strings, stories: rows })` with the rows listed above, written
 * straight into bytes. Why: building 500 row arrays per file, stringifying them and converting
 * the text to UTF-8 made most of a flush's CPU time and most of its garbage (~85 ms of GC per
 * 100-file flush with the daemon's small young generation, ~4 ms now): here the garbage is the
 * returned buffer, off the heap. Text that JSON leaves as it is (ids, hashes, most headlines) is
 * copied as Latin-1; anything else goes through JSON.stringify, so escapes stay JSON's own
 * (tests/store-v4.test.ts compares the bytes with JSON.stringify of the rows).
 */
export function encodeStoryFile(stories: readonly (StoryMeta | HeldStory)[]): Buffer {
  const index = new Map<string, number>();
  TABLE.reset();
  ROWS.reset();
  // A string's index, adding it to the table (as JSON text) when first seen: the first row's
  // first reference gets 0, as JSON.stringify of the table built in column order would.
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = index.size;
      index.set(s, i);
      if (i > 0) TABLE.byte(COMMA);
      TABLE.string(s);
    }
    return i;
  };
  const w = ROWS;
  for (let n = 0; n < stories.length; n++) {
    const s = stories[n]!;
    w.ascii(n === 0 ? '[' : ',[');
    w.string(s.id);
    const keys = s instanceof HeldStory ? s.keysColumn() : onlyId(s.id, s.keys) ? 0 : s.keys;
    if (keys === 0) w.ascii(',0,');
    else {
      w.ascii(',[');
      w.strings(keys);
      w.ascii('],');
    }
    w.stringOrNull(s.leadKey);
    w.byte(COMMA);
    const sources = s.sources;
    if (sources.length === 1) w.int(ref(sources[0]!));
    else w.refs(sources, ref);
    w.byte(COMMA);
    w.string(s.headline);
    w.ascii(s.headlineDerived ? ',1,' : ',0,');
    w.int(s.place === null ? NONE : ref(s.place));
    w.byte(COMMA);
    w.refs(s.agencies, ref);
    w.byte(COMMA);
    w.int(s.section === null ? NONE : ref(s.section));
    w.byte(COMMA);
    w.string(s.bodyHash);
    w.byte(COMMA);
    w.stringOrNull(s.link);
    w.byte(COMMA);
    w.int(ref(s.lang));
    w.byte(COMMA);
    w.int(ref(s.firstSeen));
    w.byte(COMMA);
    w.int(ref(s.lastSeen));
    w.byte(COMMA);
    w.int(s.publishedEarliest === null ? NONE : ref(s.publishedEarliest));
    w.byte(COMMA);
    w.int(ref(s.publishedLatest));
    w.byte(COMMA);
    w.int(ref(s.updated));
    w.byte(CLOSE);
  }
  const head = `{"version":${STORY_FILE_VERSION},"strings":[`;
  const middle = '],"stories":[';
  const out = Buffer.allocUnsafeSlow(head.length + TABLE.pos + middle.length + ROWS.pos + 2);
  let pos = out.write(head, 0, 'latin1');
  out.set(TABLE.buf.subarray(0, TABLE.pos), pos);
  pos += TABLE.pos;
  pos += out.write(middle, pos, 'latin1');
  out.set(ROWS.buf.subarray(0, ROWS.pos), pos);
  pos += ROWS.pos;
  out.write(']}', pos, 'latin1');
  TABLE.trim();
  ROWS.trim();
  return out;
}

/** Text JSON.stringify leaves as it is and UTF-8 writes as Latin-1 would: printable ASCII but `"` and `\\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const QUOTE = 0x22;

/** Scratch kept between encodes: a 500-story file's rows take ~110 kB. */
const SCRATCH = 64 * 1024;
const KEEP = 1024 * 1024;

/**
 * JSON text written into a growing buffer that every encode reuses (encodes are synchronous, so
 * one at a time): the output is copied out once, at its exact size.
 */
class JsonBytes {
  buf = Buffer.allocUnsafeSlow(SCRATCH);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  /** After an unusually large file: give the memory back rather than hold it for good. */
  trim(): void {
    if (this.buf.length > KEEP) this.buf = Buffer.allocUnsafeSlow(SCRATCH);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Text known to be ASCII and to need no escaping (punctuation of the format). */
  ascii(text: string): void {
    this.room(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  /** A non-negative integer, or -1 (table indexes are mostly under 100: no string made for those). */
  int(n: number): void {
    if (n >= 0 && n < 100) {
      this.room(2);
      if (n >= 10) this.buf[this.pos++] = 0x30 + Math.floor(n / 10);
      this.buf[this.pos++] = 0x30 + (n % 10);
    } else this.ascii(String(n));
  }

  /** `s` as JSON.stringify writes it, in UTF-8. */
  string(s: string): void {
    // Worst case: every UTF-16 unit escaped as \uXXXX (6 bytes), quotes around.
    this.room(s.length * 6 + 2);
    const buf = this.buf;
    if (PLAIN.test(s)) {
      // Printable ASCII without the two characters JSON escapes: copied as it is (natively).
      buf[this.pos++] = QUOTE;
      this.pos += buf.write(s, this.pos, 'latin1');
      buf[this.pos++] = QUOTE;
    } else this.pos += buf.write(JSON.stringify(s), this.pos, 'utf8');
  }

  stringOrNull(s: string | null): void {
    if (s === null) this.ascii('null');
    else this.string(s);
  }

  /** `[` the strings `]` without the brackets. */
  strings(list: readonly string[]): void {
    for (let i = 0; i < list.length; i++) {
      if (i > 0) this.byte(COMMA);
      this.string(list[i]!);
    }
  }

  /** The table indexes of `list` as a JSON array. */
  refs(list: readonly string[], ref: (s: string) => number): void {
    this.byte(0x5b);
    for (let i = 0; i < list.length; i++) {
      if (i > 0) this.byte(COMMA);
      this.int(ref(list[i]!));
    }
    this.byte(CLOSE);
  }
}

const TABLE = new JsonBytes();
const ROWS = new JsonBytes();

/** Why a parsed story file cannot be loaded, or null when its shape is right (rows are checked while decoded). */
export function storyFileProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return 'not an object';
  const { strings, stories } = data as { strings?: unknown; stories?: unknown };
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string')) return 'no strings list';
  if (!Array.isArray(stories)) return 'no stories list';
  return null;
}

/**
 * The stories of a parsed story file (its shape checked with storyFileProblem). Throws an
 * Error naming the first row and column that do not decode.
 */
export function decodeStoryFile(data: { strings: string[]; stories: unknown[] }, bodies: BodyShards, share: Sharing): HeldStory[] {
  const rows = new RowReader(data.strings, share);
  const out: HeldStory[] = new Array<HeldStory>(data.stories.length);
  for (let n = 0; n < data.stories.length; n++) {
    const row = data.stories[n];
    if (!Array.isArray(row) || row.length !== COLUMNS) throw new Error(`story ${n} is not a row of ${COLUMNS} columns`);
    try {
      out[n] = rows.story(row, bodies);
    } catch (err) {
      throw new Error(`story ${n}: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

/** Decodes the rows of one file against its string table (methods, not closures per row: ~50,000 rows a start). */
class RowReader {
  private readonly table: readonly string[];
  /** The shared one-string list for each table index, made when first asked. */
  private readonly singles: (string[] | undefined)[] = [];
  /** The shared list for each other list of indexes (`0,3`), made when first asked. */
  private readonly lists = new Map<string, string[]>();

  constructor(
    strings: readonly string[],
    private readonly share: Sharing,
  ) {
    this.table = strings.map((s) => share.string(s));
  }

  story(row: Row, bodies: BodyShards): HeldStory {
    const id = this.text(row, 0);
    const keys = row[1];
    let extra: string[] | null = null;
    if (keys !== 0) {
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new Error('column 1: not 0 or a list of keys');
      if (!onlyId(id, keys as string[])) extra = keys as string[];
    }
    return new HeldStory(
      id,
      extra,
      this.textOrNull(row, 2),
      typeof row[3] === 'number' ? this.single(row[3], 3) : this.list(row, 3),
      this.text(row, 4),
      row[5] === 1,
      this.refOrNull(row, 6),
      this.list(row, 7),
      this.refOrNull(row, 8),
      this.text(row, 9),
      this.textOrNull(row, 10),
      this.ref(row, 11) as Lang,
      this.ref(row, 12),
      this.ref(row, 13),
      this.refOrNull(row, 14),
      this.ref(row, 15),
      this.ref(row, 16),
      bodies,
    );
  }

  private ref(row: Row, col: number): string {
    const s = this.table[row[col] as number];
    if (s === undefined) throw new Error(`column ${col}: no string ${String(row[col])}`);
    return s;
  }

  private refOrNull(row: Row, col: number): string | null {
    return row[col] === NONE ? null : this.ref(row, col);
  }

  private text(row: Row, col: number): string {
    const s = row[col];
    if (typeof s !== 'string') throw new Error(`column ${col}: not a string`);
    return s;
  }

  private textOrNull(row: Row, col: number): string | null {
    return row[col] === null ? null : this.text(row, col);
  }

  /** The shared list of the one string `i` names (a number: callers checked). */
  private single(i: number, col: number): string[] {
    const held = this.singles[i];
    if (held !== undefined) return held;
    const s = this.table[i];
    if (s === undefined) throw new Error(`column ${col}: no string ${i}`);
    return (this.singles[i] = this.share.list([s]));
  }

  private list(row: Row, col: number): string[] {
    const refs = row[col];
    if (!Array.isArray(refs)) throw new Error(`column ${col}: not a list`);
    if (refs.length === 1 && typeof refs[0] === 'number') return this.single(refs[0], col);
    const key = refs.join(',');
    const held = this.lists.get(key);
    if (held !== undefined) return held;
    const items = refs.map((i: unknown) => {
      const s = typeof i === 'number' ? this.table[i] : undefined;
      if (s === undefined) throw new Error(`column ${col}: no string ${String(i)}`);
      return s;
    });
    const list = this.share.list(items);
    this.lists.set(key, list);
    return list;
  }
}
