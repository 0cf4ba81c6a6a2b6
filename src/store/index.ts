/**
 * The state: stories and per-source fetch bookkeeping, in a database. What the rest of wirefeed
 * sees is `Store`, a query-shaped interface whose methods return promises, so that a second
 * backend (PostgreSQL, issue 17) fits behind it without touching callers; the SQLite backend
 * (sqlite.ts) does its work synchronously inside them. Nothing holds the stories in memory:
 * feeds and lookups are queries, and a returned story is plain data.
 *
 * Writes go through `commit`, one transaction: a page's stories, the listings retention drops
 * and the source's validators land together or not at all, so that no feed shows half a page and
 * no validator names a page whose stories are not stored.
 */
import type { Logger } from '../log.js';
import type { SourceState, StoredStory } from '../model.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore, type OpenStoreOptions } from './sqlite.js';

/** A stored story and the source it was first seen on (entry ids depend on it: select). */
export interface ListedStory extends StoredStory {
  /**
   * `sources[0]`, or the source that first listed the story when that one has since let it go
   * (retention, scopes): the feed of that source keeps the entry id the story always had there.
   */
  origin: string;
  /** The article's sanitized HTML, once the full-text step fetched it (issue 18); absent until then. */
  fullText?: string;
}

/** A story as a page's lookups read it (ingest): without its article. */
export type HeldStory = Omit<ListedStory, 'fullText'>;

/** What the full-text step recorded for a story: the entry version it tried, attempts, backoff. */
export interface FullTextTried {
  entry: string;
  attempts: number;
  after: string | null;
}

/**
 * A story as export reads it: with its full-text bookkeeping once the step tried it, so that a
 * moved state neither fetches its articles again nor bumps their `updated`.
 */
export interface ExportedStory extends ListedStory {
  fullTextTried?: FullTextTried;
}

/** A story whose article the full-text step should fetch. */
export interface FullTextDue {
  id: string;
  link: string;
  body: string[];
  /** The entry version (link and body hash) a result is stored for. */
  entry: string;
  /** Attempts so far for this entry version. */
  attempts: number;
  /** The stored article's validators, when one is stored for this same link: ask with a conditional GET. */
  validators?: ArticleValidators;
}

/** What an article's response said about its version. */
export interface ArticleValidators {
  etag: string | null;
  lastModified: string | null;
}

/** What one full-text attempt came to. */
export interface FullTextResult {
  entry: string;
  /** Sanitized article HTML; null when the attempt failed (the teaser stays). */
  html: string | null;
  attempts: number;
  /** Not before this moment (ISO), after a failure. */
  after: string | null;
  /** When the attempt was made (ISO): a stored article makes the story `updated` then, so readers and validators see it changed. */
  at: string;
  /** With a stored article: the link it was fetched from and its response's validators (kept for a conditional GET). */
  validators?: ArticleValidators & { link: string };
}

/** What retention needs of a listed story. */
export interface StoryStamp {
  id: string;
  publishedLatest: string;
  lastSeen: string;
}

/** One transaction's changes. */
export interface Change {
  /**
   * Stories to insert, or to replace whole (every field, keys, sources in order, body). A story
   * whose first source changes keeps its old first source as its origin (the first move only).
   */
  put?: readonly StoredStory[];
  /** As `put`, for changes that no feed shows (a narrower earliest bound, a place filled in): no source counts as touched. */
  quiet?: readonly StoredStory[];
  /** Stories otherwise unchanged that were seen again at `at`: only their lastSeen moves. */
  seen?: { at: string; ids: readonly string[] };
  /** Origins to set outright (story id → source id; imports only). */
  origins?: Readonly<Record<string, string>>;
  /** Listings to drop; a story no source lists any more is deleted. */
  unlist?: { sourceId: string; ids: readonly string[] };
  /** Source bookkeeping, merged into what is stored. */
  sources?: Readonly<Record<string, Partial<SourceState>>>;
}

export interface CommitResult {
  /** Sources whose listed stories changed in what a feed may show (put or unlisted), sorted. */
  touched: string[];
}

/** A page of a feed: stories listed under any of `sourceIds`, newest first (publishedLatest, then id). */
export interface FeedQuery {
  sourceIds: readonly string[];
  limit: number;
  offset?: number;
}

/** What an instance hears that another one committed (PostgreSQL NOTIFY, issue 17). */
export interface ChangeNotice {
  /** Sources whose listed stories changed in what a feed may show. */
  touched: string[];
  /** Sources whose bookkeeping changed. */
  sources: string[];
}

/** What the coordination of instances sharing one state tells the instance. */
export interface CoordinationEvents {
  /** This instance now holds the scheduler lock: it alone fetches. */
  lead(): void;
  /** It holds the lock no more (its session was lost): it stops fetching at once. */
  standby(why: string): void;
  /** Another instance committed; null: anything may have changed (the session was (re)established). */
  changed(notice: ChangeNotice | null): void;
  /** Why the database cannot be reached now; null once it can again. */
  unreachable(why: string | null): void;
}

export interface CoordinationOptions {
  /** How often a standby tries to take the lock and the leader checks its session, ms. */
  retryMs: number;
  log: Logger;
}

/** An instance's part among those sharing the state; stop() gives up the lock. */
export interface Coordination {
  /** False for a state only this process opens (SQLite): it leads from the start and hears of no other. */
  readonly shared: boolean;
  stop(): Promise<void>;
}

