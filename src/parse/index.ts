/**
 * The wire grammar: text lines → stories. `parseWire` reads free text (see wire.ts for the
 * grammar); `parseExtracted` also completes items that CSS selectors cut out of HTML.
 * Neither throws: odd input gives fewer stories and a warning. `parseExtractedSteps` is the same
 * work a step per few hundred lines or items, for a caller that gives the event loop turns.
 */
import { findAgeAtStart, looksLikeTime, matchAgeAtEnd } from '../ages/index.js';
import type { Extracted, ExtractedItem, Lang, LineMark, ParsedStory, ParseResult } from '../model.js';
import { runSteps, type Steps } from '../steps.js';
import { buildStory, type StoryParts } from './story.js';
import { guessLang } from './language.js';
import { describeTemplate, inferTemplate } from './layout.js';
import { dropMoreLink } from './lines.js';
import { readTickerSteps } from './ticker.js';
import { readWireSteps } from './wire.js';

export interface ParseOptions {
  /** Language of the age and section words; 'auto' detects it from the age words, else nl. */
  lang: Lang | 'auto';
}

const DEFAULT_LANG: Lang = 'nl';
/** How much of the input the binary check looks at. */
const BINARY_SAMPLE = 4096;
/** Share of replacement or control characters above which text is taken for decoded binary. */
const BINARY_SHARE = 0.1;
const NOT_TEXT = /[\ufffd\u0000-\u0008\u000e-\u001f]/g;

/** Whether lines look like binary bytes pushed through a text decoder. */
function looksBinary(lines: readonly string[]): boolean {
  let sample = '';
  for (const line of lines) {
    sample += line.slice(0, BINARY_SAMPLE - sample.length);
    if (sample.length >= BINARY_SAMPLE) break;
  }
  if (sample === '') return false;
  return (sample.match(NOT_TEXT)?.length ?? 0) / sample.length > BINARY_SHARE;
}

/** The language with most votes; the first to reach that count on a tie; else the default. */
function chooseLang(asked: Lang | 'auto', votes: Map<Lang, number>): Lang {
  if (asked !== 'auto') return asked;
  let best: Lang = DEFAULT_LANG;
  let bestCount = 0;
  for (const [lang, count] of votes) {
    if (count > bestCount) {
      best = lang;
      bestCount = count;
    }
  }
  return best;
}

function finish(stories: ParsedStory[], warnings: string[], lang: Lang, layout: string): ParseResult {
  if (stories.length === 0) warnings.push('no stories found');
  return { stories, warnings, lang, layout: stories.length === 0 ? 'none (no items found)' : layout };
}

/** Cut text lines into stories. Never throws on any input. */
export function parseWire(lines: readonly string[], opts: ParseOptions): ParseResult {
  return runSteps(parseWireSteps(lines, opts)).result;
}

/** A parse of text lines, and per story the lines of its headline and lead (two numbers a story, -1: none). */
interface LinesRead {
  result: ParseResult;
  spans: number[];
}

function* parseWireSteps(lines: readonly string[], opts: ParseOptions): Steps<LinesRead> {
  if (looksBinary(lines)) return { result: finish([], ['input looks binary'], chooseLang(opts.lang, new Map()), 'none (input looks binary)'), spans: [] };
  const template = inferTemplate(lines);
  yield;
  const warnings: string[] = [];
  if (template.kind === 'leading') {
    const ticker = yield* readTickerSteps(lines, template.opener, template.dateHeaders);
    if (ticker.dropped > 0) warnings.push(`${ticker.dropped} line(s) before the first item dropped`);
    if (ticker.skipped > 0) warnings.push(`${ticker.skipped} item(s) with a headline but no text skipped`);
    const votes = ticker.langVotes.size > 0 ? ticker.langVotes : wordVotes(lines);
    return { result: finish(ticker.stories, warnings, chooseLang(opts.lang, votes), ticker.layout), spans: ticker.spans };
  }
  const wire = yield* readWireSteps(lines, opts.lang, template.dateHeaders);
  if (wire.strayAges > 0) warnings.push(`${wire.strayAges} age(s) found outside any story, ignored`);
  const datelines = wire.stories.some((s) => s.place !== null || s.agencies.length > 0) ? 'agency' : 'none';
  const votes = wire.langVotes.size > 0 ? wire.langVotes : wordVotes(lines);
  return { result: finish(wire.stories, warnings, chooseLang(opts.lang, votes), describeTemplate(template, datelines)), spans: wire.spans };
}

