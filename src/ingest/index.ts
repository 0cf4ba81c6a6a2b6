/**
 * Ingest: dated stories from one fetch of one source → the store, as one transaction (with the
 * source's bookkeeping and what retention lets go), pure over the Store interface.
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
 * Byline and image: a non-null one replaces the held one.
 *
 * Lookups run before the write and see the page's own earlier stories (a working copy per page),
 * so ingests of one store are taken one at a time (`exclusive`): two pages merging into the same
 * held story must not both start from its old row.
 */
import { bodyHash, newStoryId, PUBLIC_SCOPE, storyScope, type Scope, type StoryKeys } from '../identity/index.js';
import { WirefeedError } from '../errors.js';
import type { DatedStory, Lang, SourceState, StoredStory } from '../model.js';
import { wellFormed, type Store, type StoryStamp } from '../store/index.js';
import { Lookups, type Scoped } from './lookups.js';
import { knownOf, lastPages, type Known } from './last-page.js';
import { retentionDrops, type RetentionPolicy } from './retention.js';
import { merge, newStory } from './rules.js';

export { forgetLastPage } from './last-page.js';
export type { RetentionPolicy } from './retention.js';

export interface IngestResult {
  new: number;
  updated: number;
  unchanged: number;
  /** Stories whose feed-visible fields changed (new, updated, re-dated, newly listed). */
  changed: number;
  /** Stories retention unlisted from the source. */
  dropped: number;
  /** Sources whose feeds may show something else now (sorted). */
  touched: string[];
  warnings: string[];
}

export interface IngestOptions {
  sourceId: string;
  /** Fetch time. */
  at: Date;
  lang: Lang;
  /**
   * The visibility scope of each configured source (identity sourceScope), null for one that is
   * not configured. Comes from the config of the caller (app.ts sourceScopes); required, so that
   * no caller makes a private source's stories public by leaving it out.
   */
  scopeOf: (sourceId: string) => Scope | null;
  /** Applied after the page, in its transaction; none: every story stays. */
  retention?: RetentionPolicy;
  /** The source's bookkeeping after this page (validators, content hash), committed with its stories. */
  source?: Partial<SourceState>;
}

const turns = new WeakMap<Store, Promise<unknown>>();

/** Run `fn` when no other `exclusive` call on this store is running (read-merge-write stays whole). */
export function exclusive<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(store) ?? Promise.resolve();
  const run = before.then(fn, fn);
  turns.set(
    store,
    run.catch(() => undefined), // the caller gets the failure; the next turn only waits for it
  );
  return run;
}

function iso(d: Date): string {
  return d.toISOString();
}

/** A page's stories as they will be written: held ones merged, new ones made; looked up before the store. */
class WorkingSet {
  readonly byId = new Map<string, StoredStory>();
  /** Each story's place in `byId` (its first `put`). */
  private readonly order = new Map<string, number>();
  /** The page's stories under every story key and lead key they have had on this page (merge only ever adds one). */
  private readonly underKey = new Map<string, StoredStory[]>();
  private readonly underLead = new Map<string, StoredStory[]>();

  /** Take the page's copy of a story, under its keys and lead key as they are now: again after a merge may have added one. */
  put(story: StoredStory): void {
    if (!this.order.has(story.id)) this.order.set(story.id, this.order.size);
    this.byId.set(story.id, story);
    for (const key of story.keys) listUnder(this.underKey, key, story);
    if (story.leadKey !== null) listUnder(this.underLead, story.leadKey, story);
  }

  /** `find` among the page's stories with this story key. */
  withKey(rows: readonly StoredStory[], key: string, accept: (s: StoredStory) => boolean): StoredStory | undefined {
    return this.find(rows, this.underKey.get(key), accept);
  }

  /** `find` among the page's stories with this lead key. */
  withLead(rows: readonly StoredStory[], leadKey: string, accept: (s: StoredStory) => boolean): StoredStory | undefined {
    return this.find(rows, this.underLead.get(leadKey), accept);
  }

