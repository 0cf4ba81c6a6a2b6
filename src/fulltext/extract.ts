/**
 * An article page → its readable text, safe to put in a feed: linkedom parses (with a `<base href>`
 * so that relative URLs resolve), lazy images are made real, @mozilla/readability finds the article,
 * sanitize-html keeps only harmless markup (readability keeps `onerror` and other attributes).
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import sanitizeHtml from 'sanitize-html';

export interface FullText {
  /** Sanitized HTML of the article: absolute http(s)/mailto links only, no scripts, styles, event attributes, frames or forms. */
  html: string;
  /** The article's plain text, whitespace collapsed. */
  text: string;
}

export interface ExtractOptions {
  /** The teaser the listing showed: an "article" no longer than it is a stub (a paywall, a consent wall). */
  teaser?: string;
  /** CSS selector of the article's root, when readability picks the wrong part of a page. */
  selector?: string;
}

/**
 * The part of linkedom's DOM this stage uses. linkedom's and readability's declarations name the
 * DOM lib's types, which this Node project does not load (it would retype every other file).
 */
interface El {
  readonly tagName: string;
  readonly textContent: string | null;
  innerHTML: string;
  readonly previousElementSibling: El | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  remove(): void;
  replaceWith(node: El): void;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface Doc {
  readonly title: string;
  createElement(tag: string): El;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

function parse(html: string): Doc {
  return parseHTML(html).document;
}

const LAZY_SRC = ['data-src', 'data-lazy-src', 'data-original', 'data-srcset', 'data-lazy-srcset'] as const;

/** Lazy-loading pages keep the real image in data-* attributes or a <noscript> copy; readability and readers need `src`. */
function realizeLazyImages(document: Doc): void {
  for (const noscript of Array.from(document.querySelectorAll('noscript'))) {
    const holder = document.createElement('div');
    holder.innerHTML = noscript.textContent ?? '';
    const img = holder.querySelector('img');
    const prev = noscript.previousElementSibling;
    if (img && prev?.tagName === 'IMG') prev.replaceWith(img);
    else if (img) noscript.replaceWith(img);
  }
  for (const img of Array.from(document.querySelectorAll('img'))) {
    for (const attr of LAZY_SRC) {
      const value = img.getAttribute(attr);
      if (!value) continue;
      if (attr.endsWith('srcset')) img.setAttribute('srcset', value);
      else img.setAttribute('src', value);
    }
    const src = img.getAttribute('src');
    if ((!src || src.startsWith('data:')) && img.getAttribute('srcset')) {
      // The first candidate of a srcset is as good as any for a feed reader.
      const first = (img.getAttribute('srcset') ?? '').trim().split(/\s+/)[0];
      if (first) img.setAttribute('src', first);
    }
  }
}

/** Page furniture readability can take for part of the article when it sits in the same container: comment threads, share bars. */
const FURNITURE = 'nav, aside, footer, form, iframe, #comments, .comments, .comment, [class~="share"], [class~="social"]';

function dropFurniture(document: Doc): void {
  for (const el of Array.from(document.querySelectorAll(FURNITURE))) el.remove();
}

/** Every link and image URL made absolute against the page; what cannot be parsed is dropped. */
function absolutize(document: Doc, base: string): void {
  for (const [selector, attr] of [['a[href]', 'href'], ['img[src]', 'src']] as const) {
    for (const el of Array.from(document.querySelectorAll(selector))) {
      const value = el.getAttribute(attr) ?? '';
      try {
        el.setAttribute(attr, new URL(value, base).href);
      } catch {
        // An unparseable URL leads nowhere: the element stays, the attribute goes.
        el.removeAttribute(attr);
      }
    }
  }
  for (const img of Array.from(document.querySelectorAll('img[srcset]'))) img.removeAttribute('srcset');
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'em', 'strong', 'b', 'i', 'u', 's', 'sub', 'sup', 'a', 'img', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'caption', 'dl', 'dt', 'dd', 'q', 'cite', 'abbr', 'time'],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'], time: ['datetime'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  // Scripts, styles, frames and forms go with their content; other unknown tags leave their text.
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'form', 'button', 'select', 'svg', 'template'],
  exclusiveFilter: (frame) => (frame.tag === 'a' && !frame.attribs.href && frame.text.trim() === '') || (frame.tag === 'img' && !frame.attribs.src),
};

/** Marks a block's end in the text: U+2029 PARAGRAPH SEPARATOR, which no article text needs and `\s` matches. */
const BLOCK_END = '\u2029';

/** The text of sanitized article HTML, one line per paragraph (block, line break), whitespace collapsed. */
export function articleLines(html: string): string[] {
  const body = parse(`<body>${html.replace(/<\/(p|li|h\d|blockquote|figcaption|tr|pre)>|<br\s*\/?>/gi, `$&${BLOCK_END}`)}</body>`).querySelector('body');
  return (body?.textContent ?? '')
    .split(BLOCK_END)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

/** Put a `<base href>` first in the head, replacing the page's own only when it is not usable. */
function withBase(html: string, url: string): string {
  const base = `<base href="${url.replace(/"/g, '%22')}">`;
  if (/<head[\s>]/i.test(html)) return html.replace(/<head(\s[^>]*)?>/i, (m) => m + base);
  return `<!DOCTYPE html><html><head>${base}</head><body>${html}</body></html>`;
}

/** The article of a page at `url`, or null when there is none (readability finds nothing, or no more text than the teaser). */
export function extractFullText(html: string, url: string, opts: ExtractOptions = {}): FullText | null {
  const doc = parse(withBase(html, url));
  realizeLazyImages(doc);
  dropFurniture(doc);
  absolutize(doc, url);
  let root = doc;
  if (opts.selector) {
    const picked = doc.querySelector(opts.selector);
    if (!picked) return null;
    root = parse(withBase(`<article>${picked.innerHTML}</article>`, url));
  }
  const article = new Readability(root, { charThreshold: 0 }).parse();
  if (!article?.content) return null;
  const clean = sanitizeHtml(article.content, SANITIZE).replace(/\n\s*\n/g, '\n').trim();
  const text = articleLines(clean).join(' ');
  const teaser = (opts.teaser ?? '').replace(/\s+/g, ' ').trim();
  if (text === '' || text.length <= teaser.length) return null;
  return { html: clean, text };
}
