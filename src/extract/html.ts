/**
 * HTML → the text a reader sees: lines broken at block elements and <br>, chrome (navigation,
 * header, footer, scripts, hidden parts) left out. Or, with CSS selectors, one item per match
 * that lies in no other match. Both run as steps (steps.ts): a page may be 5 MB of hostile markup.
 *
 * Both ways use htmlparser2 (what `cheerio/slim` parses with; parse5 is several times slower and
 * goes quadratic on deep nesting). Free lines stream straight from the parser's events without
 * building a DOM, which halves the time of the common case; selectors need cheerio's DOM, walked by
 * hand because `.text()` runs block elements together. Both feed the same `VisibleText` rules.
 */
import { createRequire } from 'node:module';
// Types only (erased at run time): the libraries themselves are loaded on first use, below.
import type { AnyNode, Document, DomHandler, Element } from 'domhandler';
import type { Parser } from 'htmlparser2';
import { WirefeedError } from '../errors.js';
import type { ExtractedItem, LineMark } from '../model.js';
import { runSteps, type Steps } from '../steps.js';
import { isTidy, textToLines } from './text.js';

/**
 * htmlparser2 and cheerio are loaded on first use, not at module load: importing them took about
 * a tenth of the daemon's start, and plain-text sources need neither (selector sources alone need
 * cheerio, its domhandler and selector engines). `require` (all ship CommonJS builds) keeps
 * `extract` synchronous; cheerio's CommonJS build requires these same modules, so there is one
 * copy of each in memory.
 */
const requireLazy = createRequire(import.meta.url);
let htmlparser2: typeof import('htmlparser2') | null = null;
let cheerio: typeof import('cheerio/slim') | null = null;
let domhandler: typeof import('domhandler') | null = null;
let cheerioSelect: typeof import('cheerio-select') | null = null;
let cssSelect: typeof import('css-select') | null = null;

function parserLib(): typeof import('htmlparser2') {
  htmlparser2 ??= requireLazy('htmlparser2') as typeof import('htmlparser2');
  return htmlparser2;
}

function cheerioLib(): typeof import('cheerio/slim') {
  cheerio ??= requireLazy('cheerio/slim') as typeof import('cheerio/slim');
  return cheerio;
}

function selectLib(): typeof import('cheerio-select') {
  cheerioSelect ??= requireLazy('cheerio-select') as typeof import('cheerio-select');
  return cheerioSelect;
}

function cssLib(): typeof import('css-select') {
  cssSelect ??= requireLazy('css-select') as typeof import('css-select');
  return cssSelect;
}

function domLib(): typeof import('domhandler') {
  domhandler ??= requireLazy('domhandler') as typeof import('domhandler');
  return domhandler;
}

/**
 * htmlparser2 keeps its open elements with Array#unshift and looks a closing tag up with indexOf,
 * so parse time grows with the square of the nesting depth: 100,000 unclosed <div>s take ~10 s,
 * the 5 MB cap allows a million. The depth is counted from the parser's own open and close events
 * (implied closes included, a closing tag that closes nothing not), and a page beyond any real
 * one is refused.
 */
const MAX_DEPTH = 10_000;

function tooDeep(): WirefeedError {
  return new WirefeedError('extract', 'E_TOO_DEEP', `HTML nests more than ${MAX_DEPTH} elements deep`);
}

/**
 * Characters handed to the parser per step. A step of normal HTML takes well under a millisecond;
 * at the deepest nesting allowed each tag costs the parser a scan of its open elements, and 2 KB
 * of tags there take up to ~30 ms (16 KB took 50–250 ms).
 */
const CHUNK = 2048;

/** Feed `html` to a streaming parser one chunk per step. */
function* parseInChunks(parser: Parser, html: string): Steps<void> {
  for (let at = 0; at < html.length; at += CHUNK) {
    parser.write(html.slice(at, at + CHUNK));
    yield;
  }
  parser.end();
}