  /**
   * The first story that `accept`s among the store rows, each as the page's copy where it has one,
   * then among the page's `own` stories the rows do not hold, in page order.
   */
  private find(rows: readonly StoredStory[], own: readonly StoredStory[] | undefined, accept: (s: StoredStory) => boolean): StoredStory | undefined {
    for (const r of rows) {
      const s = this.byId.get(r.id) ?? r;
      if (accept(s)) return s;
    }
    if (own === undefined) return undefined;
    const ids = new Set(rows.map((r) => r.id));
    const place = (s: StoredStory): number => this.order.get(s.id)!;
    return own
      .filter((s) => !ids.has(s.id))
      .sort((a, b) => place(a) - place(b))
      .find(accept);
  }
}

function listUnder(index: Map<string, StoredStory[]>, key: string, story: StoredStory): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [story]);
  else if (!list.includes(story)) list.push(story);
}

async function findHeld(work: WorkingSet, keys: StoryKeys, sourceId: string, scoped: Scoped, lookups: Lookups): Promise<StoredStory | undefined> {
  const byKey = work.withKey(await lookups.withKey(keys.storyKey), keys.storyKey, (s) => storyScope(s, scoped.scopeOf) === scoped.scope);
  if (byKey !== undefined) return byKey;
  if (keys.leadKey === null) return undefined;
  const since = lookups.since;
  // Listed under this very source, so of its scope (separateScopes keeps every story in one).
  return work.withLead(await lookups.byLeadKey(keys.leadKey), keys.leadKey, (s) => s.sources.includes(sourceId) && s.lastSeen >= since);
}

/** The id a new story gets (identity newStoryId), asking the store which ids are taken. */
async function freeId(lookups: Lookups, work: WorkingSet, key: string, scope: Scope): Promise<string> {
  const taken = new Set<string>();
  for (;;) {
    const id = newStoryId(key, scope, (x) => taken.has(x));
    if (!work.byId.has(id) && !(await lookups.held(id))) return id;
    taken.add(id);
  }
}

export function ingestPage(store: Store, stories: readonly DatedStory[], opts: IngestOptions): Promise<IngestResult> {
  return exclusive(store, () => ingestNow(store, stories.map(asStored), opts));
}

/** The page's text as the store keeps it (wellFormed), so that a page seen twice compares equal to what it stored. */
function asStored(d: DatedStory): DatedStory {
  const n = (t: string | null) => (t === null ? t : wellFormed(t));
  return {
    ...d,
    headline: wellFormed(d.headline),
    place: n(d.place),
    agencies: d.agencies.map(wellFormed),
    section: n(d.section),
    body: d.body.map(wellFormed),
    leadSentence: wellFormed(d.leadSentence),
    link: n(d.link),
    author: n(d.author),
    image: n(d.image),
  };
}