/**
 * The repeated blocks win over the text grammar when they give more than twice its stories: a
 * listing without datelines gives the grammar none or a stray few, a dateline list about as
 * many stories as blocks.
 */
const BLOCKS_OVER_GRAMMAR = 2;
/** A page whose grammar finds this many stories is a dateline list: its blocks are not looked for (that costs a DOM). */
const GRAMMAR_ENOUGH = 20;

/** A block's line is a time by itself up to this many characters, and may end with an age up to twice as many. */
const TIME_LINE = 40;

/** Lines after a story that may hold its more-link (`mehr...` under the teaser). */
const MORE_LINK_WITHIN = 3;

/**
 * Gives each story the link of its headline line, else of its lead line, else of a more-link
 * line (`mehr...`) right after the story, the first `<time
 * datetime>` from its headline line to its lead line (`<h2>` / `<time>` / `<p>`), and the first image
 * marked from the line after the story before it up to its own headline or lead, whichever
 * comes last. The grammar says which lines those are: the text it keeps may have lost a clock,
 * a bullet, an age or a more-link, so it is no key to find a line again by.
 */
function* attachMarks(stories: readonly ParsedStory[], spans: readonly number[], marks: ReadonlyMap<number, LineMark>, lines: readonly string[]): Steps<void> {
  const images = [...marks.keys()].filter((at) => marks.get(at)?.image !== null).sort((a, b) => a - b);
  let from = 0;
  let image = 0;
  for (let i = 0; i < stories.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    const story = stories[i] as ParsedStory;
    const headline = spans[2 * i] ?? -1;
    const lead = spans[2 * i + 1] ?? -1;
    const last = Math.max(headline, lead);
    if (last === -1) continue;
    story.link ??= marks.get(headline)?.link ?? marks.get(lead)?.link ?? moreLink(lines, marks, last, spans[2 * i + 2] ?? -1, spans[2 * i + 3] ?? -1);
    for (let at = headline === -1 ? lead : headline; at <= last && story.datetime === null; at++) story.datetime = marks.get(at)?.datetime ?? null;
    while (image < images.length && (images[image] as number) < from) image++;
    const at = images[image];
    if (at !== undefined && at <= last) story.image = marks.get(at)?.image ?? null;
    from = last + 1;
  }
}

/** The link of a more-link line (`mehr...`) among the few after `last`, before the next story's first line; or null. */
function moreLink(lines: readonly string[], marks: ReadonlyMap<number, LineMark>, last: number, nextHeadline: number, nextLead: number): string | null {
  const next = Math.min(...[nextHeadline, nextLead, lines.length].filter((at) => at > last));
  for (let at = last + 1; at < next && at <= last + MORE_LINK_WITHIN; at++) {
    const link = marks.get(at)?.link ?? null;
    if (link !== null && dropMoreLink(lines[at] as string) === '') return link;
  }
  return null;
}

/** A kicker or label over a block's headline (`Ukraine`, `Politics`): one short word. */
const KICKER = /^\S{1,24}$/;

/**
 * A block's age is a line of its own (`vor 1 Stunde`, `10:01`) or ends a line (`Politics 35
 * minutes ago`): the block says where its item ends, the grammar does not have to. One-word
 * kickers are no text.
 */
function blockParts(item: ExtractedItem): ExtractedItem {
  let ageText = item.ageText;
  const body: string[] = [];
  for (const line of item.body) {
    let text = line;
    if (ageText === null && item.datetime === null) {
      const tail = text.length <= 2 * TIME_LINE ? matchAgeAtEnd(text, 'auto') : null;
      if (tail !== null && (tail.index === 0 || /\s/.test(text[tail.index - 1] as string))) {
        ageText = tail.text;
        text = text.slice(0, tail.index).trim();
      } else if (text.length <= TIME_LINE && looksLikeTime(text)) {
        ageText = text;
        text = '';
      }
    }
    if (text !== '' && !KICKER.test(text)) body.push(text);
  }
  return { ...item, ageText, body };
}

