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
 * Scoring lives in block-scores.ts, item building in block-items.ts.
 */
import type { AnyNode, Document } from 'domhandler';
import type { BlockListing } from '../model.js';
import type { Steps } from '../steps.js';
import { attr, isChrome, itemSelector, itemSteps, selectorsOf, type Tag } from './block-items.js';
import { NODES_PER_STEP } from './dom.js';
import { type CandidateStats, MIN_SCORE, scoreOf, statsSteps } from './block-scores.js';

export { type CandidateStats, MIN_SCORE, SCORES, scoreOf } from './block-scores.js';

/** Fewer repeats than this is no listing. */
export const MIN_ITEMS = 3;
/** Only the largest link groups are scored: a page has a few listings and many small link clusters. */
const MAX_CANDIDATES = 24;

/** Links of the page by tag path, and the page's text length; chrome left out. */
interface Gathered {
  groups: Map<number, Tag[]>;
  /** Document order of each link, for ties. */
  order: Map<Tag, number>;
  textChars: number;
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
