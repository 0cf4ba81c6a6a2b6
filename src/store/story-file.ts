/**
 * Story files (state version 4) and the stories held from them. `stories/<home>.json` is
 *
 *   { "version": 4, "strings": [ … ], "stories": [ row, … ], "lengths": [ … ] }
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
 *
 * `lengths` gives each row's length in UTF-8 bytes (optional: files of the first version-4
 * release lack it, and get it at their next write). With it the store knows where each held
 * story's row is, and a write copies the rows of stories that did not change from the file on
 * disk instead of serialising them again (reencodeStoryFile): a write after a fetch that
 * touched a few stories of a 500-story file costs a few rows of JSON, not 500.
 */
import type { Lang, StoredStory } from '../model.js';
import type { BodyShards } from './bodies.js';
import { BACKSLASH, CLOSE_ARRAY, COMMA, OPEN_ARRAY, QUOTE } from './json-bytes.js';

export const STORY_FILE_VERSION = 4;

/** A story as its story file holds it: everything but the body (and byline and image, which it has no column for). */
export type StoryMeta = Omit<StoredStory, 'body' | 'author' | 'image'>;

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

/** StoredStory's fields that a held story keeps as they are (the constructor sets each). */
type PlainFields = Omit<StoredStory, 'id' | 'keys' | 'body'>;

// Declared once, by StoredStory: this merges its plain fields into the class below. TypeScript
// does not check that the constructor assigns each (it does); the store's round-trip tests do.
export interface HeldStory extends PlainFields {}

/** A held story: its fields in memory, its body read through to the body files on demand. */
export class HeldStory implements StoredStory {
  /** Keys besides the id; null when the id is the only one (most stories: no array held). */
  #keys: string[] | null;
  readonly #bodies: BodyShards;
  /**
   * Where this story's row sits in its home's story file as last written: the byte offset from
   * the first row, and its byte length; -1 when unknown or changed since (see rowAt).
   */
  #rowAt = -1;
  #rowLength = 0;

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
    this.author = null;
    this.image = null;
    this.#bodies = bodies;
  }

  /** A copy of `m` held by the store (arrays copied: the caller's stay its own). */
  static of(m: StoryMeta & Partial<Pick<StoredStory, 'author' | 'image'>>, bodies: BodyShards): HeldStory {
    const held = new HeldStory(
      m.id, onlyId(m.id, m.keys) ? null : [...m.keys], m.leadKey, [...m.sources], m.headline, m.headlineDerived, m.place, [...m.agencies],
      m.section, m.bodyHash, m.link, m.lang, m.firstSeen, m.lastSeen, m.publishedEarliest, m.publishedLatest, m.updated, bodies,
    );
    // Byline and image live in memory only: story files have no column for them (SQLite will).
    held.author = m.author ?? null;
    held.image = m.image ?? null;
    return held;
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

  /** The whole story, body included, in StoredStory's field order (for tools and tests); byline and image are not in story files. */
  toJSON(): Omit<StoredStory, 'author' | 'image'> {
    const { id, keys, leadKey, sources, headline, headlineDerived, place, agencies, section, body, bodyHash, link, lang } = this;
    const { firstSeen, lastSeen, publishedEarliest, publishedLatest, updated } = this;
    return { id, keys, leadKey, sources, headline, headlineDerived, place, agencies, section, body, bodyHash, link, lang, firstSeen, lastSeen, publishedEarliest, publishedLatest, updated };
  }

  /** Column 1 of this story's row. */
  keysColumn(): 0 | string[] {
    return this.#keys ?? 0;
  }

  /**
   * The byte offset of this story's row in its home's story file, counted from the first row,
   * or -1 when the file on disk does not hold this story as it is now: the store forgets the
   * row whenever it is told of a change (put, touchSeen, unlist), so a row still placed can be
   * copied into the next write of the file unchanged (reencodeStoryFile).
   */
  rowAt(): number {
    return this.#rowAt;
  }

  rowLength(): number {
    return this.#rowLength;
  }

  placeRow(at: number, length: number): void {
    this.#rowAt = at;
    this.#rowLength = length;
  }

  forgetRow(): void {
    this.#rowAt = -1;
  }
}

const NO_KEYS: readonly string[] = Object.freeze([]);

function onlyId(id: string, keys: readonly string[]): boolean {
  return keys.length === 1 && keys[0] === id;
}

/**
 * The string table of one story file as last written (or loaded). A rewrite that copies rows
 * (reencodeStoryFile) keeps every index they name and appends what changed rows need, so the
 * table only grows between full writes; `bloated` says when a full write should drop what no
 * row names any more.
 */
export class StoryTable {
  private index: Map<string, number> | null = null;

