/**
 * FeedView → bytes a reader takes. CONTRACT (implemented by the render stage).
 */
import type { FeedFormat, FeedView } from '../model.js';
import { renderJson } from './json.js';
import { renderXml } from './xml.js';

export { renderOpml } from './opml.js';
export { renderIndex } from './page.js';
export { feedUrl, feedUrls } from './urls.js';

const RENDERERS: Record<FeedFormat, (view: FeedView) => string> = {
  atom: (view) => renderXml(view, 'atom'),
  rss: (view) => renderXml(view, 'rss'),
  json: renderJson,
};

/**
 * Render one feed. Output is always well-formed (XML) / valid JSON Feed 1.1, UTF-8 text.
 * Throws WirefeedError (stage render) when an entry id or a URL is not an absolute URL.
 */
export function renderFeed(view: FeedView, format: FeedFormat): string {
  return RENDERERS[format](view);
}

/** A feed as listed on the index page and in OPML. */
export interface FeedListing {
  id: string;
  title: string;
  /** 'source' for a source's own feed, 'feed' for a configured combined feed. */
  kind: 'source' | 'feed';
  /** Absolute feed URLs. */
  urls: Record<FeedFormat, string>;
  /** Absolute URL of the page the feed stands for (source page, or the index). */
  htmlUrl: string;
  /** Status of the source(s) behind it. */
  status: {
    lastFetch: string | null;
    /** What fails, as a reader without a token may see it (a private source only as "a private source failing"). */
    lastError: string | null;
    stories: number;
    /** The feed's newest stories, newest first (the page shows three). */
    headlines: Headline[];
    /** IANA zone the page shows exact times in: the source's (a combined feed's first source's). */
    timeZone: string;
    /** A source's last hours, for its chart; null for a combined feed. */
    activity: Activity | null;
    /** A source with `fullText`: how many of its listed stories have their article; null otherwise. */
    fullText: { stored: number; of: number } | null;
  };
}

/** A story as the index page lists it. */
export interface Headline {
  title: string;
  /** The story's own page, or null; the page links it only when it is http(s). */
  link: string | null;
  /** ISO 8601 UTC: the latest moment of its publication interval, as the feeds show it. */
  published: string;
}

/** Fetch results in one hour. */
export interface HourFetches {
  ok: number;
  notModified: number;
  error: number;
}

/** A source's last hours, oldest hour first; every array has one element per hour. */
export interface Activity {
  /** ISO 8601 UTC start of the oldest hour. */
  from: string;
  /** ISO 8601 UTC moment fetch results began to be recorded (the daemon's start). */
  recordedSince: string;
  /** Stories first seen in each hour. */
  stories: number[];
  /** Fetch results in each hour; null for an hour before recording began. */
  fetches: (HourFetches | null)[];
}

export interface IndexPage {
  title: string;
  baseUrl: string;
  version: string;
  generatedAt: Date;
  feeds: FeedListing[];
}
