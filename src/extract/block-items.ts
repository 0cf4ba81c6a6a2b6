/**
 * Item building for the repeated-block detector (blocks.ts): from a chosen candidate's item roots,
 * each item's headline, absolute link, teaser, age or time and image, and the CSS selectors that
 * cut the same items out when pinned in the source's config. Apart from blocks.ts so that the walk
 * that finds a listing reads on its own; the item look and headline are shared with block-scores.ts.
 */
import type { AnyNode, Element } from 'domhandler';
import type { ExtractedItem, PinnedSelectors } from '../model.js';
import { looksLikeTime, matchAgeAtEnd } from '../ages/index.js';
import type { Steps } from '../steps.js';
import type { Candidate } from './blocks.js';
import { DROP, imageUrl, isFurniture, isHidden, NODES_PER_STEP, parseDatetime, resolveLink } from './dom.js';
import { joinedLineSteps, nodeLineSteps } from './html.js';

/** Items looked at per step: each item's own walk yields only past NODES_PER_STEP nodes. */
export const ITEMS_PER_STEP = 64;
export const HEADING = /^h[1-6]$/;
/** An element of this many characters at most may be an item's age (parse reads a block's age from lines as short). */
const AGE_CHARS = 80;

export type Tag = Element;

export function attr(el: Tag, name: string): string {
  return el.attribs[name] ?? '';
}

/** Page chrome for the detector: the extractor's, but a `<header>` or `<footer>` inside a story card is the card's. */
export function isChrome(el: Tag, inCard: boolean): boolean {
  if (el.name === 'header' || el.name === 'footer') return !inCard;
  return DROP.has(el.name) || isHidden(el.attribs) || isFurniture(el.attribs);
}

/** One item's look: text, link text, links, first <time>, first picture, whether its link is a heading. */
interface ItemLook {
  chars: number;
  linkChars: number;
  links: number;
  time: Tag | null;
  picture: Tag | null;
}

export function* lookSteps(root: Tag): Steps<ItemLook> {
  const look: ItemLook = { chars: 0, linkChars: 0, links: 0, time: null, picture: null };
  const stack: [AnyNode, boolean][] = [[root, false]];
  let visited = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    const [node, inLink] = item;
    if (node.type === 'text') {
      const len = node.data.trim().length;
      look.chars += len;
      if (inLink) look.linkChars += len;
      continue;
    }
    if (node.type !== 'tag' || (node !== root && isChrome(node, true))) continue;
    if (node.name === 'a' && attr(node, 'href') !== '') look.links++;
    if (node.name === 'time') look.time ??= node;
    if (node.name === 'img') look.picture ??= node;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i] as AnyNode, inLink || node.name === 'a']);
  }
  return look;
}

/** The heading an item's link sits in (within the item) or holds; else the link itself. */
export function headlineOf(link: Tag, root: Tag): Tag {
  for (let n: Tag | null = link; n !== null && n !== root.parent; n = n.parent?.type === 'tag' ? n.parent : null) {
    if (HEADING.test(n.name)) return n;
    if (n === root) break;
  }
  const stack: AnyNode[] = [...link.children].reverse();
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.type !== 'tag') continue;
    if (HEADING.test(n.name)) return n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as AnyNode);
  }
  return link;
}

function* descendantTags(root: Tag): Generator<Tag, void, void> {
  const stack: AnyNode[] = [...root.children].reverse();
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.type !== 'tag') continue;
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as AnyNode);
  }
}

/** Levels an item selector climbs at most: enough to place a listing, short enough to read (and to paste). */
const MAX_PATH = 8;

/** A class name CSS can take as it is. */
const PLAIN_CLASS = /^-?[A-Za-z_][\w-]*$/;

/** Classes every one of `nodes` has, in the first one's order. */
function commonClasses(nodes: readonly Tag[]): string[] {
  const first = nodes[0];
  if (first === undefined) return [];
  const firstClass = attr(first, 'class');
  let common = firstClass.split(/\s+/).filter((c) => c !== '' && PLAIN_CLASS.test(c));
  for (let i = 1; i < nodes.length && common.length > 0; i++) {
    const cls = attr(nodes[i] as Tag, 'class');
    // Items of one listing mostly carry the very same class attribute.
    if (cls === firstClass) continue;
    const own = ` ${cls.replace(/\s+/g, ' ')} `;
    common = common.filter((c) => own.includes(` ${c} `));
  }
  return common;
}

/** Each node once, in order: the items' parents are mostly one node. */
function unique(nodes: readonly Tag[]): Tag[] {
  return [...new Set(nodes)];
}

/** `tag.class.class` for a level of the path where `nodes` stand. */
function segment(nodes: readonly Tag[]): string {
  return [(nodes[0] as Tag).name, ...commonClasses(nodes)].join('.');
}

/** The item roots' path from the top of the page (or from an id they all lie under, or MAX_PATH levels up), child by child. */
export function itemSelector(roots: readonly Tag[]): string {
  const parts: string[] = [];
  let level: Tag[] = [...roots];
  while (parts.length < MAX_PATH) {
    const id = attr(level[0] as Tag, 'id');
    if (parts.length > 0 && id !== '' && PLAIN_CLASS.test(id) && level.every((n) => n === level[0])) {
      parts.unshift(`#${id}`);
      break;
    }
    parts.unshift(segment(level));
    const parents = level.map((n) => n.parent);
    if (parents.some((p) => p === null || p.type !== 'tag')) break;
    level = unique(parents as Tag[]);
  }
  return parts.join(' > ');
}

