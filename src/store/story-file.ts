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

/** The text of a story file holding `stories` (rows in the order given). */
export function encodeStoryFile(stories: readonly (StoryMeta | HeldStory)[]): string {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const refOrNone = (s: string | null): number => (s === null ? NONE : ref(s));
  const rows = stories.map((s) => [
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
  ]);
  return JSON.stringify({ version: STORY_FILE_VERSION, strings, stories: rows });
}

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
