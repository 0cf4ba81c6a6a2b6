/** OPML 2.0 (http://opml.org/spec2.opml): every feed as a subscription list, Atom URLs as xmlUrl. */
import type { IndexPage } from './index.js';
import { escapeAttr, escapeText } from './text.js';

export function renderOpml(page: IndexPage): string {
  const outlines = page.feeds.map((f) => {
    const title = escapeAttr(f.title);
    // type="rss" is OPML's word for any feed subscription, Atom included.
    return `    <outline type="rss" text="${title}" title="${title}" xmlUrl="${escapeAttr(f.urls.atom)}" htmlUrl="${escapeAttr(f.htmlUrl)}"/>`;
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeText(page.title)}</title>`,
    `    <dateCreated>${page.generatedAt.toUTCString()}</dateCreated>`,
    `    <docs>http://opml.org/spec2.opml</docs>`,
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