/** The path from each root down to its node (`nodes[i]` under `roots[i]`), child by child; null when a node is its root. */
function relativeSelector(roots: readonly Tag[], nodes: readonly Tag[]): string | null {
  if (nodes.some((n, i) => n === roots[i])) return null;
  const parts: string[] = [];
  let level: Tag[] = [...nodes];
  while (!level.some((n, i) => n === roots[i])) {
    parts.unshift(segment(level));
    level = level.map((n) => n.parent as Tag);
  }
  return parts.join(' > ');
}

/** The text of an element that holds text only, trimmed; null when it holds other elements. */
function leafText(el: Tag): string | null {
  let text = '';
  for (const n of el.children) {
    if (n.type === 'tag') return null;
    if (n.type === 'text') text += n.data;
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** Whether an element's whole text is an age or a time, as parse reads a block's age line. */
function isAgeText(text: string): boolean {
  if (text === '' || text.length > AGE_CHARS) return false;
  return looksLikeTime(text) || matchAgeAtEnd(text, 'auto')?.index === 0;
}

/**
 * What an item's pinned `body` and `age` point at: its first paragraph outside its headline (the
 * teaser), and the element that holds only its age — a `<time>` without a datetime, or text such
 * as `10:32` or `vor 1 Stunde` — when no `<time datetime>` dates it.
 */
interface PinnedParts {
  teaser: Tag | null;
  age: Tag | null;
}

function pinnedParts(root: Tag, headline: Tag, skip: ReadonlySet<AnyNode>, time: Tag | null, dated: boolean): PinnedParts {
  const parts: PinnedParts = { teaser: null, age: dated ? null : time };
  // The headline's ancestors hold it: no teaser or age of their own. One walk, not one per node.
  const holders = new Set<AnyNode>();
  for (let n: AnyNode | null = headline.parent; n !== null && n !== root; n = n.parent) holders.add(n);
  const stack: AnyNode[] = [...root.children].reverse();
  for (let n = stack.pop(); n !== undefined && (parts.teaser === null || parts.age === null); n = stack.pop()) {
    if (n.type !== 'tag' || n === headline || n === time || skip.has(n) || isChrome(n, true)) continue;
    if (!holders.has(n)) {
      if (n.name === 'p') parts.teaser ??= n;
      if (parts.age === null) {
        const text = leafText(n);
        if (text !== null && isAgeText(text)) parts.age = n;
      }
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as AnyNode);
  }
  return parts;
}

/** The detector's items, and per item the parts its pinned selectors point at. */
interface BuiltItems {
  items: ExtractedItem[];
  parts: PinnedParts[];
}

export function* itemSteps(c: Candidate, base: string): Steps<BuiltItems> {
  const items: ExtractedItem[] = [];
  const parts: PinnedParts[] = [];
  for (let i = 0; i < c.roots.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    const root = c.roots[i] as Tag;
    const link = c.links[i] as Tag;
    const headline = headlineOf(link, root);
    const look = yield* lookSteps(root);
    const time = look.time;
    const datetime = time === null ? null : parseDatetime(attr(time, 'datetime'));
    // Other links to the item's own page are labels ("mehr", "Read more"), not text.
    const href = attr(link, 'href');
    const labels = [...descendantTags(root)].filter((n) => n.name === 'a' && n !== link && attr(n, 'href') === href);
    const skip = new Set<AnyNode>([headline, ...labels, ...(time === null ? [] : [time])]);
    const body = root === headline ? [] : yield* nodeLineSteps(root.children, skip);
    parts.push(root === headline ? { teaser: null, age: null } : pinnedParts(root, headline, new Set(labels), time, datetime !== null));
    items.push({
      headline: yield* joinedLineSteps([headline]),
      body,
      ageText: time !== null && datetime === null ? yield* joinedLineSteps([time]) : null,
      link: resolveLink(attr(link, 'href'), base),
      datetime,
      ...(look.picture === null ? {} : { image: imageUrl(look.picture.attribs, base) }),
    });
  }
  return { items, parts };
}

/** The common path from the roots down to the nodes of the items that have one; null when none has. */
function partSelector(roots: readonly Tag[], nodes: readonly (Tag | null)[]): string | null {
  const having = roots.flatMap((r, i) => (nodes[i] ? [[r, nodes[i]] as const] : []));
  if (having.length === 0) return null;
  return relativeSelector(having.map(([r]) => r), having.map(([, n]) => n));
}

export function selectorsOf(c: Candidate, timed: boolean, parts: readonly PinnedParts[]): PinnedSelectors {
  const headlines = c.links.map((l, i) => headlineOf(l, c.roots[i] as Tag));
  const headline = relativeSelector(c.roots, headlines);
  const link = relativeSelector(c.roots, c.links);
  const body = partSelector(c.roots, parts.map((p) => p.teaser));
  const age = partSelector(c.roots, parts.map((p) => p.age));
  return {
    item: itemSelector(c.roots),
    ...(headline === null ? {} : { headline }),
    ...(link === null ? {} : { link }),
    ...(body === null ? {} : { body }),
    ...(age === null ? {} : { age }),
    ...(timed ? { time: 'time' } : {}),
  };
}
