/**
 * Repeated item blocks: the items of an HTML listing that has no dateline text, found from its DOM
 * the way feedless's WebToFeedTransformer does (see also the "mining data records" line of work):
 * 1. group the page's links by their tag path (`main>ul>li>h3>a`), page chrome left out;
 * 2. for each group of at least MIN_ITEMS links, walk up from the first two links and from the
 *    last two until they share a parent: the nodes just below it are the item roots;
 * 3. score each candidate by the table SCORES (each row with its reason) and take the best, if it
 *    scores at least MIN_SCORE;
 * 4. build the items (headline, absolute link, teaser, time, image) and the CSS selectors that
 *    would cut the same items out when pinned in the source's config.
 * Every walk is iterative and linear in the nodes it visits, a step per few thousand nodes.
 */
import type { AnyNode, Document, Element } from 'domhandler';
import type { BlockListing, ExtractedItem, PinnedSelectors } from '../model.js';
import { looksLikeTime, matchAgeAtEnd } from '../ages/index.js';
import type { Steps } from '../steps.js';
import { DROP, imageUrl, isFurniture, isHidden, parseDatetime, resolveLink } from './dom.js';
import { joinedLineSteps, nodeLineSteps } from './html.js';

/** Fewer repeats than this is no listing. */
export const MIN_ITEMS = 3;
/** Only the largest link groups are scored: a page has a few listings and many small link clusters. */
const MAX_CANDIDATES = 24;
/** Nodes visited per step. */
const NODES_PER_STEP = 4096;
/** Items looked at per step: each item's own walk yields only past NODES_PER_STEP nodes. */
const ITEMS_PER_STEP = 64;
/** The best candidate must score this much to be a listing (the must-find-nothing pages score below it). */
export const MIN_SCORE = 6;
/** A teaser is text beyond the headline of at least this many characters. */
const TEASER_CHARS = 40;
const HEADING = /^h[1-6]$/;
/** An element of this many characters at most may be an item's age (parse reads a block's age from lines as short). */
const AGE_CHARS = 80;

type Tag = Element;

/** What a candidate's items show, averaged or counted over its items. */
export interface CandidateStats {
  items: number;
  /** Mean words in the links' text. */
  linkWords: number;
  /** Items whose link sits in or around a heading. */
  inHeading: number;
  /** Items with a `<time>`. */
  timed: number;
  /** Items with text beyond the headline (a teaser). */
  teasers: number;
  /** Mean links per item. */
  linksPerItem: number;
  /** Items whose link or headline repeats another item's. */
  repeats: number;
  /** Share of the page's text (chrome left out) inside the items. */
  coverage: number;
  /** Items inside `<main>` or `[role=main]`. */
  inMain: number;
  /** Items with a picture. */
  pictured: number;
}

interface ScoreRow {
  name: string;
  /** Why the row is there. */
  reason: string;
  points: (s: CandidateStats) => number;
}

const most = (count: number, s: CandidateStats): boolean => count * 2 >= s.items;

/** The score table: a candidate's score is the sum of its rows. Weights after feedless, tuned on the fixtures. */
export const SCORES: readonly ScoreRow[] = [
  { name: 'count', reason: 'a listing repeats its block; a few links are a cluster, not a list', points: (s) => (s.items < 4 ? -5 : Math.log(s.items) * 1.5 + 1) },
  { name: 'headline words', reason: 'a headline is a phrase; menu items and tags are a word or two', points: (s) => (s.linkWords < 3 ? -10 : s.linkWords >= 5 ? 3 : 0) },
  { name: 'headings', reason: 'sites mark their item headlines up as headings', points: (s) => (most(s.inHeading, s) ? 4 : 0) },
  { name: 'times', reason: 'news items are dated; navigation is not', points: (s) => (s.timed === s.items ? 10 : most(s.timed, s) ? 5 : 0) },
  { name: 'teasers', reason: 'a story block has text beside its headline', points: (s) => (most(s.teasers, s) ? 3 : 0) },
  { name: 'links per item', reason: 'a block of many links is navigation, not one story', points: (s) => -Math.max(0, Math.min(8, s.linksPerItem - 1.5)) },
  { name: 'repeats', reason: '"read more" and the same target again are no distinct stories', points: (s) => -10 * (s.repeats / s.items) },
  { name: 'coverage', reason: 'the listing is what the page is about; a related-stories box beside an article is not', points: (s) => (s.coverage < 0.25 ? -15 : s.coverage >= 0.5 ? 4 : 0) },
  { name: 'main', reason: 'items in the main content beat the sidebars', points: (s) => (most(s.inMain, s) ? 3 : 0) },
  { name: 'pictures', reason: 'story blocks often carry a picture', points: (s) => (most(s.pictured, s) ? 1 : 0) },
];

