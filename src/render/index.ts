/**
 * FeedView → bytes a reader takes. CONTRACT (implemented by the render stage).
 */
import type { FeedFormat, FeedView } from '../model.js';

/** Render one feed. Output is always well-formed (XML) / valid JSON Feed 1.1, UTF-8 text. */
export function renderFeed(_view: FeedView, _format: FeedFormat): string {
  throw new Error('not implemented');
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
    lastError: string | null;
    stories: number;
  };
}

export interface IndexPage {
  title: string;
  baseUrl: string;
  version: string;
  generatedAt: Date;
  feeds: FeedListing[];
}

/** OPML 2.0 listing every feed (Atom URLs as xmlUrl). */
export function renderOpml(_page: IndexPage): string {
  throw new Error('not implemented');
}

/** The HTML index page: every feed, its links, source status, autodiscovery links. No external assets. */
export function renderIndex(_page: IndexPage): string {
  throw new Error('not implemented');
}
