/**
 * Store → FeedView: which stories a feed shows, in which order, and how each reads as an entry.
 * A source's feed lists the stories seen on it; a combined feed the union of its sources',
 * filtered by `include`/`exclude`, each lead shown once. Newest first by publication (latest
 * moment of the interval, to the second).
 */
import { entryUri, feedEntryUri } from '../identity/index.js';
import { LANGS, type EntryView, type FeedView, type Lang, type StoredStory } from '../model.js';
import type { ListedStory, Store } from '../store/index.js';

/** What a feed is made of, whether a source's own or a configured combined one. */
export interface FeedSpec {
  id: string;
  title: string;
  sourceIds: readonly string[];
  include: readonly string[];
  exclude: readonly string[];
  /** Most entries this feed ever shows (a request's ?limit= is capped by it). */
  limit: number;
  /** Page the feed stands for. */
  alternateUrl: string;
  /** Configured language, or null to take the stories' own. */
  lang: Lang | null;
}

/** Per source: its title (entry author fallback) and page URL (entry link fallback). */
export interface SourceInfo {
  title: string;
  pageUrl: string;
}

export interface SelectContext {
  baseUrl: string;
  hub: string | null;
  sources: ReadonlyMap<string, SourceInfo>;
}

/** True when the headline or body holds one of the (lower-cased) words. */
function matchesAny(story: StoredStory, lowerWords: readonly string[]): boolean {
  const hay = `${story.headline}\n${story.body.join('\n')}`.toLocaleLowerCase();
  return lowerWords.some((w) => hay.includes(w));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A combined feed shows a lead once: of stories with the same lead key (dateline place + first
 * sentence) from different sources — one lead under two headlines — the one first seen stays
 * (ties: the lower id). Within one source ingest has merged such stories already; two stories of
 * one source that share a lead (more than 48 hours apart) both stay. Returns the ids that stay of
 * one lead's group.
 */
function keptOfLead(group: readonly StoredStory[]): Set<string> {
  const kept: StoredStory[] = [];
  for (const story of [...group].sort((a, b) => compare(a.firstSeen, b.firstSeen) || compare(a.id, b.id))) {
    if (!kept.some((k) => !k.sources.some((s) => story.sources.includes(s)))) kept.push(story);
  }
  return new Set(kept.map((s) => s.id));
}

/** Stories fetched per query while a feed is filled. */
const FEED_BATCH = 200;

/**
 * The stories a feed shows, newest first, at most `limit` (and the spec's own limit): its
 * sources' stories in pages of the store's feed query, each lead once in a combined feed,
 * include/exclude words applied, until the feed is full.
 */
export async function selectStories(store: Store, spec: FeedSpec, limit: number): Promise<ListedStory[]> {
  const want = Math.min(limit, spec.limit);
  const out: ListedStory[] = [];
  if (want <= 0 || spec.sourceIds.length === 0) return out;
  const include = spec.include.map((w) => w.toLocaleLowerCase());
  const exclude = spec.exclude.map((w) => w.toLocaleLowerCase());
  const leads = new Map<string, Set<string>>();
  const taken = new Set<string>();
  for (let offset = 0; out.length < want; offset += FEED_BATCH) {
    const rows = await store.feed({ sourceIds: spec.sourceIds, limit: FEED_BATCH, offset });
    for (const story of rows) {
      if (taken.has(story.id)) continue;
      if (spec.sourceIds.length > 1 && story.leadKey !== null) {
        let kept = leads.get(story.leadKey);
        if (kept === undefined) leads.set(story.leadKey, (kept = keptOfLead(await store.leadGroup(story.leadKey, spec.sourceIds))));
        if (!kept.has(story.id)) continue;
      }
      if (include.length > 0 && !matchesAny(story, include)) continue;
      if (exclude.length > 0 && matchesAny(story, exclude)) continue;
      taken.add(story.id);
      out.push(story);
      if (out.length === want) break;
    }
    if (rows.length < FEED_BATCH) break;
  }
  return out;
}

function only(url: string | null): string | null {
  // Entry links come from pages we do not control: nothing but http(s) may reach a reader.
  return url !== null && /^https?:\/\//i.test(url) ? url : null;
}

/** A moment shown to the whole second: an interval's latest moment (`…:59.999`) reads `…:59`. */
function toSecond(iso: string): Date {
  const ms = Date.parse(iso);
  return new Date(ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The entry id of a story in a feed: entryUri(story id) in the feed of the source it was first
 * seen on (`origin`: ListedStory.origin, which outlives retention moving the story to another home),
 * as it always was; in any other feed (combined, or another source's) one of its own (identity
 * feedEntryUri), since readers such as newsboat key entries by id across all their feeds.
 */
export function entryId(storyId: string, origin: string | undefined, feedId: string): string {
  return origin === feedId ? entryUri(storyId) : feedEntryUri(feedId, storyId);
}

/** Who an entry is by: the byline; else the agencies (`ANP/RTR`); else the source's title. */
function entryAuthor(story: StoredStory, sourceTitle: string | undefined): string {
  // Stories stored before bylines were read have no author field at all.
  if (typeof story.author === 'string' && story.author !== '') return story.author;
  return story.agencies.length > 0 ? story.agencies.join('/') : (sourceTitle ?? 'wirefeed');
}

export function toEntry(story: StoredStory & { fullText?: string }, id: string, ctx: SelectContext, fallbackPage: string): EntryView {
  const home = ctx.sources.get(story.sources[0] ?? '');
  const published = toSecond(story.publishedLatest);
  const updated = new Date(Math.max(toSecond(story.updated).getTime(), published.getTime()));
  return {
    id,
    title: story.headline,
    link: only(story.link) ?? home?.pageUrl ?? fallbackPage,
    published,
    updated,
    author: entryAuthor(story, home?.title),
    category: story.section,
    body: story.body,
    summary: story.body[0] ?? '',
    language: story.lang,
    ...(only(story.image) === null ? {} : { image: story.image as string }),
    ...(story.fullText === undefined ? {} : { contentHtml: story.fullText }),
  };
}

/** The language most of the stories are in; a tie goes to the first in LANGS, not to the newest story. */
function mostCommonLang(stories: readonly StoredStory[]): Lang {
  const counts = new Map<Lang, number>();
  for (const s of stories) counts.set(s.lang, (counts.get(s.lang) ?? 0) + 1);
  let best: Lang = 'nl';
  let n = 0;
  for (const lang of LANGS) if ((counts.get(lang) ?? 0) > n) [best, n] = [lang, counts.get(lang)!];
  return best;
}

export async function buildFeedView(store: Store, spec: FeedSpec, limit: number, ctx: SelectContext): Promise<FeedView> {
  const stories = await selectStories(store, spec, limit);
  let updated = 0;
  for (const s of stories) updated = Math.max(updated, toSecond(s.updated).getTime(), toSecond(s.publishedLatest).getTime());
  return {
    id: spec.id,
    title: spec.title,
    language: spec.lang ?? mostCommonLang(stories),
    alternateUrl: spec.alternateUrl,
    baseUrl: ctx.baseUrl,
    updated: new Date(updated),
    hub: ctx.hub,
    entries: stories.map((s) => toEntry(s, entryId(s.id, s.origin, spec.id), ctx, spec.alternateUrl)),
  };
}
