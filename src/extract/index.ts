/**
 * The extract stage: a Document → free text lines (HTML ones marked with their links and images,
 * offering the page's repeated blocks), or items: cut out by CSS selectors, or the one story of
 * an article page.
 */
import type { BlockListing, Document, Extracted } from '../model.js';
import { runSteps, type Steps } from '../steps.js';
import { articleSteps, saysArticle } from './article.js';
import { blockSteps, MIN_ITEMS } from './blocks.js';
import { domSteps } from './dom.js';
import { htmlLineSteps } from './html.js';
import { htmlItemSteps, type ItemSelectors } from './items.js';
import { textLineSteps } from './text.js';

export { parseDatetime } from './dom.js';
export { htmlToLines } from './html.js';
export { type ItemSelectors } from './items.js';

export interface ExtractOptions {
  format: 'auto' | 'text' | 'html';
  /** HTML only: cut items out by these selectors instead of reading the page as lines. */
  selectors?: ItemSelectors;
  /** Selectors only: read at most this many items; the matches after them are only counted. */
  maxItems?: number;
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** A document with no (or a wrong) media type that still is HTML, as a browser would sniff it. */
function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 512).replace(/^[\ufeff\s]+/, '').toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || /<body[\s>]/i.test(text);
}

/** The extract stage as steps: a chunk of HTML or a few thousand lines of text per step. */
export function* extractSteps(doc: Document, opts: ExtractOptions): Steps<Extracted> {
  const html =
    opts.format === 'html' ||
    (opts.format === 'auto' && ((doc.mediaType !== null && HTML_TYPES.has(doc.mediaType)) || looksLikeHtml(doc.text)));
  if (!html) return { kind: 'lines', lines: yield* textLineSteps(doc.text) };
  if (opts.selectors) {
    const { items, unread } = yield* htmlItemSteps(doc.text, doc.url, opts.selectors, opts.maxItems ?? Infinity);
    return unread > 0 ? { kind: 'items', items, unread } : { kind: 'items', items };
  }
  const page = yield* htmlLineSteps(doc.text, doc.url);
  const base = page.base ?? doc.url;
  const { lines, marks } = page;
  const marked = marks.size > 0 ? { marks } : {};
  if (saysArticle(page.meta, page.jsonLd)) {
    // Some sites mark every page `og:type` article, section fronts too: a page whose DOM repeats
    // story blocks is a listing whatever its metadata says.
    const root = yield* domSteps(doc.text);
    const listing = yield* blockSteps(root, base);
    if (listing !== null) return { kind: 'lines', lines, ...marked, blocks: function* () { return listing; } };
    const article = yield* articleSteps(root, base);
    if (article !== null) return { kind: 'items', items: [article], layout: 'article page' };
  }
  const blocks = function* (): Steps<BlockListing | null> {
    return yield* blockSteps(yield* domSteps(doc.text), base);
  };
  return { kind: 'lines', lines, ...marked, ...(page.links >= MIN_ITEMS ? { blocks } : {}) };
}

export function extract(doc: Document, opts: ExtractOptions): Extracted {
  return runSteps(extractSteps(doc, opts));
}
