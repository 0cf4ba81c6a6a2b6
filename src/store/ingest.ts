/**
 * Ingest: dated stories from one fetch of one source → the store.
 *
 * Scopes first: a parsed story is only ever matched with a held story of the source's own
 * visibility scope (identity/index.ts: all public sources share one, each private source is one
 * of its own; a held story's scope is that of its sources). So a private source's body, updates,
 * times and links never reach a story that a public feed shows, whichever source saw it first.
 *
 * A parsed story is a held one when, in this order:
 *   1. its story key (headline hash) is among the keys of a held story of its scope, or
 *   2. its lead key (place + first sentence) matches a held story listed under the same
 *      source and seen within the last 48 hours — the top story that moved into the list
 *      without its headline, or a story whose headline was edited.
 * Otherwise it is new, and its id is its story key — or, when a story of another scope holds
 * that id already, a hash of (scope, key) (identity newStoryId) — forever.
 *
 * Merging a held story:
 *   - body: an identical body changes nothing; a body that is the beginning of the held one
 *     (a list showing only the lead) keeps the longer one and changes nothing; any other body
 *     replaces the held one and sets `updated` to the fetch time;
 *   - headline: a real headline replaces a derived one; an edited real headline replaces the
 *     old one (and sets `updated`); a derived headline never replaces a real one;
 *   - publication interval: narrowed to the intersection of the held and the new one; an
 *     empty intersection keeps the held interval and is reported;
 *   - the source joins the story's source list; lastSeen moves to the fetch time.
 * A page that lists one story twice (the same key, or its lead under another headline) merges
 * the first listing as above; later ones change neither body nor headline. Otherwise two
 * different bodies would each replace the other on every fetch: an "update" each time.
 */
import { bodyHash, newStoryId, PUBLIC_SCOPE, storyKeys, storyScope, type Scope, type StoryKeys } from '../identity/index.js';
import { WirefeedError } from '../errors.js';
import type { DatedStory, Lang, StoredStory } from '../model.js';
import type { Store } from './index.js';

const LEAD_MATCH_WINDOW_MS = 48 * 3600 * 1000;

export interface IngestCounts {
  new: number;
  updated: number;
  unchanged: number;
}

export interface IngestResult extends IngestCounts {
  /** Stories whose feed-visible fields changed (new, updated, re-dated, newly listed). */
  changed: number;
  warnings: string[];
}

export interface IngestOptions {
  sourceId: string;
  /** Fetch time. */
  at: Date;
  lang: Lang;
  /**
   * The visibility scope of each configured source (identity sourceScope), null for one that is
   * not configured. Comes from the config of the caller; without it every source is public.
   */
  scopeOf?: (sourceId: string) => Scope | null;
}

const ALL_PUBLIC = (): Scope => PUBLIC_SCOPE;

function iso(d: Date): string {
  return d.toISOString();
}

/**
 * Keys of the stories on each source's last page, by raw headline. A page seen again mostly
 * shows the same stories, and hashing three normalised texts per story is most of an
 * ingest's cost. Keys are a pure function of headline, place and first sentence, so a memo
 * is exact; it holds one page per source and is replaced at every ingest of that source.
 * Each store owns one (Store.lastPages): two stores in a process never share it.
 */
interface KnownKeys {
  place: string | null;
  leadSentence: string;
  keys: StoryKeys;
  /** The body last seen under this headline and its hash (null until needed). */
  body: readonly string[];
  bodyHash: string | null;
}

export class LastPages {
  private readonly bySource = new Map<string, Map<string, KnownKeys>>();

  /** The memo of the source's previous page; `now` becomes the memo of this one. */
  swap(sourceId: string, now: Map<string, KnownKeys>): Map<string, KnownKeys> | undefined {
    const before = this.bySource.get(sourceId);
    this.bySource.set(sourceId, now);
    return before;
  }

  /** Drop a source's memo (the source left the config). */
  forget(sourceId: string): void {
    this.bySource.delete(sourceId);
  }

  /** Sources with a memo. */
  size(): number {
    return this.bySource.size;
  }
}

function keysOf(d: DatedStory, before: Map<string, KnownKeys> | undefined, now: Map<string, KnownKeys>): KnownKeys {
  const known = before?.get(d.headline);
  const keys = known !== undefined && known.place === d.place && known.leadSentence === d.leadSentence ? known.keys : storyKeys(d);
  const hash = known !== undefined && sameStrings(known.body, d.body) ? known.bodyHash : null;
  const entry = { place: d.place, leadSentence: d.leadSentence, keys, body: d.body, bodyHash: hash };
  now.set(d.headline, entry);
  return entry;
}