  /** `named`: how many of `strings` rows name (all of them after a full write); a table twice that (and some) is due for one. */
  constructor(
    readonly strings: string[],
    private readonly named = strings.length,
  ) {}

  ref(s: string): number {
    // Built on the first call: a loaded table is asked only when its file is rewritten.
    this.index ??= new Map(this.strings.map((t, i) => [t, i]));
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  bloated(): boolean {
    return this.strings.length > 2 * this.named + 64;
  }
}

/**
 * A story file as the chunks of its bytes, in order (written with one writev: no copy into one
 * buffer); `rows` holds each story's row offset and length (in the order given) and `table` its
 * strings, or both null when the file carries no row lengths.
 */
export interface EncodedStoryFile {
  chunks: Buffer[];
  table: StoryTable | null;
  rows: { at: number[]; length: number[] } | null;
}

/** One story's row (the columns listed at the top), its strings named through `table`. */
function rowOf(s: StoryMeta | HeldStory, table: StoryTable): Row {
  const ref = (t: string): number => table.ref(t);
  const refOrNone = (t: string | null): number => (t === null ? NONE : table.ref(t));
  return [
    s.id,
    s instanceof HeldStory ? s.keysColumn() : onlyId(s.id, s.keys) ? 0 : s.keys,
    s.leadKey,
    s.sources.length === 1 ? ref(s.sources[0]!) : s.sources.map(ref),
    s.headline,
    s.headlineDerived ? 1 : 0,
    refOrNone(s.place),
    s.agencies.map(ref),
    refOrNone(s.section),
    s.bodyHash,
    s.link,
    ref(s.lang),
    ref(s.firstSeen),
    ref(s.lastSeen),
    refOrNone(s.publishedEarliest),
    ref(s.publishedLatest),
    ref(s.updated),
  ];
}

const STORIES_KEY = Buffer.from('"stories":[');
const ID_CHECKED = 8;
const COMMA_CHUNK = Buffer.from(',');

/**
 * A story file holding `stories` (rows in the order given), with a fresh table. The file ends
 * with `"lengths"`, each row's length in bytes, so that the next write can copy the rows that
 * did not change instead of serialising all of them again.
 */
export function encodeStoryFile(stories: readonly (StoryMeta | HeldStory)[]): EncodedStoryFile {
  const table = new StoryTable([]);
  const rows = stories.map((s) => rowOf(s, table));
  // One JSON.stringify for the whole file is twice as fast as one per row; the row lengths are
  // found in its bytes after (rowSeams).
  const whole = Buffer.from(JSON.stringify({ version: STORY_FILE_VERSION, strings: table.strings, stories: rows }), 'utf8');
  const first = whole.indexOf(STORIES_KEY) + STORIES_KEY.length;
  const length = rowSeams(whole, first, whole.length - 2, rows.length);
  if (length === null) return { chunks: [whole], table: null, rows: null };
  // `…]}` becomes `…],"lengths":[…]}`.
  const chunks = [whole.subarray(0, whole.length - 1), Buffer.from(`,"lengths":[${length.join(',')}]}`)];
  return { chunks, table: new StoryTable(table.strings), rows: { at: offsets(length), length } };
}

/**
 * The lengths of the `count` rows in bytes[from, to), the text of a stories array without its
 * brackets as JSON.stringify wrote it; null when they cannot be told apart.
 *
 * Rows are separated by `],["` (a row ends with `]`, the next starts with its id). That text
 * appears nowhere else outside strings: inside a row a `]` closes keys (followed by a string
 * or null), sources (followed by the headline) or agencies (followed by a number). Inside a
 * string a `"` is always escaped, so the four bytes appear there only when the `"` closes the
 * string, and then the byte after is `,` or `]`, never the first byte of an id after an
 * opening `"`, which is a character or the closing `"` of an empty id.
 */
function rowSeams(bytes: Buffer, from: number, to: number, count: number): number[] | null {
  if (count === 0) return from === to ? [] : null;
  const length: number[] = [];
  let start = from;
  // Each `]`, then the three bytes after it (a search for the one byte runs twice as fast as for four).
  let at = bytes.indexOf(CLOSE_ARRAY, start);
  while (at !== -1 && at < to) {
    if (bytes[at + 1] === COMMA && bytes[at + 2] === OPEN_ARRAY && bytes[at + 3] === QUOTE) {
      const after = bytes[at + 4];
      if (after !== COMMA && after !== CLOSE_ARRAY) {
        length.push(at + 1 - start);
        start = at + 2;
      }
    }
    at = bytes.indexOf(CLOSE_ARRAY, at + 1);
  }
  length.push(to - start);
  return length.length === count ? length : null;
}

function offsets(length: readonly number[]): number[] {
  const at = new Array<number>(length.length);
  let pos = 0;
  for (let i = 0; i < length.length; i++) {
    at[i] = pos;
    pos += length[i]! + 1;
  }
  return at;
}

/**
 * The next version of a story file: rows still placed in `previous` (the file as last
 * written, with `table` its strings) are copied from it byte for byte, runs of neighbours in
 * one piece; the others are serialised, their new strings appended to `table`. A write that
 * changed a few stories of a file thus costs a few rows of JSON, not the whole file's.
 *
 * Null when a placed row is not where its story says, a whole row naming the story's id (a file
 * changed behind the store, or a story placed in another file): the caller writes the whole
 * file instead.
 */
export function reencodeStoryFile(stories: readonly HeldStory[], previous: Buffer, table: StoryTable): EncodedStoryFile | null {
  const key = previous.indexOf(STORIES_KEY);
  if (key === -1) return null;
  const first = key + STORIES_KEY.length;
  const pieces: Buffer[] = [];
  const length = new Array<number>(stories.length);
  // The run of copied rows being gathered, as a range of `previous`.
  let runStart = -1;
  let runEnd = -1;
  const endRun = (): void => {
    if (runStart === -1) return;
    pieces.push(previous.subarray(runStart, runEnd));
    runStart = -1;
  };
  for (let i = 0; i < stories.length; i++) {
    const s = stories[i]!;
    const at = s.rowAt();
    const start = first + at;
    const end = start + s.rowLength();
    if (at === -1 || !rowFits(previous, first, start, end, s.id)) {
      // Changed, or an id JSON escapes (never found as it is): serialised. Else the file is not as written.
      if (at !== -1 && plainId(s.id)) return null;
      endRun();
      const row = Buffer.from(JSON.stringify(rowOf(s, table)), 'utf8');
      pieces.push(row);
      length[i] = row.length;
      continue;
    }
    length[i] = end - start;
    if (runStart !== -1 && start === runEnd + 1) runEnd = end; // the next row in the file: the comma comes along
    else {
      endRun();
      runStart = start;
      runEnd = end;
    }
  }
  endRun();
  const parts: Buffer[] = [Buffer.from(`{"version":${STORY_FILE_VERSION},"strings":${JSON.stringify(table.strings)},"stories":[`, 'utf8')];
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0) parts.push(COMMA_CHUNK);
    parts.push(pieces[i]!);
  }
  parts.push(Buffer.from(`],"lengths":[${length.join(',')}]}`));
  return { chunks: parts, table, rows: { at: offsets(length), length } };
}

