/**
 * Types that cross stage boundaries. A type only one stage needs lives in that stage.
 * Timestamps that cross stages are `Date` in memory and ISO 8601 UTC strings when stored.
 */
import type { Steps } from './steps.js';

/** Languages with an age lexicon. */
export type Lang = 'nl' | 'en' | 'de' | 'fr';
export const LANGS: readonly Lang[] = ['nl', 'en', 'de', 'fr'];

/** Bytes a source gave, decoded to text (fetch → extract). */
export interface Document {
  sourceId: string;
  /** Where the bytes came from: the final URL after redirects, or a file:// URL. */
  url: string;
  /** Media type without parameters, lower case (`text/html`), when known. */
  mediaType: string | null;
  text: string;
  fetchedAt: Date;
}

/** An item cut out of HTML by CSS selectors (extract → parse). */
export interface ExtractedItem {
  headline: string | null;
  /** Body paragraphs in page order. */
  body: string[];
  ageText: string | null;
  /** Absolute http(s) URL of the story, when the item links to one. */
  link: string | null;
  /** From `<time datetime>`: beats the age text when present. */
  datetime: Date | null;
  /** Byline, when the page names one; absent: none. */
  author?: string | null;
  /** The item's own image (absolute http(s) URL); absent: none. */
  image?: string | null;
}

/** What an HTML line carries besides its text (extract → parse). */
export interface LineMark {
  /** The link around most of the line's text (absolute http(s) URL), or null. */
  link: string | null;
  /** An image inside the line, or the first one met since the line before it, or null. */
  image: string | null;
  /** The first `<time datetime>` (with an offset) inside the line; absent when none. */
  datetime?: Date;
}

/** CSS selectors that cut a page's items out, in the shape of a source's `selectors` config. */
export interface PinnedSelectors {
  item: string;
  /** Absent when the item is its headline. */
  headline?: string;
  /** Absent when the item is the link itself. */
  link?: string;
  /** The items' teaser; absent when none has one. */
  body?: string;
  /** The element holding an item's age or clock text; absent when none has one (or all carry `<time datetime>`). */
  age?: string;
  time?: string;
}

/** Items a page's DOM repeats (extract's repeated-block detector), for parse to take when its grammar finds too few. */
export interface BlockListing {
  /** `repeated blocks at <css path>`. */
  layout: string;
  items: ExtractedItem[];
  selectors: PinnedSelectors;
}

/**
 * What extract hands to parse: free text lines, or items a selector config or an article page
 * gave. HTML lines carry, by line index, the marks of the lines that have a link or an image;
 * a page with links offers its repeated blocks, found on request: that builds the page's DOM (a
 * second run of the HTML parser), which only pages whose grammar finds few stories pay for.
 */
export type Extracted =
  | { kind: 'lines'; lines: string[]; marks?: ReadonlyMap<number, LineMark>; blocks?: () => Steps<BlockListing | null> }
  /** `unread`: matches past `maxItems` that extract counted but did not read (none when absent). */
  | { kind: 'items'; items: ExtractedItem[]; layout?: string; unread?: number };

/** A story as the wire grammar reads it, before ages are resolved (parse → resolve). */
export interface ParsedStory {
  headline: string;
  /** True when the headline was made from the first sentence of the body. */
  headlineDerived: boolean;
  /** Dateline place (`WASHINGTON`, `München`), or null when the lead has no dateline. */
  place: string | null;
  /** Agencies from the dateline parenthesis, in order (`['ANP', 'AFP']`). */
  agencies: string[];
  /** Section marker the story appeared under (`Buitenland`), or null. */
  section: string | null;
  /** Paragraphs; the first is the lead and keeps its dateline. */
  body: string[];
  /** Raw age text as on the page (`4 minuten geleden`), or null. */
  ageText: string | null;
  /** First sentence of the lead with the dateline cut off (uncut, unlike a derived headline); '' when none. */
  leadSentence: string;
  link: string | null;
  /** Byline: who wrote it (Atom author, RSS dc:creator, JSON Feed authors); null when the page names no one. */
  author: string | null;
  /** The item's own image (absolute http(s) URL), or null. */
  image: string | null;
  datetime: Date | null;
}

