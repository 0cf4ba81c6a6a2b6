/**
 * HTML → items by CSS selectors: one item per `item` match that lies in no other match, its
 * headline, body, age, time and link by further selectors. Apart from html.ts because only
 * selector sources need it (and cheerio's DOM); it reads each part's text with html.ts's
 * visible-text rules. Runs as steps (steps.ts): a page may be 5 MB of hostile markup.
 */
import type { AnyNode, Document, Element } from 'domhandler';
import { WirefeedError } from '../errors.js';
import type { ExtractedItem } from '../model.js';
import type { Steps } from '../steps.js';
import { cheerioLib, cssLib, domLib, domSteps, imageUrl, NODES_PER_STEP, parseDatetime, resolveLink, selectLib } from './dom.js';
import { joinedLineSteps, nodeLineSteps } from './html.js';

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