/**
 * Whether JSON writes `id` as its characters, one byte each (printable ASCII but `"` and `\`).
 * Ids are hex digests; a row of any other id is never found as it is, and is serialised again.
 */
function plainId(id: string): boolean {
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    if (c < 0x20 || c >= 0x7f || c === QUOTE || c === BACKSLASH) return false;
  }
  return true;
}

/**
 * Whether previous[start, end) is a whole row of the story `id`: `["<id>"…]`, opened after `[`
 * or `,` and followed by `,` or `]`. Of the id, its first ID_CHECKED characters and its length
 * are compared: enough to tell a row of another story (hex digests that agree on 8 characters
 * are one in 4 billion) for a third of the time of all 32 (50,000 rows a full write).
 */
function rowFits(previous: Buffer, first: number, start: number, end: number, id: string): boolean {
  if (end - start < id.length + 4) return false; // past the end: the bytes checked below are undefined
  const before = previous[start - 1];
  const after = previous[end];
  if (previous[start] !== OPEN_ARRAY || previous[start + 1] !== QUOTE || previous[end - 1] !== CLOSE_ARRAY) return false;
  if ((start === first ? before !== OPEN_ARRAY : before !== COMMA) || (after !== COMMA && after !== CLOSE_ARRAY)) return false;
  const checked = Math.min(id.length, ID_CHECKED);
  for (let k = 0; k < checked; k++) if (previous[start + 2 + k] !== id.charCodeAt(k)) return false;
  return previous[start + 2 + id.length] === QUOTE;
}

/**
 * Place each story at its row of `encoded`, the file just made for `home`: unless the file has
 * no lengths, or the story has left `home` since the list was taken (its row is then in a file
 * that is no longer its home's).
 */
export function placeRows(stories: readonly HeldStory[], encoded: EncodedStoryFile, home: string): void {
  for (let i = 0; i < stories.length; i++) {
    const story = stories[i]!;
    if (encoded.rows !== null && story.sources[0] === home) story.placeRow(encoded.rows.at[i]!, encoded.rows.length[i]!);
    else story.forgetRow();
  }
}

