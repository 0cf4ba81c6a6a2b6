/**
 * Pages whose items open with a time or sign with an agency line (layout.ts decides which):
 * - `clock`:  `10:01 Helfer warnen vor …` / `Juba - Die Vereinten Nationen …` / more text;
 * - `time`:   `vor 1 Stunde` (or `19:41 Uhr`) / headline / teaser or dateline lead / more text;
 * - `agency`: `• headline` / `AFP, 08h32` / text;
 * - `headline time`: headline / `21:05` / dateline lead / more text (a time stamped under the headline).
 * An item runs from its opener to the next one; date headers (`Dienstag, 11. Dezember 2018`)
 * between items give the items under them their day. Text before the first item is page
 * chrome. A dateline without agencies (`Juba - `) is read only when at least two items and at
 * least half of them open their lead with one: the page confirms the pattern.
 */
import { findAgeAtStart } from '../ages/index.js';
import type { Lang, ParsedStory } from '../model.js';
import type { Steps } from '../steps.js';
import {
  type Dateline,
  type DatelineCache,
  leadAfterByline,
  matchBareDateline,
  matchBylineDateline,
  matchDateline,
  mayHoldDateline,
} from './dateline.js';
import { describeTemplate, isTimeLine, type Opener } from './layout.js';
import { agencyLine, bylineLine, clockHead, dateHeader, dropMoreLink, stampTime, withoutPreview } from './lines.js';
import { isNoise } from './noise.js';
import { matchSection } from './sections.js';
import { endsSentence } from './sentence.js';
import { buildStory } from './story.js';

interface Item {
  time: string | null;
  /** The date header above the item, as written. */
  header: string | null;
  headline: string | null;
  body: string[];
  dateline: Dateline | null;
  author: string | null;
  agencies: string[];
  place: string | null;
  section: string | null;
  /** The lines the headline and the lead came from (-1: none). */
  headlineAt: number;
  leadAt: number;
}

export interface TickerResult {
  stories: ParsedStory[];
  langVotes: Map<Lang, number>;
  layout: string;
  /** Lines that belonged to no item (page chrome before the first one). */
  dropped: number;
  /** Items without text (a time and a headline alone), left out. */
  skipped: number;
  /** Per story, two numbers: the index of its headline line and of its lead line (-1: none). */
  spans: number[];
}

/** Lines read per step, and items built per step. */
const LINES_PER_STEP = 512;
const ITEMS_PER_STEP = 256;
const MAX_HEADLINE = 300;
const PARAGRAPH_WORDS = 15;
/** Bullets and dashes around a time line (`- 09h50`). */
const TIME_EDGES = /^[\s•·|–—-]+|[\s|–—-]+$/gu;
/** A label in capitals (`TOP STORIES:`, `IN SPORTS:`). */
const LABEL = /^[\p{Lu}\p{N}\s&'’-]{2,40}:$/u;
/** A bullet before a headline (`• Séisme …`). */
const BULLET = /^[•·▪■►>-]\s*/u;

function isClockOnly(time: string): boolean {
  const found = findAgeAtStart(time, 'auto');
  return found !== null && found.kind === 'clock' && found.text.length === time.length;
}

/** The time an item is dated by: its own, joined to its header's day when it is a bare clock time. */
function ageOf(item: Item): string | null {
  if (item.time === null) return item.header;
  return item.header !== null && isClockOnly(item.time) ? `${item.header} ${item.time}` : item.time;
}

function same(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\s+/g, ' ') === b.toLowerCase().replace(/\s+/g, ' ');
}

