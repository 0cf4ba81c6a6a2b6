/**
 * Candidate scoring for the repeated-block detector (blocks.ts): the SCORES table, each row with
 * its reason, the MIN_SCORE a listing needs, and the walk that reads the features (CandidateStats)
 * the rows score. Apart so that the weights and their reasons can be read and tuned in one place.
 */
import type { AnyNode } from 'domhandler';
import type { Steps } from '../steps.js';
import { attr, headlineOf, HEADING, ITEMS_PER_STEP, lookSteps, type Tag } from './block-items.js';
import type { Candidate } from './blocks.js';
import { joinedLineSteps } from './html.js';

/** The best candidate must score this much to be a listing (the must-find-nothing pages score below it). */
export const MIN_SCORE = 6;
/** A teaser is text beyond the headline of at least this many characters. */
const TEASER_CHARS = 40;

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

export function* statsSteps(c: Candidate, textChars: number): Steps<CandidateStats> {
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