/** A story file, or a row of one, that does not decode: the file's fault, not a bug of the reader. */
export class RowError extends Error {}

/** The parts of a parsed story file, or a RowError saying which one is missing. */
function partsOf(data: unknown): { strings: string[]; stories: unknown[]; lengths?: unknown } {
  if (typeof data !== 'object' || data === null) throw new RowError('not an object');
  const { strings, stories, lengths } = data as { strings?: unknown; stories?: unknown; lengths?: unknown };
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string')) throw new RowError('no strings list');
  if (!Array.isArray(stories)) throw new RowError('no stories list');
  return { strings: strings as string[], stories, lengths };
}

/**
 * The stories of a parsed story file. Throws a RowError naming what is missing, or the first
 * row and column that do not decode. When the file gives each row's length, the stories are
 * placed at their rows and `table` is the file's, for the next write to copy them
 * (reencodeStoryFile); otherwise `table` is null and that write serialises them all.
 */
export function decodeStoryFile(parsed: unknown, bodies: BodyShards, share: Sharing): { stories: HeldStory[]; table: StoryTable | null } {
  const data = partsOf(parsed);
  const strings = data.strings.map((s) => share.string(s));
  const rows = new RowReader(strings, share);
  const out: HeldStory[] = new Array<HeldStory>(data.stories.length);
  for (let n = 0; n < data.stories.length; n++) {
    const row = data.stories[n];
    if (!Array.isArray(row) || row.length !== COLUMNS) throw new RowError(`story ${n} is not a row of ${COLUMNS} columns`);
    try {
      out[n] = rows.story(row, bodies);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      throw new RowError(`story ${n}: ${err.message}`, { cause: err });
    }
  }
  const { lengths } = data;
  // Lengths that do not fit are no reason to refuse the file: its next write serialises every row.
  if (!Array.isArray(lengths) || lengths.length !== out.length || !lengths.every((l) => Number.isSafeInteger(l) && (l as number) > 0)) {
    return { stories: out, table: null };
  }
  let at = 0;
  for (let n = 0; n < out.length; n++) {
    out[n]!.placeRow(at, lengths[n] as number);
    at += (lengths[n] as number) + 1;
  }
  // Sized by the strings its rows name: a table grown by rewrites before a restart is still compacted.
  return { stories: out, table: new StoryTable(strings, rows.namedCount()) };
}

/** Decodes the rows of one file against its string table (methods, not closures per row: ~50,000 rows a start). */
class RowReader {
  /** The shared one-string list for each table index, made when first asked. */
  private readonly singles: (string[] | undefined)[] = [];
  /** The shared list for each other list of indexes (`0,3`), made when first asked. */
  private readonly lists = new Map<string, string[]>();
  /** 1 for each table index a row names. */
  private readonly named: Uint8Array;

  /** `table`: the file's strings, already shared. */
  constructor(
    private readonly table: readonly string[],
    private readonly share: Sharing,
  ) {
    this.named = new Uint8Array(table.length);
  }

  /** How many of the table's strings the rows decoded so far name. */
  namedCount(): number {
    let n = 0;
    for (const b of this.named) n += b;
    return n;
  }

  story(row: Row, bodies: BodyShards): HeldStory {
    const id = this.text(row, 0);
    const keys = row[1];
    let extra: string[] | null = null;
    if (keys !== 0) {
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new RowError('column 1: not 0 or a list of keys');
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
    if (s === undefined) throw new RowError(`column ${col}: no string ${String(row[col])}`);
    this.named[row[col] as number] = 1;
    return s;
  }

  private refOrNull(row: Row, col: number): string | null {
    return row[col] === NONE ? null : this.ref(row, col);
  }

  private text(row: Row, col: number): string {
    const s = row[col];
    if (typeof s !== 'string') throw new RowError(`column ${col}: not a string`);
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
    if (s === undefined) throw new RowError(`column ${col}: no string ${i}`);
    this.named[i] = 1;
    return (this.singles[i] = this.share.list([s]));
  }

  private list(row: Row, col: number): string[] {
    const refs = row[col];
    if (!Array.isArray(refs)) throw new RowError(`column ${col}: not a list`);
    if (refs.length === 1 && typeof refs[0] === 'number') return this.single(refs[0], col);
    const key = refs.join(',');
    const held = this.lists.get(key);
    if (held !== undefined) return held;
    const items = refs.map((i: unknown) => {
      const s = typeof i === 'number' ? this.table[i] : undefined;
      if (s === undefined) throw new RowError(`column ${col}: no string ${String(i)}`);
      this.named[i as number] = 1;
      return s;
    });
    const list = this.share.list(items);
    this.lists.set(key, list);
    return list;
  }
}