export function scoreOf(stats: CandidateStats): number {
  let score = 0;
  for (const row of SCORES) score += row.points(stats);
  return score;
}

/** Links of the page by tag path, and the page's text length; chrome left out. */
interface Gathered {
  groups: Map<number, Tag[]>;
  /** Document order of each link, for ties. */
  order: Map<Tag, number>;
  textChars: number;
}

function attr(el: Tag, name: string): string {
  return el.attribs[name] ?? '';
}

/** Page chrome for the detector: the extractor's, but a `<header>` or `<footer>` inside a story card is the card's. */
function isChrome(el: Tag, inCard: boolean): boolean {
  if (el.name === 'header' || el.name === 'footer') return !inCard;
  return DROP.has(el.name) || isHidden(el.attribs) || isFurniture(el.attribs);
}

function* gather(root: Document): Steps<Gathered> {
  const paths = new Map<string, number>();
  const groups = new Map<number, Tag[]>();
  const order = new Map<Tag, number>();
  let textChars = 0;
  // [node, id of its parent's tag path, inside an <article> or <li>]
  const stack: [AnyNode, number, boolean][] = root.children.map((n): [AnyNode, number, boolean] => [n, 0, false]).reverse();
  let visited = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    const [node, parentPath, inCard] = item;
    if (node.type === 'text') {
      textChars += node.data.trim().length;
      continue;
    }
    if (node.type !== 'tag' || isChrome(node, inCard)) continue;
    // Paths are interned as numbers: a string per element would grow with depth × elements.
    const key = `${parentPath}>${node.name}`;
    let path = paths.get(key);
    if (path === undefined) {
      path = paths.size + 1;
      paths.set(key, path);
    }
    if (node.name === 'a') {
      const href = attr(node, 'href').trim();
      if (href !== '' && !href.startsWith('#')) {
        const group = groups.get(path);
        if (group === undefined) groups.set(path, [node]);
        else group.push(node);
        order.set(node, order.size);
      }
    }
    const card = inCard || node.name === 'article' || node.name === 'li';
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i] as AnyNode, path, card]);
  }
  return { groups, order, textChars };
}

/** Steps up from `a` and `b` (at the same depth) until their parents are one node. */
function stepsToCommonParent(a: Tag, b: Tag): number {
  let x: AnyNode = a;
  let y: AnyNode = b;
  let up = 0;
  while (x.parent !== null && y.parent !== null && x.parent !== y.parent) {
    x = x.parent;
    y = y.parent;
    up++;
  }
  return up;
}

function ancestor(node: Tag, up: number): Tag {
  let n: Tag = node;
  for (let i = 0; i < up && n.parent !== null && n.parent.type === 'tag'; i++) n = n.parent;
  return n;
}

/** A candidate listing: item roots, each with its link, and where it starts in the page. */
export interface Candidate {
  roots: Tag[];
  links: Tag[];
  first: number;
}

function candidateOf(links: readonly Tag[], order: ReadonlyMap<Tag, number>): Candidate | null {
  const n = links.length;
  const up = Math.min(stepsToCommonParent(links[0] as Tag, links[1] as Tag), stepsToCommonParent(links[n - 2] as Tag, links[n - 1] as Tag));
  const roots: Tag[] = [];
  const kept: Tag[] = [];
  const seen = new Set<Tag>();
  for (const link of links) {
    const root = ancestor(link, up);
    if (seen.has(root)) continue;
    seen.add(root);
    roots.push(root);
    kept.push(link);
  }
  return roots.length >= MIN_ITEMS ? { roots, links: kept, first: order.get(links[0] as Tag) ?? 0 } : null;
}

/** One item's look: text, link text, links, first <time>, first picture, whether its link is a heading. */
interface ItemLook {
  chars: number;
  linkChars: number;
  links: number;
  time: Tag | null;
  picture: Tag | null;
}