/** The hash of the page's body for this story, computed once per distinct body. */
function bodyHashOf(known: KnownKeys): string {
  return (known.bodyHash ??= bodyHash(known.body));
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function findHeld(
  store: Store,
  keys: { storyKey: string; leadKey: string | null },
  sourceId: string,
  scoped: { scope: Scope; scopeOf: (sourceId: string) => Scope | null },
  at: Date,
): StoredStory | undefined {
  const byKey = store.withKey(keys.storyKey).find((s) => storyScope(s, scoped.scopeOf) === scoped.scope);
  if (byKey !== undefined) return byKey;
  if (keys.leadKey === null) return undefined;
  const since = at.getTime() - LEAD_MATCH_WINDOW_MS;
  // Listed under this very source, so of its scope (separateScopes keeps every story in one).
  return store
    .byLeadKey(keys.leadKey)
    .find((s) => s.sources.includes(sourceId) && Date.parse(s.lastSeen) >= since);
}

function squash(body: readonly string[]): string {
  return body.join(' ').replace(/\s+/g, ' ').trim();
}

/** True when `part` is the beginning of `whole` (a lead-only listing of a longer story). */
function isBeginningOf(part: readonly string[], whole: readonly string[]): boolean {
  const a = squash(part);
  const b = squash(whole);
  return a.length > 0 && a.length < b.length && b.startsWith(a);
}

function newStory(d: DatedStory, known: KnownKeys, opts: IngestOptions, id: string): StoredStory {
  const { keys } = known;
  const at = iso(opts.at);
  return {
    id,
    keys: [keys.storyKey],
    leadKey: keys.leadKey,
    sources: [opts.sourceId],
    headline: d.headline,
    headlineDerived: d.headlineDerived,
    place: d.place,
    agencies: [...d.agencies],
    section: d.section,
    body: [...d.body],
    bodyHash: bodyHashOf(known),
    link: d.link,
    author: d.author,
    image: d.image,
    lang: opts.lang,
    firstSeen: at,
    lastSeen: at,
    publishedEarliest: d.publishedEarliest === null ? null : iso(d.publishedEarliest),
    publishedLatest: iso(d.publishedLatest),
    updated: at,
  };
}

/** Narrow the held interval to its intersection with the new one; 'disjoint' keeps the held one. */
function narrow(held: StoredStory, d: DatedStory): 'same' | 'narrowed' | 'disjoint' {
  const oldE = held.publishedEarliest === null ? -Infinity : Date.parse(held.publishedEarliest);
  const oldL = Date.parse(held.publishedLatest);
  const newE = d.publishedEarliest === null ? -Infinity : d.publishedEarliest.getTime();
  const newL = d.publishedLatest.getTime();
  const e = Math.max(oldE, newE);
  const l = Math.min(oldL, newL);
  if (e > l) return 'disjoint';
  if (e === oldE && l === oldL) return 'same';
  held.publishedEarliest = e === -Infinity ? null : new Date(e).toISOString();
  held.publishedLatest = new Date(l).toISOString();
  return 'narrowed';
}

/** Merge one dated story into a held one; returns whether the body/headline changed and whether feeds see a change. */
function merge(
  held: StoredStory,
  d: DatedStory,
  known: KnownKeys,
  opts: IngestOptions & { atIso: string },
  warnings: string[],
  repeat: boolean,
): { updated: boolean; visible: boolean } {
  let updated = false;
  let visible = false;
  const at = opts.atIso;
  const { keys } = known;

  // A new key must reach the store's indexes, which only `put` refreshes. Arrays of a held
  // story are replaced, never changed in place: the store shares them between stories.
  if (!held.keys.includes(keys.storyKey)) {
    held.keys = [...held.keys, keys.storyKey];
    visible = true;
  }
  if (held.leadKey === null && keys.leadKey !== null) {
    held.leadKey = keys.leadKey;
    visible = true;
  }

  if (!repeat && !d.headlineDerived && d.headline !== held.headline) {
    // A real headline beats a derived one; a changed real headline is an edit.
    if (!held.headlineDerived) updated = true;
    held.headline = d.headline;
    held.headlineDerived = false;
    visible = true;
  }

  // Compared by hash: the held body is read (from the body files) only when the hashes differ.
  // The hash of a body seen on the last page under the same headline is not computed again.
  if (!repeat && d.body.length > 0) {
    const hash = bodyHashOf(known);
    if (hash !== held.bodyHash && !isBeginningOf(d.body, held.body)) {
      held.body = [...d.body];
      held.bodyHash = hash;
      updated = true;
      visible = true;
    }
  }

  if (held.place === null && d.place !== null) held.place = d.place;
  if (held.agencies.length === 0 && d.agencies.length > 0) held.agencies = [...d.agencies];
  if (held.section === null && d.section !== null) held.section = d.section;
  if (held.link === null && d.link !== null) {
    held.link = d.link;
    visible = true;
  }
  if (!held.sources.includes(opts.sourceId)) {
    held.sources = [...held.sources, opts.sourceId];
    visible = true;
  }

  const latest = held.publishedLatest;
  const dated = narrow(held, d);
  // Feeds show an interval's latest moment only (select: published = publishedLatest). A story
  // seen again later mostly narrows the earliest bound: stored, but not a change feeds show, or
  // every poll (and every restart) of a live page would announce unchanged feeds to the hub.
  if (dated === 'narrowed' && held.publishedLatest !== latest) visible = true;
  if (dated === 'disjoint') {
    warnings.push(
      `store: story ${held.id} ("${held.headline.slice(0, 60)}") on ${opts.sourceId}: age ${d.ageText ?? '(none)'} ` +
        `does not fit the held interval ${held.publishedEarliest ?? '…'} – ${held.publishedLatest}; kept the held one`,
    );
  }

  if (updated) held.updated = at;
  held.lastSeen = at;
  return { updated, visible };
}

/** Put one fetch's stories into the store. Idempotent: the same stories at the same time change nothing. */
export function ingestStories(store: Store, stories: readonly DatedStory[], opts: IngestOptions): IngestResult {
  const result: IngestResult = { new: 0, updated: 0, unchanged: 0, changed: 0, warnings: [] };
  const now = new Map<string, KnownKeys>();
  const before = store.lastPages.swap(opts.sourceId, now);
  const mergeOpts = { ...opts, atIso: iso(opts.at) };
  const onThisPage = new Set<StoredStory>();
  const scopeOf = opts.scopeOf ?? ALL_PUBLIC;
  const scope = scopeOf(opts.sourceId);
  if (scope === null) throw new WirefeedError('store', 'E_SCOPE', `E_SCOPE: source ${opts.sourceId} is not configured: its stories have no scope`);
  const scoped = { scope, scopeOf };
  for (const d of stories) {
    const known = keysOf(d, before, now);
    const held = findHeld(store, known.keys, opts.sourceId, scoped, opts.at);
    if (held === undefined) {
      const id = newStoryId(known.keys.storyKey, scoped.scope, (taken) => store.get(taken) !== undefined);
      const story = store.put(newStory(d, known, opts, id));
      onThisPage.add(story);
      result.new += 1;
      result.changed += 1;
      continue;
    }
    const { updated, visible } = merge(held, d, known, mergeOpts, result.warnings, onThisPage.has(held));
    onThisPage.add(held);
    if (updated) result.updated += 1;
    else result.unchanged += 1;
    if (visible) {
      store.put(held);
      result.changed += 1;
    } else {
      store.touchSeen(held);
    }
  }
  return result;
}

/**
 * Keep every held story within one scope. Run at start and after each config change: a token
 * added to or taken from a source moves it to another scope, and state from before scopes holds
 * stories listed under a public and a private source at once. Such a story keeps the sources of
 * one scope — the public one when a public source lists it (public feeds keep their entries),
 * else its home's — and every other source is unlisted; at its next fetch that source makes its
 * own story (a new entry for its readers, once). What each source contributed can no longer be
 * told apart, so the body and the link go and the headline counts as derived: the next listing
 * on a kept source fills them again. Returns how many stories were split.
 */
export function separateScopes(store: Store, sourceIds: Iterable<string>, scopeOf: (sourceId: string) => Scope | null): number {
  const seen = new Set<StoredStory>();
  let split = 0;
  for (const sourceId of sourceIds) {
    // A copy: unlisting changes what the store lists under a source.
    for (const story of [...store.ofSource(sourceId)]) {
      if (story.sources.length < 2 || seen.has(story)) continue;
      seen.add(story);
      const scopes = story.sources.map(scopeOf);
      const keep = scopes.includes(PUBLIC_SCOPE) ? PUBLIC_SCOPE : storyScope(story, scopeOf);
      const leaving = story.sources.filter((_, i) => scopes[i] !== null && scopes[i] !== keep);
      if (leaving.length === 0) continue;
      for (const source of leaving) store.unlist(story, source);
      story.body = [];
      story.bodyHash = bodyHash([]);
      story.link = null;
      story.headlineDerived = true;
      store.put(story);
      split += 1;
    }
  }
  return split;
}
