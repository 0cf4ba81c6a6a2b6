/**
 * The extract stage: a Document → free text lines (HTML ones marked with their links and images,
 * with the page's repeated blocks beside them), or items: cut out by CSS selectors, or the one
 * story of an article page.
 */
import type { Document, Extracted } from '../model.js';
import { runSteps, type Steps } from '../steps.js';
import { articleSteps } from './article.js';
import { blockSteps } from './blocks.js';
import { htmlItemSteps, htmlPageSteps, type ItemSelectors } from './html.js';
import { textLineSteps } from './text.js';

export { htmlToLines, parseDatetime, type ItemSelectors } from './html.js';

export interface ExtractOptions {
  format: 'auto' | 'text' | 'html';
  /** HTML only: cut items out by these selectors instead of reading the page as lines. */
  selectors?: ItemSelectors;
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
  if (opts.selectors) return { kind: 'items', items: yield* htmlItemSteps(doc.text, doc.url, opts.selectors) };
  const page = yield* htmlPageSteps(doc.text, doc.url);
  const article = yield* articleSteps(page.root, page.base);
  if (article !== null) return { kind: 'items', items: [article], layout: 'article page' };
  const blocks = yield* blockSteps(page.root, page.base);
  const { lines, marks } = page;
  return { kind: 'lines', lines, ...(marks.size > 0 ? { marks } : {}), ...(blocks === null ? {} : { blocks }) };
}

export function extract(doc: Document, opts: ExtractOptions): Extracted {
  return runSteps(extractSteps(doc, opts));
}
