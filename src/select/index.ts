/**
 * Store → FeedView: which stories a feed shows, in which order, and how each reads as an entry.
 * A source's feed lists the stories seen on it; a combined feed the union of its sources',
 * filtered by `include`/`exclude`. Newest first by publication (latest moment of the interval).
 */
import { entryUri } from '../identity/index.js';
import type { EntryView, FeedView, Lang, StoredStory } from '../model.js';
import type { Store } from '../store/index.js';
import { newestFirst } from '../store/retention.js';

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

/** The stories a feed holds, unordered: its sources' stories, include/exclude words applied. */
export function feedStories(store: Store, spec: FeedSpec): StoredStory[] {
  const seen = new Set<StoredStory>();
  for (const sourceId of spec.sourceIds) for (const story of store.ofSource(sourceId)) seen.add(story);
  let stories = [...seen];
  const include = spec.include.map((w) => w.toLocaleLowerCase());
  const exclude = spec.exclude.map((w) => w.toLocaleLowerCase());
  if (include.length > 0) stories = stories.filter((s) => matchesAny(s, include));
  if (exclude.length > 0) stories = stories.filter((s) => !matchesAny(s, exclude));
  return stories;
}

export function selectStories(store: Store, spec: FeedSpec, limit: number): StoredStory[] {
  return feedStories(store, spec).sort(newestFirst).slice(0, Math.min(limit, spec.limit));
}

function only(url: string | null): string | null {
  // Entry links come from pages we do not control: nothing but http(s) may reach a reader.
  return url !== null && /^https?:\/\//i.test(url) ? url : null;
}

export function toEntry(story: StoredStory, ctx: SelectContext, fallbackPage: string): EntryView {
  const home = ctx.sources.get(story.sources[0] ?? '');
  const published = new Date(story.publishedLatest);
  const updated = new Date(Math.max(Date.parse(story.updated), published.getTime()));
  return {
    id: entryUri(story.id),
    title: story.headline,
    link: only(story.link) ?? home?.pageUrl ?? fallbackPage,
    published,
    updated,
    author: story.agencies.length > 0 ? story.agencies.join('/') : (home?.title ?? 'wirefeed'),
    category: story.section,
    body: story.body,
    summary: story.body[0] ?? '',
  };
}

function mostCommonLang(stories: readonly StoredStory[]): Lang {
  const counts = new Map<Lang, number>();
  for (const s of stories) counts.set(s.lang, (counts.get(s.lang) ?? 0) + 1);
  let best: Lang = 'nl';
  let n = 0;
  for (const [lang, c] of counts) if (c > n) [best, n] = [lang, c];
  return best;
}

export function buildFeedView(store: Store, spec: FeedSpec, limit: number, ctx: SelectContext): FeedView {
  const stories = selectStories(store, spec, limit);
  let updated = 0;
  for (const s of stories) updated = Math.max(updated, Date.parse(s.updated), Date.parse(s.publishedLatest));
  return {
    id: spec.id,
    title: spec.title,
    language: spec.lang ?? mostCommonLang(stories),
    alternateUrl: spec.alternateUrl,
    baseUrl: ctx.baseUrl,
    updated: new Date(updated),
    hub: ctx.hub,
    entries: stories.map((s) => toEntry(s, ctx, spec.alternateUrl)),
  };
}