/** Elements that start and end a line (HTML "block-level" content, plus table cells). */
const BLOCK = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div',
  'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup', 'hr',
  'html', 'legend', 'li', 'main', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td',
  'tfoot', 'th', 'thead', 'tr', 'ul',
]);

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

/** Per open element: what leaving it must undo. */
const F_DROP = 1;
const F_BLOCK = 2;
const F_PRE = 4;
const F_LINK = 8;
const F_LIST = 16;

/**
 * A list of at least this many items, each a link of a few words, is navigation (sections,
 * tags, a site map) even outside <nav>: its lines are dropped when the list closes.
 */
const NAV_LIST_ITEMS = 8;
const NAV_ITEM_WORDS = 3;
/** Share of a navigation line that is link text. */
const NAV_LINK_SHARE = 0.9;

/** Characters of `text` without its white space at either edge, counted without a copy. */
function trimmedLength(text: string): number {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  return end - start;
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

/** A line of at least three words: a headline may be printed twice, a short label ("Video") legitimately repeats. */
function isWordy(line: string): boolean {
  const space = line.indexOf(' ');
  return space !== -1 && line.indexOf(' ', space + 1) !== -1;
}

/** At most NAV_ITEM_WORDS words. */
function isShort(line: string): boolean {
  let words = 1;
  for (let i = line.indexOf(' '); i !== -1; i = line.indexOf(' ', i + 1)) if (++words > NAV_ITEM_WORDS) return false;
  return true;
}

/** A line's own link: the one around at least this share of its characters (a headline, a linked lead; not a link to a topic inside a sentence). */
const LINK_SHARE = 0.5;

/**
 * The visible-text rules, fed element events in document order. A line ends at every block
 * boundary and <br> (and at newlines inside <pre>); each line is tidied by `textToLines`.
 */
class VisibleText {
  private readonly done: string[] = [];
  private readonly current: string[] = [];
  private readonly open: number[] = [];
  private dropping = 0;
  private pre = 0;
  /** Links and images are read only with a base URL to resolve them against. */
  private base: string | null;
  private baseSet = false;
  private readonly links: string[] = [];
  private linksSeen = 0;
  /** Characters of the current line, and of them those inside each link. */
  private lineChars = 0;
  private readonly linkChars = new Map<string, number>();
  private pendingImage: string | null = null;
  private readonly marked = new Map<number, LineMark>();
  /** The outermost open list, while every line in it reads as navigation: where its lines start, and its items. */
  private list: { start: number; items: number; nav: boolean } | null = null;

  constructor(base: string | null = null) {
    this.base = base;
  }

  enter(name: string, attribs: Attribs): void {
    if (this.open.length >= MAX_DEPTH) throw tooDeep();
    let flags = 0;
    // <base href> (in <head>, which is dropped) moves what relative links resolve against.
    if (name === 'base' && this.base !== null && !this.baseSet && attribs.href !== undefined) {
      this.base = resolveLink(attribs.href, this.base) ?? this.base;
      this.baseSet = true;
    }
    if (this.dropping > 0 || DROP.has(name) || isHidden(attribs) || isFurniture(attribs)) {
      flags = F_DROP;
      this.dropping++;
    } else if (name === 'br') {
      this.breakLine();
    } else {
      if (BLOCK.has(name)) {
        flags |= F_BLOCK;
        this.breakLine();
      }
      if (name === 'pre') {
        flags |= F_PRE;
        this.pre++;
      }
      if (this.base !== null) {
        if (name === 'a') {
          const link = resolveLink(attribs.href, this.base);
          if (link !== null) {
            flags |= F_LINK;
            this.links.push(link);
            this.linksSeen++;
          }
        } else if (name === 'img' && this.pendingImage === null) {
          this.pendingImage = imageUrl(attribs, this.base);
        } else if ((name === 'ul' || name === 'ol') && this.list === null) {
          flags |= F_LIST;
          this.list = { start: this.done.length, items: 0, nav: true };
        } else if (name === 'li' && this.list !== null) {
          this.list.items++;
        }
      }
    }
    this.open.push(flags);
  }

  leave(): void {
    const flags = this.open.pop() ?? 0;
    if (flags & F_DROP) this.dropping--;
    if (flags & F_BLOCK) this.breakLine();
    if (flags & F_PRE) this.pre--;
    if (flags & F_LINK) this.links.pop();
    if (flags & F_LIST) this.closeList();
  }

  private closeList(): void {
    const list = this.list;
    this.list = null;
    if (list === null || !list.nav || list.items < NAV_LIST_ITEMS) return;
    for (let i = list.start; i < this.done.length; i++) this.marked.delete(i);
    this.done.length = list.start;
  }

  data(text: string): void {
    if (this.dropping > 0) return;
    if (this.pre === 0) {
      this.push(text);
      return;
    }
    const parts = text.split(/\r\n|\r|\n/);
    this.push(parts[0] ?? '');
    for (let i = 1; i < parts.length; i++) {
      this.breakLine();
      this.push(parts[i] ?? '');
    }
  }

  private push(text: string): void {
    this.current.push(text);
    if (this.base === null) return;
    const chars = trimmedLength(text);
    this.lineChars += chars;
    const link = this.links[this.links.length - 1];
    if (link !== undefined && chars > 0) this.linkChars.set(link, (this.linkChars.get(link) ?? 0) + chars);
  }

  private breakLine(): void {
    if (this.current.length === 0) return;
    const line = this.current.length === 1 ? (this.current[0] as string) : this.current.join('');
    this.current.length = 0;
    let first = this.done.length;
    // A tidy line (no line break, no odd white space) is what the path below would give back.
    if (line !== '' && isTidy(line)) {
      this.done.push(line);
    } else if (line.trim() !== '') {
      // Outside <pre> a newline is white space like any other (CSS white-space: normal).
      for (const l of textToLines(line.replace(/[\r\n]+/g, ' '))) this.done.push(l);
    }
    // A headline printed twice in a row (over a picture and as its caption, say) is one line.
    if (this.done.length === first + 1 && first > 0 && this.done[first] === this.done[first - 1] && isWordy(this.done[first] as string)) {
      this.done.pop();
      first--;
    }
    if (this.base !== null) this.mark(first);
  }

  /** Marks the line(s) just made at `first` with their link and the pending image; the counts start over. */
  private mark(first: number): void {
    if (this.done.length > first) {
      let link: string | null = null;
      let most = 0;
      for (const [href, chars] of this.linkChars) {
        if (chars > most) [link, most] = [href, chars];
      }
      if (this.list?.nav === true && (most < this.lineChars * NAV_LINK_SHARE || !isShort(this.done[first] as string))) this.list.nav = false;
      if (most < this.lineChars * LINK_SHARE) link = null;
      const held = this.marked.get(first);
      if (held !== undefined) {
        held.link ??= link;
        held.image ??= this.pendingImage;
      } else if (link !== null || this.pendingImage !== null) {
        this.marked.set(first, { link, image: this.pendingImage });
      }
      this.pendingImage = null;
    }
    this.lineChars = 0;
    if (this.linkChars.size > 0) this.linkChars.clear();
  }

  lines(): string[] {
    this.breakLine();
    return this.done;
  }

  /** The marks of the lines that have a link or an image, by line index (after `lines()`). */
  marks(): ReadonlyMap<number, LineMark> {
    return this.marked;
  }

  /** What links resolve against: the page URL, or its `<base href>`. */
  baseUrl(): string | null {
    return this.base;
  }

  /** Links met outside chrome with an http(s) target. */
  linkCount(): number {
    return this.linksSeen;
  }
}

/** A page's visible lines, the links and images of its lines, and what its head and links say about it. */
export interface HtmlLines {
  lines: string[];
  /** By line index, only the lines that have a link or an image. */
  marks: ReadonlyMap<number, LineMark>;
  /** The page URL, or its `<base href>`. */
  base: string | null;
  /** Meta tags by `property` or `name` (lower case; the first of each), and the JSON-LD blocks. */
  meta: ReadonlyMap<string, string>;
  jsonLd: string[];
  /** Links outside chrome with an http(s) target: fewer than a listing's items means no listing. */
  links: number;
}

/** Meta tags and JSON-LD, taken from the parser's events as the page streams by (they sit in the dropped <head>). */
class PageFacts {
  readonly meta = new Map<string, string>();
  readonly jsonLd: string[] = [];
  private script: string[] | null = null;

  enter(name: string, attribs: Attribs): void {
    if (name === 'meta') {
      const key = (attribs.property ?? attribs.name ?? '').toLowerCase();
      if (key !== '' && attribs.content !== undefined && !this.meta.has(key)) this.meta.set(key, attribs.content);
    } else if (name === 'script' && (attribs.type ?? '').trim().toLowerCase() === 'application/ld+json') {
      this.script = [];
    }
  }

  leave(name: string): void {
    if (name === 'script' && this.script !== null) {
      this.jsonLd.push(this.script.join(''));
      this.script = null;
    }
  }

  data(text: string): void {
    this.script?.push(text);
  }
}

/**
 * The visible text of a page as lines, normalised like plain text, each line marked with the
 * link around it and the image before or in it (resolved against `baseUrl`, or the page's
 * `<base href>`); one chunk of HTML per step.
 */
export function* htmlLineSteps(html: string, baseUrl: string | null = null): Steps<HtmlLines> {
  const visible = new VisibleText(baseUrl);
  const facts = new PageFacts();
  const parser = new (parserLib().Parser)({
    onopentag: (name, attribs) => {
      visible.enter(name, attribs);
      facts.enter(name, attribs);
    },
    onclosetag: (name) => {
      visible.leave();
      facts.leave(name);
    },
    ontext: (text) => {
      visible.data(text);
      facts.data(text);
    },
  });
  yield* parseInChunks(parser, html);
  const lines = visible.lines();
  return { lines, marks: visible.marks(), base: visible.baseUrl(), meta: facts.meta, jsonLd: facts.jsonLd, links: visible.linkCount() };
}

export function htmlToLines(html: string): string[] {
  return runSteps(htmlLineSteps(html)).lines;
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

/** Marker on the walk stack: leave the element entered before. */
const LEAVE = 0;

/** DOM nodes visited per step. */
const NODES_PER_STEP = 4096;

/**
 * `VisibleText` over DOM nodes. Iterative, so deep nesting cannot overflow the call stack; a step
 * per few thousand nodes, as one item may hold the whole page.
 */
export function* nodeLineSteps(roots: readonly AnyNode[], skip: ReadonlySet<AnyNode>): Steps<string[]> {
  const visible = new VisibleText();
  const stack: (AnyNode | typeof LEAVE)[] = [...roots].reverse();
  let visited = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    if (item === LEAVE) {
      visible.leave();
    } else if (skip.has(item)) {
      continue;
    } else if (item.type === 'text') {
      visible.data(item.data);
    } else if (item.type === 'tag' || item.type === 'root') {
      if (item.type === 'tag') {
        visible.enter(item.name, item.attribs);
        stack.push(LEAVE);
      }
      for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i] as AnyNode);
    }
    // script and style elements, comments and directives carry no visible text.
  }
  return visible.lines();
}