async function ingestNow(store: Store, stories: readonly DatedStory[], opts: IngestOptions): Promise<IngestResult> {
  const result: IngestResult = { new: 0, updated: 0, unchanged: 0, changed: 0, dropped: 0, touched: [], warnings: [] };
  const mergeOpts = { ...opts, atIso: iso(opts.at) };
  const scopeOf = opts.scopeOf;
  const scope = scopeOf(opts.sourceId);
  if (scope === null) throw new WirefeedError('ingest', 'E_SCOPE', `E_SCOPE: source ${opts.sourceId} is not configured: its stories have no scope`);
  const scoped = { scope, scopeOf };
  const work = new WorkingSet();
  const visible = new Set<string>();
  const rewritten = new Set<string>();
  const memo = lastPages(store);
  const before = memo.get(opts.sourceId);
  // Stories held with lastSeen at this fetch already (the same page ingested again): nothing to write.
  const seenNow = new Set<string>();
  const now = new Map<string, Known>();
  memo.set(opts.sourceId, now);
  const knowns = stories.map((d) => knownOf(d, before, now));
  const lookups = await Lookups.of(store, knowns.map((k) => k.keys), opts.sourceId, scoped, opts.at);
  for (const [i, d] of stories.entries()) {
    const known = knowns[i]!;
    const { keys } = known;
    const hash = (): string => (known.bodyHash ??= bodyHash(known.body));
    const held = await findHeld(work, keys, opts.sourceId, scoped, lookups);
    if (held === undefined) {
      const story = newStory(d, keys, hash(), opts, await freeId(lookups, work, keys.storyKey, scope));
      work.put(story);
      visible.add(story.id);
      result.new += 1;
      result.changed += 1;
      continue;
    }
    const repeat = work.byId.has(held.id);
    if (!repeat && held.lastSeen === mergeOpts.atIso) seenNow.add(held.id);
    const m = merge(held, d, keys, hash, mergeOpts, result.warnings, repeat);
    work.put(held);
    if (m.quiet) rewritten.add(held.id);
    if (m.updated) result.updated += 1;
    else result.unchanged += 1;
    if (m.visible) {
      if (!visible.has(held.id)) result.changed += 1;
      visible.add(held.id);
    }
  }
  const page = [...work.byId.values()];
  let drops: string[] = [];
  if (opts.retention !== undefined) {
    const listed = new Map<string, StoryStamp>((await store.stamps(opts.sourceId)).map((s) => [s.id, s]));
    for (const s of page) listed.set(s.id, { id: s.id, publishedLatest: s.publishedLatest, lastSeen: s.lastSeen });
    drops = retentionDrops([...listed.values()], mergeOpts.atIso, opts.retention, opts.at);
  }
  const change = {
    put: page.filter((s) => visible.has(s.id)),
    quiet: page.filter((s) => !visible.has(s.id) && rewritten.has(s.id)),
    seen: { at: mergeOpts.atIso, ids: page.filter((s) => !visible.has(s.id) && !rewritten.has(s.id) && !seenNow.has(s.id)).map((s) => s.id) },
    ...(drops.length > 0 ? { unlist: { sourceId: opts.sourceId, ids: drops } } : {}),
    ...(opts.source !== undefined ? { sources: { [opts.sourceId]: opts.source } } : {}),
  };
  result.dropped = drops.length;
  // The same page at the same fetch time, no bookkeeping: nothing to write, no transaction.
  if (change.put.length + change.quiet.length + change.seen.ids.length + drops.length === 0 && opts.source === undefined) return result;
  result.touched = (await store.commit(change)).touched;
  return result;
}

/**
 * Keep every held story within one scope. Run at start and after each config change: a token
 * added to or taken from a source moves it to another scope, and state from before scopes holds
 * stories listed under a public and a private source at once. Such a story keeps the sources of
 * one scope — the public one when a public source lists it (public feeds keep their entries),
 * else its home's — and every other source lets it go; at its next fetch that source makes its
 * own story (a new entry for its readers, once). What each source contributed can no longer be
 * told apart, so the body and the link go and the headline counts as derived: the next listing
 * on a kept source fills them again. A story across scopes always has a private source among
 * its sources, so the private sources' shared stories are all there is to look at. Returns how
 * many stories were split and the sources touched.
 */
export function separateScopes(
  store: Store,
  sourceIds: Iterable<string>,
  scopeOf: (sourceId: string) => Scope | null,
): Promise<{ split: number; touched: string[] }> {
  return exclusive(store, async () => {
    const seen = new Set<string>();
    const put: StoredStory[] = [];
    for (const sourceId of sourceIds) {
      const own = scopeOf(sourceId);
      if (own === null || own === PUBLIC_SCOPE) continue;
      for (const story of await store.shared(sourceId)) {
        if (seen.has(story.id)) continue;
        seen.add(story.id);
        const scopes = story.sources.map(scopeOf);
        const keep = scopes.includes(PUBLIC_SCOPE) ? PUBLIC_SCOPE : storyScope(story, scopeOf);
        const kept = story.sources.filter((_, i) => scopes[i] === null || scopes[i] === keep);
        if (kept.length === story.sources.length) continue;
        put.push({ ...story, sources: kept, body: [], bodyHash: bodyHash([]), link: null, headlineDerived: true });
      }
    }
    if (put.length === 0) return { split: 0, touched: [] };
    const { touched } = await store.commit({ put });
    return { split: put.length, touched };
  });
}
