/**
 * The wire grammar: text lines → stories. `parseWire` reads free text (see wire.ts for the
 * grammar); `parseExtracted` also completes items that CSS selectors cut out of HTML.
 * Neither throws: odd input gives fewer stories and a warning. `parseExtractedSteps` is the same
 * work a step per few hundred lines or items, for a caller that gives the event loop turns.
 */
import { matchAgeAtStart } from '../ages/index.js';
import type { Extracted, ExtractedItem, Lang, ParsedStory, ParseResult } from '../model.js';
import { runSteps, type Steps } from '../steps.js';
import { buildStory, type StoryParts } from './story.js';
import { guessLang } from './language.js';
import { describeTemplate, inferTemplate } from './layout.js';
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
  return runSteps(parseWireSteps(lines, opts));
}

function* parseWireSteps(lines: readonly string[], opts: ParseOptions): Steps<ParseResult> {
  if (looksBinary(lines)) return finish([], ['input looks binary'], chooseLang(opts.lang, new Map()), 'none (input looks binary)');
  const template = inferTemplate(lines);
  yield;
  const warnings: string[] = [];
  if (template.kind === 'leading') {
    const ticker = yield* readTickerSteps(lines, template.opener, template.dateHeaders);
    if (ticker.dropped > 0) warnings.push(`${ticker.dropped} line(s) before the first item dropped`);
    if (ticker.skipped > 0) warnings.push(`${ticker.skipped} item(s) with a headline but no text skipped`);
    const votes = ticker.langVotes.size > 0 ? ticker.langVotes : wordVotes(lines);
    return finish(ticker.stories, warnings, chooseLang(opts.lang, votes), ticker.layout);
  }
  const wire = yield* readWireSteps(lines, opts.lang, template.dateHeaders);
  if (wire.strayAges > 0) warnings.push(`${wire.strayAges} age(s) found outside any story, ignored`);
  const datelines = wire.stories.some((s) => s.place !== null || s.agencies.length > 0) ? 'agency' : 'none';
  const votes = wire.langVotes.size > 0 ? wire.langVotes : wordVotes(lines);
  return finish(wire.stories, warnings, chooseLang(opts.lang, votes), describeTemplate(template, datelines));
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

/** Stories from extracted input: free lines go through parseWire, selector items are completed. */
export function parseExtracted(input: Extracted, opts: ParseOptions): ParseResult {
  return runSteps(parseExtractedSteps(input, opts));
}

export function* parseExtractedSteps(input: Extracted, opts: ParseOptions): Steps<ParseResult> {
  if (input.kind === 'lines') return yield* parseWireSteps(input.lines, opts);
  const votes = new Map<Lang, number>();
  const stories: ParsedStory[] = [];
  let empty = 0;
  for (let i = 0; i < input.items.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    const item = input.items[i] as ExtractedItem;
    const story = buildStory(itemParts(item));
    if (story === null) {
      empty++;
      continue;
    }
    stories.push(story);
    if (opts.lang === 'auto' && story.ageText !== null) {
      const age = matchAgeAtStart(story.ageText, 'auto');
      if (age !== null) votes.set(age.lang, (votes.get(age.lang) ?? 0) + 1);
    }
  }
  const warnings = empty > 0 ? [`${empty} item(s) without headline or text skipped`] : [];
  return finish(stories, warnings, chooseLang(opts.lang, votes), 'selectors');
}