/** Cut `lines` into items by `opener`, a step per few hundred lines. */
export function* readTickerSteps(lines: readonly string[], opener: Opener, dateHeaders: boolean): Steps<TickerResult> {
  const items: Item[] = [];
  const datelines: DatelineCache = new Map();
  let current: Item | null = null;
  let header: string | null = null;
  let section: string | null = null;
  let dropped = 0;
  const open = (time: string | null, headline: string | null, headlineAt = -1): Item => {
    const item: Item = { time, header, headline, body: [], dateline: null, author: null, agencies: [], place: null, section, headlineAt, leadAt: -1 };
    items.push(item);
    return item;
  };

  for (let i = 0; i < lines.length; i++) {
    if (i % LINES_PER_STEP === LINES_PER_STEP - 1) yield;
    const line = lines[i] as string;
    if (isNoise(line)) continue;
    const marker = matchSection(line);
    if (marker !== null) {
      section = marker;
      current = null;
      continue;
    }
    if (dateHeaders) {
      const day = dateHeader(line);
      // A date with a clock time heads items only when an item's own time follows it.
      if (day !== null && (namesDayOnly(line) || opensItemSoon(lines, i, opener))) {
        header = day;
        current = null;
        continue;
      }
    }
    if (opener === 'clock') {
      const head = clockHead(line);
      if (head !== null) {
        current = open(head.time, head.headline, i);
        continue;
      }
    } else if (opener === 'time') {
      if (isTimeLine(line)) {
        current = open(stampTime(line) ?? line.replace(TIME_EDGES, ''), null);
        continue;
      }
      const glued = gluedAge(line, datelines);
      if (glued !== null) {
        current = open(glued.time, null);
        current.dateline = glued.dateline;
        current.body.push(line.slice(glued.time.length));
        current.leadAt = i;
        continue;
      }
    } else if (opener === 'headline' || opener === 'lead headline') {
      const next = nextSignificant(lines, i);
      const opens = opener === 'headline' ? next !== undefined && opensStory(line, next) : next !== undefined && headsLead(line, next, datelines);
      if (opens) {
        current = open(null, line, i);
        continue;
      }
    } else if (opener === 'agency' || opener === 'headline time') {
      const stamp = opener === 'agency' ? agencyLine(line) : timeStamp(line);
      if (stamp !== null) {
        const item: Item = current !== null && current.body.length === 0 && current.agencies.length === 0 && current.time === null ? current : open(null, null);
        current = item;
        item.agencies = stamp.agencies;
        item.place = stamp.place;
        item.time = stamp.time;
        continue;
      }
      const next = nextSignificant(lines, i);
      if (next !== undefined && (opener === 'agency' ? agencyLine(next) : timeStamp(next)) !== null && line.length <= MAX_HEADLINE) {
        current = open(null, line.replace(BULLET, ''), i);
        continue;
      }
    }
    const item: Item | null = current;
    const byline = bylineLine(line);
    if (byline !== null) {
      if (item !== null) {
        item.author ??= byline.author;
        item.time ??= byline.time;
      } else dropped++;
      continue;
    }
    const signed = matchBylineDateline(line);
    const dateline = signed === null ? matchDateline(line, datelines) : null;
    if (signed !== null || dateline !== null) {
      const target: Item = item === null || item.dateline !== null ? open(null, null) : item;
      current = target;
      let lead = line;
      if (signed !== null) {
        const after = leadAfterByline(line, signed);
        target.author = signed.author;
        target.dateline = after.dateline;
        lead = after.lead;
      } else {
        target.dateline = dateline;
      }
      // A lead after a teaser is the item's first paragraph all the same: the dateline opens the story.
      target.body.unshift(dropMoreLink(lead));
      target.leadAt = i;
      continue;
    }
    if (item === null) {
      dropped++;
      continue;
    }
    if (item.headline === null && item.body.length === 0 && line.length <= MAX_HEADLINE && !readsAsSentences(line)) {
      item.headline = line.replace(BULLET, '');
      item.headlineAt = i;
      continue;
    }
    if (item.headline !== null && same(withoutPreview(line), item.headline)) continue;
    // A label between items (`IN SPORTS:`) is no text of the item before it.
    if (LABEL.test(line)) continue;
    // A more-link on a line of its own (`mehr...`) is no paragraph (its link may be the story's: parse/index.ts).
    const text = dropMoreLink(line);
    if (text === '') continue;
    if (item.body.length === 0) item.leadAt = i;
    item.body.push(text);
  }
  return yield* finishItems(items, opener, dateHeaders, dropped);
}

/** A time line under a headline, as an agency line without agencies. */
function timeStamp(line: string): { agencies: string[]; place: null; time: string } | null {
  return isTimeLine(line) ? { agencies: [], place: null, time: stampTime(line) ?? line.replace(TIME_EDGES, '') } : null;
}

/** A line that opens with a day without a clock time (`Dienstag, 11. Dezember 2018 – Kurzmeldungen`). */
function namesDayOnly(line: string): boolean {
  const found = findAgeAtStart(line, 'auto');
  return found !== null && (found.kind === 'date' || found.kind === 'weekday');
}

/** Whether one of the next few lines opens an item (a page title may stand between a header and its first item). */
function opensItemSoon(lines: readonly string[], i: number, opener: Opener): boolean {
  for (let j = i + 1; j < lines.length && j <= i + 3; j++) {
    const line = lines[j] as string;
    if (opener === 'clock' ? clockHead(line) !== null : opener === 'time' && isTimeLine(line)) return true;
  }
  return false;
}

/** A headline line (short, no closing full stop) with a paragraph after it. */
function opensStory(line: string, next: string): boolean {
  return line.length <= MAX_HEADLINE && line.includes(' ') && !endsSentence(line) && endsSentence(next);
}

/** A headline (a slug of one word will do: `WILDFIRE-EVACUATIONS`) right above a dateline lead. */
function headsLead(line: string, next: string, datelines: DatelineCache): boolean {
  return line.length <= MAX_HEADLINE && !endsSentence(line) && !LABEL.test(line) &&
    (matchBareDateline(next) !== null || matchDateline(next, datelines) !== null);
}

