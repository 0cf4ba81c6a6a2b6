/** What the daemon says about itself: /healthz and each feed's status on the index page. */
import { HOURS, sourceActivity, type FetchHistory } from '../activity/index.js';
import type { SourceConfig } from '../config/schema.js';
import type { FeedListing, Headline } from '../render/index.js';
import { selectStories, type FeedSpec } from '../select/index.js';
import type { Store } from '../store/index.js';
import type { SourceBook } from './book.js';
import type { Role } from './cluster.js';
import { publicError, type Wiring } from './wiring.js';

/** Headlines a feed shows on the index page. */
const INDEX_HEADLINES = 3;

export interface StatusDeps {
  store: Store;
  book: SourceBook;
  history: FetchHistory;
  wiring(): Wiring;
  now(): Date;
  startedAt: Date;
  /** Why the state cannot be read or written now, null while it can. */
  stateError(): string | null;
  /** This instance's part (issue 17): the one that fetches, or one that only serves. */
  role(): Role;
}

export interface Status {
  health(at: Date): { ok: boolean; body: unknown };
  feedStatus(id: string): Promise<FeedListing['status']>;
  /** Forget the counted feeds (a reload made new specs). */
  reset(): void;
}

export function createStatus(deps: StatusDeps): Status {
  const { store, book } = deps;

  const health = (at: Date): { ok: boolean; body: unknown } => {
    const stateError = deps.stateError();
    let ok = stateError === null;
    const sources: Record<string, unknown> = {};
    let privateN = 0;
    const w = deps.wiring();
    for (const s of w.sources.values()) {
      const st = book.stateOf(s.id);
      const interval = w.intervals.get(s.id) ?? 0;
      const since = Date.parse(st.lastSuccess ?? deps.startedAt.toISOString());
      const healthy = s.kind === 'url' ? at.getTime() - since <= 3 * interval : st.consecutiveFailures === 0;
      ok &&= healthy;
      // A private source's name is not for anyone who can reach /healthz.
      const key = s.token === undefined ? s.id : `private-${++privateN}`;
      sources[key] = {
        ok: healthy,
        lastSuccess: st.lastSuccess,
        lastAttempt: st.lastAttempt,
        lastError: s.token === undefined ? st.lastError : st.lastError === null ? null : 'failing',
        consecutiveFailures: st.consecutiveFailures,
        stories: book.countOf(s.id),
      };
    }
    const body = { status: ok ? 'ok' : 'failing', role: deps.role(), ...(stateError === null ? {} : { state: stateError }), sources };
    return { ok, body };
  };

  // A combined feed's count applies its words to the bodies of its stories: counted once per change.
  const listed = new Map<string, { spec: FeedSpec; rev: number; n: number; top: Headline[] }>();
  const storyCount = async (spec: FeedSpec): Promise<{ n: number; top: Headline[] }> => {
    const rev = book.revision(spec.sourceIds);
    const held = listed.get(spec.id);
    if (held?.spec === spec && held.rev === rev) return held;
    const stories = await selectStories(store, spec, spec.limit);
    // The story's own link, never its source's page (the feeds' fallback): that may be a private source's URL.
    const top = stories.slice(0, INDEX_HEADLINES).map((s) => ({ title: s.headline, link: s.link, published: s.publishedLatest }));
    listed.set(spec.id, { spec, rev, n: stories.length, top });
    return { n: stories.length, top };
  };

  const feedStatus = async (id: string): Promise<FeedListing['status']> => {
    const w = deps.wiring();
    const spec = w.specs.get(id);
    const sources = (spec?.sourceIds ?? []).map((s) => w.sources.get(s)).filter((s): s is SourceConfig => s !== undefined);
    const states = sources.map((s) => book.stateOf(s.id));
    const lastFetch = states.map((s) => s.lastAttempt).filter((t): t is string => t !== null).sort().at(-1) ?? null;
    const lastError = publicError(sources.map((s, i) => ({ private: s.token !== undefined, error: states[i]?.lastError ?? null })));
    // What the feed holds: a combined feed's include/exclude words apply.
    const { n: stories, top: headlines } = spec === undefined ? { n: 0, top: [] } : await storyCount(spec);
    // Ids are unique across sources and feeds: a spec with a source's id is that source's own feed.
    const own = spec === undefined ? undefined : w.sources.get(spec.id);
    const at = deps.now();
    const figures = own === undefined ? null : await sourceFigures(own, at);
    return {
      lastFetch,
      lastError,
      stories,
      headlines,
      timeZone: sources[0]?.timezone ?? 'UTC',
      activity: own === undefined || figures === null ? null : sourceActivity(own.id, figures.firstSeen, deps.history, at),
      fullText: own === undefined || figures === null || figures.stored === null ? null : { stored: figures.stored, of: book.countOf(own.id) },
    };
  };

  // What the index page asks the store of a source — the chart's first-seen times and the stored
  // full texts — asked again only when the source changed or the chart's hour moved on, not on
  // every GET / (a thousand sources were two thousand queries a page).
  const figuresOf = new Map<string, { rev: number; hour: number; fullText: boolean; firstSeen: string[]; stored: number | null }>();
  const sourceFigures = async (own: SourceConfig, at: Date): Promise<{ firstSeen: string[]; stored: number | null }> => {
    const rev = book.revision([own.id]);
    const hour = Math.floor(at.getTime() / 3_600_000);
    const fullText = Boolean(own.fullText);
    let held = figuresOf.get(own.id);
    if (held === undefined || held.rev !== rev || held.hour !== hour || held.fullText !== fullText) {
      // The chart's window, from the start of an hour more than it shows: sourceActivity cuts it exactly.
      const since = new Date((hour - HOURS) * 3_600_000).toISOString();
      const firstSeen = await store.firstSeenSince(own.id, since);
      held = { rev, hour, fullText, firstSeen, stored: fullText ? await store.fullTextCount(own.id) : null };
      figuresOf.set(own.id, held);
    }
    return { firstSeen: held.firstSeen, stored: held.stored };
  };

  return {
    health,
    feedStatus,
    reset: () => {
      listed.clear();
      figuresOf.clear();
    },
  };
}
