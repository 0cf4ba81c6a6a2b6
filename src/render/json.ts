/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written here: feed@6 writes version 1 and
 * leaves out item ids. Strings are cleaned like the XML formats so that every format shows the
 * same text; JSON.stringify does the escaping.
 */
import type { EntryView, FeedView } from '../model.js';
import { feedAuthor } from './xml.js';
import { cleanText, paragraphsHtml } from './text.js';
import { checkEntryId, normalizeUrl, selfUrl } from './urls.js';

interface JsonAuthor {
  name: string;
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  summary: string;
  date_published: string;
  date_modified: string;
  authors: JsonAuthor[];
  tags?: string[];
  language: string;
  image?: string;
}

interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url: string;
  feed_url: string;
  language: string;
  authors: JsonAuthor[];
  hubs?: { type: string; url: string }[];
  items: JsonItem[];
}

/** ISO 8601 UTC to the second (`…T17:45:59Z`), as the XML formats show times. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toItem(entry: EntryView, feedLanguage: string): JsonItem {
  const item: JsonItem = {
    id: checkEntryId(entry.id),
    url: normalizeUrl(entry.link, `entry ${entry.id} link`),
    title: cleanText(entry.title),
    content_html: entry.contentHtml === undefined ? paragraphsHtml(entry.body) : cleanText(entry.contentHtml),
    summary: cleanText(entry.summary),
    date_published: isoSeconds(entry.published),
    date_modified: isoSeconds(entry.updated),
    authors: [{ name: cleanText(entry.author) }],
    // JSON Feed 1.1 items have their own `language`.
    language: entry.language === undefined ? feedLanguage : cleanText(entry.language),
  };
  if (entry.category !== null) item.tags = [cleanText(entry.category)];
  if (entry.image !== undefined) item.image = normalizeUrl(entry.image, `entry ${entry.id} image`);
  return item;
}

export function renderJson(view: FeedView): string {
  const language = cleanText(view.language);
  const feed: JsonFeed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: cleanText(view.title),
    home_page_url: normalizeUrl(view.alternateUrl, `feed ${view.id} alternateUrl`),
    feed_url: normalizeUrl(selfUrl(view.baseUrl, view.id, 'json', view.selfToken), `feed ${view.id} self link`),
    language,
    authors: [{ name: feedAuthor(view) }],
    // JSON Feed 1.1 §hubs: type "WebSub" for a WebSub hub.
    ...(view.hub === null ? {} : { hubs: [{ type: 'WebSub', url: normalizeUrl(view.hub, `feed ${view.id} hub`) }] }),
    items: view.entries.map((e) => toItem(e, language)),
  };
  return JSON.stringify(feed);
}