/** A paragraph, not a headline: it ends with a full stop and runs to many words. */
function readsAsSentences(line: string): boolean {
  return line.endsWith('.') && line.split(' ').length >= PARAGRAPH_WORDS;
}

/** An age glued before a dateline (`5 minutes agoLONDON (Reuters) - …`): it opens the item. */
function gluedAge(line: string, datelines: DatelineCache): { time: string; dateline: Dateline } | null {
  if (!mayHoldDateline(line)) return null;
  const head = findAgeAtStart(line.slice(0, 64), 'auto');
  if (head === null || head.text === '' || line.indexOf(head.text) !== 0) return null;
  const dateline = matchDateline(line.slice(head.text.length), datelines);
  return dateline === null ? null : { time: head.text, dateline };
}

function nextSignificant(lines: readonly string[], i: number): string | undefined {
  for (let j = i + 1; j < lines.length; j++) {
    const line = lines[j] as string;
    if (!isNoise(line)) return line;
  }
  return undefined;
}

/** Ages per language, as wire.ts counts them; a bare clock time (`10:01`) reads alike in every language and counts for none. */
interface Votes {
  strong: Map<Lang, number>;
  weak: Map<Lang, number>;
}

function countVotes(votes: Votes, time: string | null): void {
  const age = time === null ? null : findAgeAtStart(time, 'auto');
  if (age === null || age.kind === 'clock') return;
  const map = age.weak || age.kind === 'weekday' ? votes.weak : votes.strong;
  map.set(age.lang, (map.get(age.lang) ?? 0) + 1);
}

/** A line in this many items, and in half of them at least, is page furniture (`Suivez l'information en direct …`). */
const REPEATED_IN = 3;

/**
 * Items without what the page repeats: lines that stand in many items alike are furniture, and
 * an item printed twice in a row (same headline and text) is one item.
 */
function withoutRepeats(items: Item[]): Item[] {
  const seenIn = new Map<string, number>();
  for (const item of items) for (const line of new Set(item.body)) seenIn.set(line, (seenIn.get(line) ?? 0) + 1);
  const furniture = new Set([...seenIn].filter(([, n]) => n >= REPEATED_IN && n * 2 >= items.length).map(([line]) => line));
  const out: Item[] = [];
  for (const item of items) {
    if (furniture.size > 0) item.body = item.body.filter((line) => !furniture.has(line));
    const before = out[out.length - 1];
    const twice = before !== undefined && before.headline === item.headline && before.time === item.time && before.body.join('\n') === item.body.join('\n');
    if (!twice) out.push(item);
  }
  return out;
}

/** Stories of the items, a step per few hundred (each is built like a wire story). */
function* finishItems(all: Item[], opener: Opener, dateHeaders: boolean, dropped: number): Steps<TickerResult> {
  const items = withoutRepeats(all);
  // Datelines without agencies: trusted when the page's items confirm the pattern.
  const bare = items.map((item) => (item.dateline === null && item.body.length > 0 ? matchBareDateline(item.body[0] as string) : null));
  const bareCount = bare.filter((b) => b !== null).length;
  const trustBare = bareCount >= 2 && bareCount * 2 >= items.length;
  const withAgency = items.some((item) => item.dateline !== null);
  const stories: ParsedStory[] = [];
  const spans: number[] = [];
  const votes: Votes = { strong: new Map(), weak: new Map() };
  let skipped = 0;
  for (let k = 0; k < items.length; k++) {
    if (k % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    const item = items[k] as Item;
    const found = trustBare ? bare[k] : null;
    const dateline: Dateline | null = item.dateline ?? (found ? { place: found.place, agencies: [], length: found.length } : null);
    // An item is a headline with text: a time and a line alone are a menu entry or a link list.
    if (item.body.length === 0) {
      skipped++;
      continue;
    }
    const ageText = ageOf(item);
    const story = buildStory(
      { headline: item.headline, body: item.body, section: item.section, ageText, link: null, datetime: null, author: item.author },
      dateline,
    );
    if (story === null) continue;
    if (story.agencies.length === 0 && item.agencies.length > 0) story.agencies = item.agencies;
    story.place ??= item.place;
    stories.push(story);
    spans.push(item.headlineAt, item.leadAt);
    countVotes(votes, item.time);
    countVotes(votes, item.header);
  }
  const datelines = withAgency ? 'agency' : trustBare ? 'bare' : 'none';
  return { stories, langVotes: votes.strong.size > 0 ? votes.strong : votes.weak, layout: describeTemplate({ kind: 'leading', opener, dateHeaders }, datelines), dropped, skipped, spans };
}
