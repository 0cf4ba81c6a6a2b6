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