/** The storage interface; every backend runs tests/store-contract.test.ts. */
export interface Store {
  /** Where the state lives (a directory for SQLite), for logs. */
  readonly location: string;
  get(id: string): Promise<ListedStory | null>;
  /** Every story that has this story key among its keys (at most one per visibility scope); the one whose id is the key first. */
  withKey(key: string): Promise<ListedStory[]>;
  /** Stories with this lead key listed under `sourceId` and last seen at or after `since` (ISO), oldest row first. */
  byLeadKey(leadKey: string, sourceId: string, since: string): Promise<ListedStory[]>;
  /**
   * `withKey` and `get` for a page's keys at once: every story that has one of `keys` among its
   * keys or as its id, each once, oldest row first (ingest looks a page up in one query); without
   * their articles.
   */
  withKeys(keys: readonly string[]): Promise<HeldStory[]>;
  /** `byLeadKey` for a page's lead keys at once: each story once, oldest row first, without its article. */
  byLeadKeys(leadKeys: readonly string[], sourceId: string, since: string): Promise<HeldStory[]>;
  /** Stories with this lead key listed under any of `sourceIds`. */
  leadGroup(leadKey: string, sourceIds: readonly string[]): Promise<ListedStory[]>;
  feed(query: FeedQuery): Promise<ListedStory[]>;
  /** Every story listed under the source, as retention sees it. */
  stamps(sourceId: string): Promise<StoryStamp[]>;
  /** Stories listed under `sourceId` and at least one other source. */
  shared(sourceId: string): Promise<ListedStory[]>;
  /** firstSeen of the source's stories first seen at or after `since` (the index page's chart). */
  firstSeenSince(sourceId: string, since: string): Promise<string[]>;
  countOf(sourceId: string): Promise<number>;
  /** `countOf` for every source that lists stories, in one query (a daemon's start). */
  counts(): Promise<Record<string, number>>;
  /** Stories held. */
  size(): Promise<number>;
  /** Stories in id order after `afterId`, with their full-text bookkeeping (export). */
  page(afterId: string | null, limit: number): Promise<ExportedStory[]>;
  source(sourceId: string): Promise<SourceState>;
  /** Every source with stored bookkeeping. */
  sources(): Promise<Record<string, SourceState>>;
  /**
   * Stories listed under `sourceId` with an http(s) link whose article is due at `now` (ISO): never
   * tried for this entry version, or failed fewer than `maxAttempts` times and past its backoff. Newest first.
   */
  fullTextDue(sourceId: string, now: string, maxAttempts: number, limit: number): Promise<FullTextDue[]>;
  /** Stories listed under `sourceId` that have a full text (the index page's "12 of 40"). */
  fullTextCount(sourceId: string): Promise<number>;
  /** Record one full-text attempt; a failure keeps the full text stored before. */
  putFullText(id: string, result: FullTextResult): Promise<void>;
  /** Apply the changes in one transaction: all or nothing, durable when it resolves. */
  commit(change: Change): Promise<CommitResult>;
  /**
   * Join the instances on this state: one leads (schedules), the others stand by and take over
   * when it goes; each hears what the others commit. Resolves after the first attempt to lead.
   */
  coordinate(events: CoordinationEvents, opts: CoordinationOptions): Promise<Coordination>;
  /** Throws a WirefeedError when the state can no longer be written where it was opened (directory removed, file replaced). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The coordination of a state no other process opens: this instance leads, nothing is heard. */
export function soleInstance(events: CoordinationEvents): Coordination {
  events.lead();
  return { shared: false, stop: () => Promise.resolve() };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as a database keeps it: UTF-8 cannot hold a lone surrogate, so it becomes U+FFFD (bound as
 * is, SQLite would store bytes that are not UTF-8 and read them back as three U+FFFD). Ingest
 * makes a page's text so before comparing it with what is stored.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

export function emptySourceState(): SourceState {
  return {
    etag: null,
    lastModified: null,
    lastAttempt: null,
    lastSuccess: null,
    lastError: null,
    consecutiveFailures: 0,
    nextAttemptAfter: null,
    contentHash: null,
    lastPageAt: null,
  };
}

/** Newest first by publication; ties broken by id so the order is the same every time (the order feeds and retention use). */
export function newestFirst(a: StoredStory | StoryStamp, b: StoredStory | StoryStamp): number {
  // Code-unit order, not localeCompare: ISO 8601 UTC timestamps and hex ids sort right by it, and
  // it matches SQLite's BINARY collation for them.
  return compare(b.publishedLatest, a.publishedLatest) || compare(a.id, b.id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export { backupDatabase, DB_FILE, integrityCheck } from './sqlite-file.js';
export type { OpenStoreOptions } from './sqlite.js';
export { probePostgres, redactUrl } from './postgres.js';
export { checkPostgres, type PostgresCheck } from './postgres-check.js';

/** Where the state lives: a PostgreSQL database when `url` is set (config state.url or $DATABASE_URL), else SQLite in `dir`. */
export interface StatePlace {
  dir: string;
  url?: string | undefined;
}

/**
 * Open the state: a directory (SQLite), or the config's state section, which names a PostgreSQL
 * database when it has a URL. The SQLite options (directory lock, JSON import) do not apply to
 * PostgreSQL: several instances share one database by design.
 */
export function openStore(where: string | StatePlace, opts: OpenStoreOptions = {}): Promise<Store> {
  const place = typeof where === 'string' ? { dir: where } : where;
  return place.url !== undefined && place.url !== '' ? openPostgresStore(place.url) : openSqliteStore(place.dir, opts);
}