/** Result of parsing a page: stories in page order, and what was odd about the input. */
export interface ParseResult {
  stories: ParsedStory[];
  warnings: string[];
  /** Language the age words were in (or the one asked for). */
  lang: Lang;
  /**
   * Which reader found the stories, for people: `text grammar: time · headline · dateline lead ·
   * body (ages lead)`, `selectors`, `article page`, `repeated blocks at <css path>`.
   */
  layout: string;
  /** For repeated blocks: the selectors that would pin them in the source's config. */
  selectors?: PinnedSelectors;
}

/** A parsed story with its age resolved to a UTC interval (resolve → ingest). */
export interface DatedStory extends ParsedStory {
  /** Earliest possible publication moment, or null when the page gave no age. */
  publishedEarliest: Date | null;
  /** Latest possible publication moment; the fetch time when the page gave no age. */
  publishedLatest: Date;
}

/** A story as the store keeps it. Every timestamp is ISO 8601 UTC. */
export interface StoredStory {
  /** The first story key this story got; never changes (feed readers key on it). */
  id: string;
  /** Every story key (headline hash) seen for it. */
  keys: string[];
  /** Dateline place + first sentence hash, or null when the body is empty. */
  leadKey: string | null;
  /** Source ids the story was seen on, first one first. */
  sources: string[];
  headline: string;
  headlineDerived: boolean;
  place: string | null;
  agencies: string[];
  section: string | null;
  body: string[];
  bodyHash: string;
  link: string | null;
  /** Byline: who wrote it (Atom author, RSS dc:creator, JSON Feed authors); null when the page names no one. */
  author: string | null;
  /** The item's own image (absolute http(s) URL), or null. */
  image: string | null;
  lang: Lang;
  firstSeen: string;
  lastSeen: string;
  publishedEarliest: string | null;
  publishedLatest: string;
  /** Last time the body changed; firstSeen until then. */
  updated: string;
}

/** What a source's fetching has come to, kept in the state. */
export interface SourceState {
  etag: string | null;
  lastModified: string | null;
  lastAttempt: string | null;
  lastSuccess: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** Not before this moment (backoff, Retry-After). */
  nextAttemptAfter: string | null;
  /** Hash of the last ingested document's text: an identical page is not parsed again. */
  contentHash: string | null;
  /** Fetch time of the last ingested page: stories with this lastSeen are on the page now. */
  lastPageAt: string | null;
}

/** One entry as a feed shows it (select → render). */
export interface EntryView {
  /** Stable URI, e.g. `urn:uuid:…` made from the story id. */
  id: string;
  title: string;
  link: string;
  published: Date;
  updated: Date;
  /** The byline; else `ANP/RTR`; else the source title when the story names no agency. */
  author: string;
  category: string | null;
  /** Plain-text paragraphs; the renderer escapes them. */
  body: string[];
  /** The lead paragraph, plain text. */
  summary: string;
  /** BCP 47 tag of the story's language, marked where it differs from the feed's; absent: the feed's. */
  language?: string;
  /** The story's own image (absolute http(s) URL); absent: none. */
  image?: string;
  /** The article's sanitized HTML (full text, issue 18): the entry's content instead of `body`; absent: none. */
  contentHtml?: string;
}

/** A feed ready to render: metadata and entries, newest first. */
export interface FeedView {
  id: string;
  title: string;
  /** BCP 47 tag for xml:lang / <language>. */
  language: string;
  /** Absolute URL of the page the feed stands for. */
  alternateUrl: string;
  /** Absolute base URL of this wirefeed (`server.baseUrl`), without trailing slash. */
  baseUrl: string;
  /** Newest story change; the epoch when the feed is empty. */
  updated: Date;
  /** WebSub hub URL, when configured. */
  hub: string | null;
  /** A private feed's token, set by the server: the self link carries it so that following it keeps access. */
  selfToken?: string;
  entries: EntryView[];
}

export type FeedFormat = 'atom' | 'rss' | 'json';