function itemParts(item: ExtractedItem): StoryParts {
  const headline = item.headline?.trim() ?? '';
  const ageText = item.ageText?.trim() ?? '';
  return {
    headline: headline === '' ? null : headline,
    body: item.body.map((p) => p.trim()).filter((p) => p !== ''),
    section: null,
    ageText: ageText === '' ? null : ageText,
    link: item.link,
    datetime: item.datetime,
    author: null,
  };
}

/** The small words' language as a single vote, for a page whose times name no language. */
function wordVotes(lines: readonly string[]): Map<Lang, number> {
  const lang = guessLang(lines);
  return lang === null ? new Map() : new Map([[lang, 1]]);
}

/** Items completed per step. */
const ITEMS_PER_STEP = 256;
/** Blocks completed per step: each also asks the age matchers about its lines. */
const BLOCKS_PER_STEP = 64;

/** Stories from extracted input (see parseExtractedSteps). */
export function parseExtracted(input: Extracted, opts: ParseOptions): ParseResult {
  return runSteps(parseExtractedSteps(input, opts));
}

/**
 * Stories from extracted input: free lines go through the grammar and get their lines' links and
 * images; when the page's repeated blocks give more than twice as many items, they are the
 * stories instead. Items (selectors, an article page, blocks) are completed.
 */
export function* parseExtractedSteps(input: Extracted, opts: ParseOptions): Steps<ParseResult> {
  if (input.kind === 'items') return yield* parseItemSteps(input.items, opts, input.layout ?? 'selectors');
  const { result: read, spans } = yield* parseWireSteps(input.lines, opts);
  const blocks = input.blocks !== undefined && read.stories.length < GRAMMAR_ENOUGH ? yield* input.blocks() : null;
  if (blocks !== null && blocks.items.length > read.stories.length * BLOCKS_OVER_GRAMMAR) {
    return { ...(yield* parseItemSteps(blocks.items, opts, blocks.layout, blockParts, BLOCKS_PER_STEP)), selectors: blocks.selectors };
  }
  if (input.marks !== undefined) yield* attachMarks(read.stories, spans, input.marks, input.lines);
  return read;
}

/** `complete` first reads what the item's kind leaves to parse (for blocks: the age); a step per `perStep` items. */
function* parseItemSteps(
  items: readonly ExtractedItem[],
  opts: ParseOptions,
  layout: string,
  complete: (item: ExtractedItem) => ExtractedItem = (item) => item,
  perStep = ITEMS_PER_STEP,
): Steps<ParseResult> {
  const votes = new Map<Lang, number>();
  const weak = new Map<Lang, number>();
  const stories: ParsedStory[] = [];
  let empty = 0;
  for (let i = 0; i < items.length; i++) {
    if (i % perStep === perStep - 1) yield;
    const item = complete(items[i] as ExtractedItem);
    const story = buildStory(itemParts(item));
    if (story === null) {
      empty++;
      continue;
    }
    story.author = item.author ?? null;
    story.image = item.image ?? null;
    stories.push(story);
    if (opts.lang === 'auto' && story.ageText !== null) {
      // As the text grammar counts: a bare clock time (`10:32`) reads alike in every language and
      // names none; a date is weak evidence.
      const age = findAgeAtStart(story.ageText, 'auto');
      if (age !== null && age.kind !== 'clock') {
        const map = age.weak || age.kind === 'weekday' ? weak : votes;
        map.set(age.lang, (map.get(age.lang) ?? 0) + 1);
      }
    }
  }
  const warnings = empty > 0 ? [`${empty} item(s) without headline or text skipped`] : [];
  // Items whose times name no language (clock times, <time datetime>, dates that read alike in
  // several languages) take it from their small words, as text pages do; a date only when those say nothing.
  const words = votes.size > 0 ? votes : wordVotes(stories.flatMap((s) => [s.headline, ...s.body]));
  const langVotes = words.size > 0 ? words : weak;
  return finish(stories, warnings, chooseLang(opts.lang, langVotes), layout);
}
