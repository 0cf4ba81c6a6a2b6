/**
 * The HTML index page: one self-contained HTML5 document (inline CSS, no scripts, no external
 * assets) that lists every feed with its links and status, and announces every feed for
 * autodiscovery with <link rel="alternate"> in <head>.
 */
import type { FeedFormat } from '../model.js';
import type { FeedListing, IndexPage } from './index.js';
import { escapeAttr, escapeText } from './text.js';

/** Media type and label of each format, in the order the page lists them. */
const FORMATS: { format: FeedFormat; type: string; label: string }[] = [
  { format: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { format: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { format: 'json', type: 'application/feed+json', label: 'JSON Feed' },
];

const CSS = `
:root { color-scheme: light dark; --line: #8884; --muted: #777; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 50rem; padding: 1rem; font: 1rem/1.5 system-ui, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
.feed { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; }
.kind { font-size: .75rem; font-weight: normal; color: var(--muted); border: 1px solid var(--line); border-radius: 1rem; padding: 0 .5rem; vertical-align: middle; }
.links { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 .5rem; padding: 0; list-style: none; }
.links a { display: inline-block; padding: .35rem .75rem; border: 1px solid var(--line); border-radius: .35rem; text-decoration: none; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; font-size: .9rem; }
dt { color: var(--muted); }
dd { margin: 0; }
.error { color: #c33; }
footer, .muted { color: var(--muted); font-size: .85rem; }
`;

/** An <a> only for http(s): a javascript: URL from a config file must not become clickable. */
function link(url: string, text: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${escapeAttr(url)}">${escapeText(text)}</a>` : escapeText(text);
}

function discovery(feed: FeedListing): string[] {
  return FORMATS.map(
    ({ format, type, label }) =>
      `<link rel="alternate" type="${type}" title="${escapeAttr(`${feed.title} (${label})`)}" href="${escapeAttr(feed.urls[format])}">`,
  );
}

function card(feed: FeedListing): string {
  const { lastFetch, lastError, stories } = feed.status;
  return [
    `<section class="feed" data-feed="${escapeAttr(feed.id)}">`,
    `<h2>${link(feed.htmlUrl, feed.title)} <span class="kind">${feed.kind}</span></h2>`,
    '<ul class="links">',
    ...FORMATS.map(({ format, type, label }) => `<li><a href="${escapeAttr(feed.urls[format])}" type="${type}">${label}</a></li>`),
    '</ul>',
    '<dl>',
    `<dt>Last fetch</dt><dd>${lastFetch === null ? 'never' : `<time datetime="${escapeAttr(lastFetch)}">${escapeText(lastFetch)}</time>`}</dd>`,
    `<dt>Last error</dt><dd>${lastError === null ? 'none' : `<span class="error">${escapeText(lastError)}</span>`}</dd>`,
    `<dt>Stories</dt><dd>${stories}</dd>`,
    '</dl>',
    '</section>',
  ].join('\n');
}

export function renderIndex(page: IndexPage): string {
  const opml = `${page.baseUrl}/feeds.opml`;
  const generated = page.generatedAt.toISOString();
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(page.title)}</title>`,
    ...page.feeds.flatMap(discovery),
    `<link rel="alternate" type="text/x-opml" title="All feeds (OPML)" href="${escapeAttr(opml)}">`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeText(page.title)}</h1>`,
    `<p class="muted">${page.feeds.length} ${page.feeds.length === 1 ? 'feed' : 'feeds'} · <a href="${escapeAttr(opml)}">all feeds as OPML</a></p>`,
    '</header>',
    '<main>',
    ...(page.feeds.length === 0 ? ['<p>No feeds configured.</p>'] : page.feeds.map(card)),
    '</main>',
    `<footer>wirefeed ${escapeText(page.version)} · generated <time datetime="${generated}">${generated}</time></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