export const NO_SKIP: ReadonlySet<AnyNode> = new Set();

/** A kicker over a headline (`Politics`, `Ukraine`): one short word. */
const KICKER = /^\S{1,24}$/;

/**
 * The kickers of an item: elements before its headline that hold one short word and nothing
 * else. They label the headline and are no text of the item, as parse reads a repeated block.
 */
function kickersBefore(item: Element, headline: Element): Element[] {
  const kickers: Element[] = [];
  const stack: AnyNode[] = [...item.children].reverse();
  for (let node = stack.pop(); node !== undefined && node !== headline; node = stack.pop()) {
    if (node.type !== 'tag') continue;
    const texts = node.children.every((c) => c.type === 'text') ? node.children.map((c) => (c.type === 'text' ? c.data : '')).join('').trim() : null;
    if (texts !== null && KICKER.test(texts)) kickers.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
  return kickers;
}

export interface ItemSelectors {
  item: string;
  headline?: string;
  body?: string;
  age?: string;
  link?: string;
  time?: string;
}

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

/**
 * The elements under `scope` that `selector` matches, in document order: what cheerio's
 * `$(scope).find(selector)` gives, a step per few thousand nodes. With `outermost`, only the
 * matches that lie in no other match (see `outermostSteps`): the walk does not go into a match.
 *
 * Not cheerio's own query: it hands the engine the scope's children, which are first
 * deduplicated pairwise (60,000 <article>s side by side took 5 s), and domutils walks the tree
 * keeping its path with Array#unshift, so time grows with nodes × depth (2,000 nested <article>s
 * repeated to 5 MB: 200–400 ms in one call). css-select compiles the selector, as cheerio-select
 * does for plain CSS; jQuery's positional pseudo-classes (`:first`, `:eq(1)`) and selectors that
 * start with a sibling combinator go to cheerio-select, in one step.
 */
function* selectSteps(root: Document, scope: AnyNode, selector: string, outermost: boolean): Steps<Element[]> {
  let test: ReturnType<typeof import('css-select').compile<AnyNode, Element>>;
  try {
    test = cssLib().compile<AnyNode, Element>(selector, { xmlMode: false, context: scope }, scope);
  } catch {
    // Not plain CSS (or not CSS at all): cheerio-select knows the extensions, or says what is wrong.
    return yield* selectAtOnce(root, scope, selector, outermost);
  }
  if (test.shouldTestNextSiblings === true) return yield* selectAtOnce(root, scope, selector, outermost);
  const { hasChildren, isTag } = domLib();
  const found: Element[] = [];
  const stack: AnyNode[] = hasChildren(scope) ? [...scope.children].reverse() : [];
  let visited = 0;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    if (!isTag(node)) continue;
    if (test(node)) {
      found.push(node);
      if (outermost) continue;
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
  return found;
}

/** `select` as cheerio does it, in one go: for what css-select cannot compile alone. */
function* selectAtOnce(root: Document, scope: AnyNode, selector: string, outermost: boolean): Steps<Element[]> {
  let found: Element[];
  try {
    found = selectLib().select(selector, scope, { root, context: scope, xmlMode: false });
  } catch (err) {
    throw new WirefeedError('extract', 'E_SELECTOR', `invalid CSS selector "${selector}"`, { cause: err });
  }
  return outermost ? yield* outermostSteps(found) : found;
}

export function* joinedLineSteps(nodes: readonly AnyNode[]): Steps<string | null> {
  const text = (yield* nodeLineSteps(nodes, NO_SKIP)).join(' ');
  return text === '' ? null : text;
}

/**
 * The matches that lie in no other match, in their order. A match inside another is part of that
 * one's text already: taking it again as an item (or a paragraph) repeats its text once per match
 * around it, and 2,000 unclosed <article>s then make 2,000 items of 4 million paragraphs.
 * Each node is walked up from once: what a walk learns is kept for every node it passed.
 */
function* outermostSteps(matches: readonly Element[]): Steps<Element[]> {
  if (matches.length < 2) return [...matches];
  const matched = new Set<AnyNode>(matches);
  const insideMatch = new Map<AnyNode, boolean>();
  const kept: Element[] = [];
  for (let i = 0; i < matches.length; i++) {
    if (i % NODES_PER_STEP === NODES_PER_STEP - 1) yield;
    const match = matches[i] as Element;
    const passed: AnyNode[] = [];
    let inside = false;
    for (let node = match.parent; node !== null; node = node.parent) {
      if (matched.has(node)) {
        inside = true;
        break;
      }
      const known = insideMatch.get(node);
      if (known !== undefined) {
        inside = known;
        break;
      }
      passed.push(node);
    }
    for (const node of passed) insideMatch.set(node, inside);
    if (!inside) kept.push(match);
  }
  return kept;
}

/**
 * One item per `selectors.item` match that lies in no other match, with its first picture as its
 * image. Body: each `body` match's
 * lines as paragraphs; without a body selector (or no match) the item's own lines minus its
 * headline, age, time and configured link. Items with neither headline nor body (empty ad slots)
 * are left out. After `maxItems` items the matches are only counted (`unread`): reading 650,000
 * items of a hostile page to keep 1,000 took seconds. A step per chunk of HTML, per item and per
 * few thousand nodes of an item.
 */
export function* htmlItemSteps(
  html: string,
  baseUrl: string,
  selectors: ItemSelectors,
  maxItems: number,
): Steps<{ items: ExtractedItem[]; unread: number }> {
  const root = yield* domSteps(html);
  const $ = cheerioLib().load(root, { xml: false });
  const find = (scope: AnyNode, selector: string, outermost = false): Steps<Element[]> => selectSteps(root, scope, selector, outermost);
  const first = function* (scope: AnyNode, selector: string | undefined): Steps<Element[]> {
    return selector === undefined ? [] : (yield* find(scope, selector)).slice(0, 1);
  };
  const items: ExtractedItem[] = [];
  let unread = 0;
  for (const el of yield* find(root, selectors.item, true)) {
    if (items.length >= maxItems) {
      unread++;
      continue;
    }
    yield;
    const headlineEls = yield* first(el, selectors.headline);
    const ageEls = yield* first(el, selectors.age);
    const timeEls = yield* first(el, selectors.time ?? 'time[datetime]');
    const linkEls = yield* first(el, selectors.link);
    const bodyEls = selectors.body ? yield* find(el, selectors.body, true) : [];
    const linkEl = selectors.link
      ? linkEls[0]
      : el.name === 'a' && el.attribs.href !== undefined
        ? el
        : (yield* first(el, 'a[href]'))[0];
    const href = linkEl?.attribs.href ?? (linkEl ? (yield* first(linkEl, 'a[href]'))[0]?.attribs.href : undefined);
    // Other links to the item's own page are labels ("mehr", "Read more"), not text: as the repeated-block detector reads them.
    const labels = href === undefined ? [] : (yield* find(el, 'a[href]')).filter((a) => a !== linkEl && a.attribs.href === href);
    // A configured link ("lees meer") is chrome; the default first <a> often wraps the lead itself.
    let body: string[];
    if (bodyEls.length > 0) {
      body = [];
      const skip = new Set<AnyNode>(labels);
      for (const b of bodyEls) for (const line of yield* nodeLineSteps([b], skip)) body.push(line);
    } else {
      const kickers = headlineEls[0] === undefined ? [] : kickersBefore(el, headlineEls[0]);
      body = yield* nodeLineSteps(el.children, new Set([...headlineEls, ...ageEls, ...timeEls, ...linkEls, ...labels, ...kickers]));
    }
    const headline = yield* joinedLineSteps(headlineEls);
    if (headline === null && body.length === 0) continue;

    const timeEl = timeEls[0];
    const picture = (yield* first(el, 'img'))[0];
    const image = picture ? imageUrl(picture.attribs, baseUrl) : null;
    items.push({
      headline,
      body,
      ageText: yield* joinedLineSteps(ageEls),
      link: resolveLink(href, baseUrl),
      datetime: timeEl ? parseDatetime(timeEl.attribs.datetime ?? $(timeEl).text()) : null,
      ...(image === null ? {} : { image }),
    });
  }
  return { items, unread };
}
