/**
 * HTML → the text a reader sees: lines broken at block elements and <br>, chrome (navigation,
 * header, footer, scripts, hidden parts) left out. Or, with CSS selectors, one item per match
 * that lies in no other match. Both run as steps (steps.ts): a page may be 5 MB of hostile markup.
 *
 * Both ways use htmlparser2 (what `cheerio/slim` parses with; parse5 is several times slower and
 * goes quadratic on deep nesting). Free lines stream straight from the parser's events without
 * building a DOM, which halves the time of the common case; selectors need cheerio's DOM, walked by
 * hand because `.text()` runs block elements together. Both feed the same `VisibleText` rules.
 *
 * This file holds the visible-text rules and the free lines; the selector items are in items.ts,
 * the parser, the DOM and the helpers both use in dom.ts.
 */
import type { AnyNode } from 'domhandler';
import type { LineMark } from '../model.js';
import { runSteps, type Steps } from '../steps.js';
import { type Attribs, DROP, imageUrl, isFurniture, isHidden, MAX_DEPTH, NODES_PER_STEP, parseDatetime, parseInChunks, parserLib, resolveLink, tooDeep } from './dom.js';
import { isTidy, textToLines } from './text.js';

/** Elements that start and end a line (HTML "block-level" content, plus table cells). */
const BLOCK = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div',
  'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup', 'hr',
  'html', 'legend', 'li', 'main', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td',
  'tfoot', 'th', 'thead', 'tr', 'ul',
]);

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

/** The label of a link to the rest of a teaser's story (`mehr...`, `Lees meer »`, `Read more`). */
const MORE_LABEL = /^\s*(?:mehr|weiterlesen|more|read more|continue reading|meer|lees meer|lees verder|verder lezen|lire la suite|suite|plus)\s*(?:\.{3}|…|»|›|>)?\s*$/iu;
const MORE_LABEL_MAX = 40;

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
  /** Text of the innermost open link (while short), and the line's more-link (`mehr...`), if any. */
  private linkText = '';
  private moreLink: string | null = null;
  private pendingImage: string | null = null;
  private pendingDatetime: Date | null = null;
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
    } else if (this.base !== null && !this.baseSet && this.base.startsWith('file:')) {
      // A page saved to disk resolves its links against the address it names for itself.
      const own = name === 'link' && /\bcanonical\b/i.test(attribs.rel ?? '') ? attribs.href : name === 'meta' && attribs.property === 'og:url' ? attribs.content : undefined;
      const url = own === undefined ? null : resolveLink(own, this.base);
      if (url !== null) {
        this.base = url;
        this.baseSet = true;
      }
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
      // A <time datetime> dates the line it stands in, with or without a base URL.
      if (name === 'time' && this.pendingDatetime === null) this.pendingDatetime = parseDatetime(attribs.datetime);
      if (this.base !== null) {
        if (name === 'a') {
          const link = resolveLink(attribs.href, this.base);
          if (link !== null) {
            flags |= F_LINK;
            this.links.push(link);
            this.linksSeen++;
            this.linkText = '';
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
    if (flags & F_LINK) {
      const link = this.links.pop();
      if (link !== undefined && MORE_LABEL.test(this.linkText)) this.moreLink ??= link;
      this.linkText = '';
    }
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
    if (link !== undefined && chars > 0) {
      this.linkChars.set(link, (this.linkChars.get(link) ?? 0) + chars);
      if (this.linkText.length <= MORE_LABEL_MAX) this.linkText += text;
    }
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
    this.mark(first);
  }

  /** Marks the line(s) just made at `first` with their link, the pending image and datetime; the counts start over. */
  private mark(first: number): void {
    if (this.done.length > first) {
      let link: string | null = null;
      let most = 0;
      for (const [href, chars] of this.linkChars) {
        if (chars > most) [link, most] = [href, chars];
      }
      if (this.list?.nav === true && (most < this.lineChars * NAV_LINK_SHARE || !isShort(this.done[first] as string))) this.list.nav = false;
      // A teaser's more-link (`… mehr...`) is its story's link, however short its label.
      if (most < this.lineChars * LINK_SHARE) link = this.moreLink;
      const held = this.marked.get(first);
      const datetime = this.pendingDatetime;
      if (held !== undefined) {
        held.link ??= link;
        held.image ??= this.pendingImage;
        if (datetime !== null) held.datetime ??= datetime;
      } else if (link !== null || this.pendingImage !== null || datetime !== null) {
        this.marked.set(first, datetime === null ? { link, image: this.pendingImage } : { link, image: this.pendingImage, datetime });
      }
      this.pendingImage = null;
      this.pendingDatetime = null;
    }
    this.lineChars = 0;
    this.moreLink = null;
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

/** Marker on the walk stack: leave the element entered before. */
const LEAVE = 0;

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

export function* joinedLineSteps(nodes: readonly AnyNode[]): Steps<string | null> {
  const text = (yield* nodeLineSteps(nodes, NO_SKIP)).join(' ');
  return text === '' ? null : text;
}