function* lookSteps(root: Tag): Steps<ItemLook> {
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
function headlineOf(link: Tag, root: Tag): Tag {
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

function words(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** Whether `node` lies in `<main>` or `[role=main]`; known answers kept per parent, which items share. */
function isInMain(node: Tag, known: Map<AnyNode, boolean>): boolean {
  const parent = node.parent;
  if (parent === null) return false;
  let answer = known.get(parent);
  if (answer === undefined) {
    answer = false;
    for (let n: AnyNode | null = node; n !== null; n = n.parent) {
      if (n.type === 'tag' && (n.name === 'main' || attr(n, 'role') === 'main')) {
        answer = true;
        break;
      }
    }
    known.set(parent, answer);
  }
  return answer;
}

function* statsSteps(c: Candidate, textChars: number): Steps<CandidateStats> {
  const stats: CandidateStats = { items: c.roots.length, linkWords: 0, inHeading: 0, timed: 0, teasers: 0, linksPerItem: 0, repeats: 0, coverage: 0, inMain: 0, pictured: 0 };
  const hrefs = new Set<string>();
  const heads = new Set<string>();
  const inMain = new Map<AnyNode, boolean>();
  let chars = 0;
  for (let i = 0; i < c.roots.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    const root = c.roots[i] as Tag;
    const link = c.links[i] as Tag;
    const look = yield* lookSteps(root);
    const headline = headlineOf(link, root);
    const headText = (yield* joinedLineSteps([headline])) ?? '';
    stats.linkWords += words(headText);
    if (HEADING.test(headline.name)) stats.inHeading++;
    if (look.time !== null) stats.timed++;
    if (look.picture !== null) stats.pictured++;
    if (look.chars - headText.length >= TEASER_CHARS) stats.teasers++;
    stats.linksPerItem += look.links;
    const href = attr(link, 'href').trim();
    if (hrefs.has(href) || heads.has(headText)) stats.repeats++;
    hrefs.add(href);
    heads.add(headText);
    if (isInMain(root, inMain)) stats.inMain++;
    chars += look.chars;
  }
  stats.linkWords /= stats.items;
  stats.linksPerItem /= stats.items;
  stats.coverage = textChars === 0 ? 0 : chars / textChars;
  return stats;
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
function itemSelector(roots: readonly Tag[]): string {
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

function* itemSteps(c: Candidate, base: string): Steps<BuiltItems> {
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

function selectorsOf(c: Candidate, timed: boolean, parts: readonly PinnedParts[]): PinnedSelectors {
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

/** A scored candidate, for tests and `wirefeed try`. */
export interface ScoredCandidate {
  selector: string;
  score: number;
  stats: CandidateStats;
}

/**
 * The page's candidates, best first: each with its score. Ties go to more items, then to the
 * one that starts earlier in the page, so that the same page always gives the same answer.
 */
export function* candidateSteps(root: Document): Steps<(ScoredCandidate & { candidate: Candidate })[]> {
  const found = yield* gather(root);
  const groups = [...found.groups.values()].filter((g) => g.length >= MIN_ITEMS);
  groups.sort((a, b) => b.length - a.length || (found.order.get(a[0] as Tag) ?? 0) - (found.order.get(b[0] as Tag) ?? 0));
  const scored: (ScoredCandidate & { candidate: Candidate })[] = [];
  for (const group of groups.slice(0, MAX_CANDIDATES)) {
    yield;
    const candidate = candidateOf(group, found.order);
    if (candidate === null) continue;
    const stats = yield* statsSteps(candidate, found.textChars);
    scored.push({ selector: itemSelector(candidate.roots), score: scoreOf(stats), stats, candidate });
  }
  scored.sort((a, b) => b.score - a.score || b.stats.items - a.stats.items || a.candidate.first - b.candidate.first);
  return scored;
}

/** The page's repeated item blocks, or null when no candidate scores MIN_SCORE. */
export function* blockSteps(root: Document, base: string): Steps<BlockListing | null> {
  const best = (yield* candidateSteps(root))[0];
  if (best === undefined || best.score < MIN_SCORE) return null;
  const { items, parts } = yield* itemSteps(best.candidate, base);
  const selectors = selectorsOf(best.candidate, best.stats.timed === best.stats.items, parts);
  return { layout: `repeated blocks at ${selectors.item}`, items, selectors };
}
