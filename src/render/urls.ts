import type { FeedFormat } from '../model.js';
import { WirefeedError } from '../errors.js';
import { cleanText } from './text.js';

/** File extension of each format under /feeds/. */
export const EXTENSIONS: Record<FeedFormat, string> = { atom: 'atom', rss: 'rss', json: 'json' };

/** The URL wirefeed serves a feed at: `${baseUrl}/feeds/${id}.${ext}`. */
export function feedUrl(baseUrl: string, id: string, format: FeedFormat): string {
  return `${baseUrl}/feeds/${encodeURIComponent(id)}.${EXTENSIONS[format]}`;
}

/**
 * The feed's self link: its URL, with `?token=` for a private feed, since a reader that follows
 * the link must be let in again. A public feed's never carries a token.
 */
export function selfUrl(baseUrl: string, id: string, format: FeedFormat, token: string | undefined): string {
  const url = feedUrl(baseUrl, id, format);
  return token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`;
}

/** All three feed URLs of a feed, as FeedListing.urls wants them. */
export function feedUrls(baseUrl: string, id: string): Record<FeedFormat, string> {
  return { atom: feedUrl(baseUrl, id, 'atom'), rss: feedUrl(baseUrl, id, 'rss'), json: feedUrl(baseUrl, id, 'json') };
}

/**
 * `url` as the WHATWG URL parser serialises it. feed@6 runs every link through `new URL()`, so
 * every format uses this form, and a value that is no URL fails here with the field named.
 */
export function normalizeUrl(url: string, what: string): string {
  try {
    return new URL(cleanText(url)).href;
  } catch (err) {
    throw new WirefeedError('render', 'E_BAD_URL', `${what}: not an absolute URL: ${JSON.stringify(url)}`, { cause: err });
  }
}

/**
 * The form entryUri gives every stored story, which the URL parser keeps as it is (a lower-case
 * scheme and an opaque path): known good without a parse, one fewer per entry and render.
 */
const UUID_URN = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * An entry id must be an absolute URI that the URL parser leaves as it is: feed@6 writes the
 * parser's form, and an id that changed on the way would be a new story to every reader.
 */
export function checkEntryId(id: string): string {
  if (UUID_URN.test(id)) return id;
  let href: string;
  try {
    href = new URL(id).href;
  } catch (err) {
    throw new WirefeedError('render', 'E_BAD_ID', `entry id ${JSON.stringify(id)} is not an absolute URI`, { cause: err });
  }
  if (href !== id) {
    throw new WirefeedError('render', 'E_BAD_ID', `entry id ${JSON.stringify(id)} is not in normal URI form (${JSON.stringify(href)})`);
  }
  return id;
}
