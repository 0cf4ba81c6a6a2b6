/**
 * The parsing both ways of reading HTML share (html.ts for free lines, items.ts for CSS
 * selectors): the parser libraries, loaded on first use; the nesting-depth guard; feeding the
 * parser a chunk per step; cheerio's DOM; and the small attribute helpers (chrome, furniture,
 * hidden parts, pictures, links, datetimes) that blocks.ts and article.ts use too. Apart so that
 * each reader of a page finds its own rules in its own file, and these in one place.
 */
import { createRequire } from 'node:module';
// Types only (erased at run time): the libraries themselves are loaded on first use, below.
import type { Document, DomHandler } from 'domhandler';
import type { Parser } from 'htmlparser2';
import { WirefeedError } from '../errors.js';
import type { Steps } from '../steps.js';

/**
 * htmlparser2 and cheerio are loaded on first use, not at module load: importing them took about
 * a tenth of the daemon's start, and plain-text sources need neither (selector sources alone need
 * cheerio, its domhandler and selector engines). `require` (all ship CommonJS builds) keeps
 * `extract` synchronous; cheerio's CommonJS build requires these same modules, so there is one
 * copy of each in memory.
 */
const requireLazy = createRequire(import.meta.url);

/** A module required on the first call, then held. */
function lazyRequire<T>(name: string): () => T {
  let lib: T | null = null;
  return () => (lib ??= requireLazy(name) as T);
}

export const parserLib = lazyRequire<typeof import('htmlparser2')>('htmlparser2');
export const cheerioLib = lazyRequire<typeof import('cheerio/slim')>('cheerio/slim');
export const selectLib = lazyRequire<typeof import('cheerio-select')>('cheerio-select');
export const cssLib = lazyRequire<typeof import('css-select')>('css-select');
export const domLib = lazyRequire<typeof import('domhandler')>('domhandler');

/**
 * htmlparser2 keeps its open elements with Array#unshift and looks a closing tag up with indexOf,
 * so parse time grows with the square of the nesting depth: 100,000 unclosed <div>s take ~10 s,
 * the 5 MB cap allows a million. The depth is counted from the parser's own open and close events
 * (implied closes included, a closing tag that closes nothing not), and a page beyond any real
 * one is refused.
 */
export const MAX_DEPTH = 10_000;

export function tooDeep(): WirefeedError {
  return new WirefeedError('extract', 'E_TOO_DEEP', `HTML nests more than ${MAX_DEPTH} elements deep`);
}

/**
 * Characters handed to the parser per step. A step of normal HTML takes well under a millisecond;
 * at the deepest nesting allowed each tag costs the parser a scan of its open elements, and 2 KB
 * of tags there take up to ~30 ms (16 KB took 50–250 ms).
 */
const CHUNK = 2048;

/** Feed `html` to a streaming parser one chunk per step. */
export function* parseInChunks(parser: Parser, html: string): Steps<void> {
  for (let at = 0; at < html.length; at += CHUNK) {
    parser.write(html.slice(at, at + CHUNK));
    yield;
  }
  parser.end();
}

/** Elements whose text is page chrome or not text at all. */
export const DROP: ReadonlySet<string> = new Set([
  'aside', 'audio', 'button', 'canvas', 'embed', 'footer', 'form', 'head', 'header', 'iframe', 'math',
  'nav', 'noscript', 'object', 'script', 'select', 'style', 'svg', 'template', 'textarea', 'title', 'video',
]);

/** ARIA roles that mark the same chrome on a plain <div> (cookie banners are role=dialog). */
const DROP_ROLES = new Set(['alertdialog', 'banner', 'complementary', 'contentinfo', 'dialog', 'navigation', 'search']);

export type Attribs = Readonly<Record<string, string | undefined>>;

/**
 * Blocks whose class or id names them furniture: ad slots (with their "Advertisement" label and
 * sponsored links), weather widgets ("Full Forecast"), webmail and newsletter prompts, cookie
 * banners, share bars. Whole class tokens only (`ad-slot`, `c-ad`, not `head` or `shadow`); a
 * story teaser named after its topic (`category-weather`) is no widget.
 */
const FURNITURE =
  /(?:^|[\s_-])(?:ad|ads|adslot|adunit|advert|adverts|advertisement|advertising|sponsored|adsbygoogle|dfp|weather-?widget|wx-?widget|forecast-?widget|webmail|newsletter-?(?:signup|promo|box)|cookie-?(?:banner|consent|notice|bar)|share-?(?:bar|buttons|tools)|social-?share)(?:$|[\s_-])/i;

export function isFurniture(a: Attribs): boolean {
  return FURNITURE.test(`${a.class ?? ''} ${a.id ?? ''}`);
}

export function isHidden(a: Attribs): boolean {
  return (
    a.hidden !== undefined ||
    a['aria-hidden'] === 'true' ||
    DROP_ROLES.has((a.role ?? '').toLowerCase()) ||
    /display\s*:\s*none/i.test(a.style ?? '')
  );
}

/** A tracking pixel or spacer, by its declared size. */
function isTiny(a: Attribs): boolean {
  return /^[0-2](?:px)?$/.test(a.width ?? '') || /^[0-2](?:px)?$/.test(a.height ?? '');
}

/** The first URL of a `srcset` (`a.jpg 1x, b.jpg 2x`). */
function firstOfSrcset(srcset: string | undefined): string | undefined {
  return srcset?.trim().split(/\s+/)[0];
}

/**
 * An <img>'s picture as an absolute http(s) URL. Lazy-loading pages put a placeholder (often a
 * data: URL) in `src` and the picture in `data-src` or a `srcset`.
 */
export function imageUrl(a: Attribs, base: string): string | null {
  if (isTiny(a)) return null;
  for (const candidate of [a.src, a['data-src'], a['data-original'], a['data-lazy-src'], firstOfSrcset(a.srcset), firstOfSrcset(a['data-srcset'])]) {
    const url = resolveLink(candidate, base);
    if (url !== null) return url;
  }
  return null;
}

/** The page as cheerio's DOM (what `load(html)` builds), refused beyond MAX_DEPTH; one chunk per step. */
export function* domSteps(html: string): Steps<Document> {
  const dom: DomHandler = new (domLib().DomHandler)();
  let depth = 0;
  const open = dom.onopentag.bind(dom);
  const close = dom.onclosetag.bind(dom);
  dom.onopentag = (name, attribs) => {
    if (++depth > MAX_DEPTH) throw tooDeep();
    open(name, attribs);
  };
  dom.onclosetag = () => {
    depth--;
    close();
  };
  yield* parseInChunks(new (parserLib().Parser)(dom), html);
  return dom.root;
}

/** DOM nodes visited per step. */
export const NODES_PER_STEP = 4096;

/** A link kept for a feed: absolute, and only http(s) — never javascript:, data: or file:. */
export function resolveLink(href: string | undefined, base: string): string | null {
  if (href === undefined || href.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    // Not a URL at all (`http://[x`): the item simply has no link.
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/**
 * A `<time datetime>` value as a Date, only when it names its offset (`…Z`, `…+01:00`): a local
 * time without one would silently take the host's zone.
 */
export function parseDatetime(value: string | undefined): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})$/i.exec(value?.trim() ?? '');
  if (!m) return null;
  const offset = m[3] === 'z' || m[3] === 'Z' ? 'Z' : (m[3] ?? '').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(`${m[1]}T${m[2]}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
