/**
 * The wire grammar over text lines, in one pass of two steps (a line is tokenized as the reader
 * reaches it or looks ahead to it):
 * 1. each line becomes a token: an age glued to its start or standing at its end is split
 *    off, and what is left is a dateline lead, a section marker, page furniture or plain text;
 *    a short line that reads as a time but is no known age phrase is an age all the same;
 * 2. the tokens are read in order. A lead opens a story; plain text just before a lead is its
 *    headline, plain text after a lead is a paragraph of that story if it reads like one; an age
 *    closes the story before it (ages trail their item); a section marker closes the story and
 *    names the section of the stories after it. Everything else is dropped, never glued on.
 * This is the ANP order, the template layout.ts falls back to. A byline glued before a dateline
 * is the story's author; a byline line, a stamp (`November 19, 2019 / 12:21 AM / Updated …`) or
 * a timestamp (`Mon, 20 Nov 2017 21:45:46 -0500`) signs or dates the lead after it; on a page with date headers (layout.ts decides) a date
 * line closes the story before it and gives the stories after it without an age its day; a
 * repeat of the story's headline (`… Preview`) is no paragraph.
 */
import { findAgeAtEnd, findAgeAtStart, type FoundAge, looksLikeTime } from '../ages/index.js';
import type { Lang, ParsedStory } from '../model.js';
import type { Steps } from '../steps.js';
import { type Dateline, type DatelineCache, leadAfterByline, matchBylineDateline, matchDateline, mayHoldDateline } from './dateline.js';
import { bylineLine, creditAuthor, dateHeader, exactTime, labelledTime, stampTime, withoutPreview } from './lines.js';
import { isNoise } from './noise.js';
import { matchSection } from './sections.js';
import { endsSentence } from './sentence.js';
import { buildStory, type StoryParts } from './story.js';

/** Age phrases are short: only this much of a line's start or end is handed to the age matcher. */
const AGE_WINDOW = 64;
/** Punctuation an age at the end of a line follows (closing quotes and brackets too), as char codes. */
const SENTENCE_ENDS = new Set([...'.!?…"”’\'»)]'].map((ch) => ch.charCodeAt(0)));
/** A headline is one line of modest length, and more than one word: a lone word is a menu item. */
const MAX_HEADLINE = 300;
/** A line without closing punctuation still counts as a paragraph from this many words on. */
const PARAGRAPH_WORDS = 15;

interface Line {
  /** The line without its ages. */
  text: string;
  /** Age glued before a dateline (`4 minuten geledenSEOUL …`): trails the story before this line. */
  ageBefore: string | null;
  /** Age at the end of the line, or a line that is only an age: trails the story this line is in. */
  ageAfter: string | null;
}

/**
 * One shape for every kind, unused fields null: the reader's property reads then see a single
 * object shape instead of three.
 */
interface Token extends Line {
  kind: 'lead' | 'section' | 'noise' | 'text' | 'age' | 'byline' | 'header';
  /** A lead's dateline. */
  dateline: Dateline | null;
  /** The section a section marker names; the day a date header names. */
  section: string | null;
  /** A byline glued before a lead's dateline, or a byline line's name. */
  author: string | null;
  /** The exact moment a timestamp line names (`Mon, 20 Nov 2017 21:45:46 -0500`). */
  datetime: Date | null;
}

export interface WireResult {
  /** Stories in page order, each completed by `buildStory` as soon as the grammar closes it. */
  stories: ParsedStory[];
  /** How many ages each language's words matched; calendar dates only on a page with no other age (see Votes). */
  langVotes: Map<Lang, number>;
  strayAges: number;
  /** Per story, two numbers: the index of its headline line and of its lead line (-1: none). */
  spans: number[];
}

/**
 * Ages found so far, per language: strong ones, and calendar dates, whose words several
 * languages share (`6 December 2026` is Dutch as much as English). Dates decide a page's
 * language only when no other age does, so that a few dates cannot outvote `2 hours ago`.
 */
interface Votes {
  strong: Map<Lang, number>;
  weak: Map<Lang, number>;
}

function countVote(votes: Votes, age: FoundAge): void {
  const map = age.weak ? votes.weak : votes.strong;
  map.set(age.lang, (map.get(age.lang) ?? 0) + 1);
}

function tokenize(line: string, lang: Lang | 'auto', votes: Votes, datelines: DatelineCache, dateHeaders: boolean): Token {
  let text = line;
  let ageBefore: string | null = null;
  let ageAfter: string | null = null;

  // A line that opens with a dateline has no age before it (`NUUK (AFP) -` is no `nu` + `UK (AFP) -`).
  // Otherwise an age at the start counts only when it is the whole line or a dateline follows it,
  // so only short lines and lines with an early parenthesis are worth asking the age matcher about.
  let dateline: Dateline | null = null;
  let author: string | null = null;
  // A byline glued before the dateline (`By Jane Doe LONDON (Reuters) – `) is the author, never
  // part of the place; the lead starts at the place (or at the agencies, when the byline names none).
  const signed = mayOpenByline(line) ? matchBylineDateline(line) : null;
  if (signed === null) {
    dateline = matchDateline(line, datelines);
  } else {
    const after = leadAfterByline(line, signed);
    text = after.lead;
    dateline = after.dateline;
    author = signed.author;
  }
  if (dateline === null && (line.length <= AGE_WINDOW || mayHoldDateline(line))) {
    const head = findAgeAtStart(line.slice(0, AGE_WINDOW), lang);
    if (head !== null && head.text !== '') {
      const rest = line.slice(head.text.length).trim();
      if (rest === '') {
        countVote(votes, head);
        const day = dateHeaders ? dateHeader(line) : null;
        if (day !== null) return { kind: 'header', text: '', ageBefore: null, ageAfter: null, dateline: null, section: day, author: null, datetime: null };
        return { kind: 'age', text: '', ageBefore: null, ageAfter: head.text, dateline: null, section: null, author: null, datetime: null };
      }
      dateline = matchDateline(rest, datelines);
      if (dateline !== null) {
        ageBefore = head.text;
        text = rest;
        countVote(votes, head);
      }
    }
  }
  // Text that reads as a time but is no phrase the ages know (`3 jaar geleden`), where an age
  // stands (glued before a dateline, a line of its own, after a line's last sentence), is taken
  // for one: dating the story then warns with its text, instead of the text becoming the next
  // story's headline, hiding the next story's dateline, or being dropped unseen. No language vote.
  if (dateline === null && mayHoldDateline(line)) {
    const glued = gluedTime(line, datelines);
    if (glued !== null) {
      ageBefore = line.slice(0, glued.at).trim();
      text = line.slice(glued.at);
      dateline = glued.dateline;
    }
  }
  if (dateline === null && looksLikeTime(line)) {
    const day = dateHeaders ? dateHeader(line) : null;
    if (day !== null) return { kind: 'header', text: '', ageBefore: null, ageAfter: null, dateline: null, section: day, author: null, datetime: null };
    return { kind: 'age', text: '', ageBefore: null, ageAfter: line.trim(), dateline: null, section: null, author: null, datetime: null };
  }
  if (dateline === null) {
    // A stamp (`November 19, 2019 / 12:21 AM / Updated 14 hours ago`) or a byline line dates and
    // signs the lead after it, like a byline.
    const exact = exactTime(line);
    if (exact !== null) return { kind: 'byline', text: '', ageBefore: null, ageAfter: null, dateline: null, section: null, author: null, datetime: exact };
    const stamp = stampTime(line) ?? labelledTime(line);
    const stampAge = stamp === null ? null : findAgeAtStart(stamp, lang);
    if (stampAge !== null) countVote(votes, stampAge);
    if (stamp !== null) return { kind: 'byline', text: '', ageBefore: null, ageAfter: stamp, dateline: null, section: null, author: null, datetime: null };
    const byline = bylineLine(line);
    if (byline !== null) {
      return { kind: 'byline', text: '', ageBefore: null, ageAfter: byline.time, dateline: null, section: null, author: byline.author, datetime: null };
    }
  }

  // An age at the end counts only after sentence-ending punctuation.
  const from = Math.max(0, text.length - AGE_WINDOW);
  if (mayEndWithAge(text, from)) {
    const tail = findAgeAtEnd(text.slice(from), lang);
    if (tail !== null && tail.text !== '') {
      const before = text.slice(0, from + tail.index).trimEnd();
      if (endsSentence(before)) {
        text = before;
        ageAfter = tail.text;
        countVote(votes, tail);
      }
    }
    if (ageAfter === null) {
      // No known phrase: what follows the last sentence may still read as a time (see above).
      const end = lastSentenceEnd(text, from);
      const rest = text.slice(end).trim();
      if (end > from && endsSentence(text.slice(0, end)) && looksLikeTime(rest)) {
        text = text.slice(0, end);
        ageAfter = rest;
      }
    }
  }

  if (dateline !== null) return { kind: 'lead', text, ageBefore, ageAfter, dateline, section: null, author, datetime: null };
  const section = ageAfter === null ? matchSection(text) : null;
  if (section !== null) return { kind: 'section', text, ageBefore, ageAfter, dateline: null, section, author: null, datetime: null };
  return { kind: isNoise(text) ? 'noise' : 'text', text, ageBefore, ageAfter, dateline: null, section: null, author: null, datetime: null };
}

/** Byline words open with B, V, P or D (`By`, `Von`, `Par`, `Door`): a first test by char code. */
function mayOpenByline(line: string): boolean {
  const c = line.charCodeAt(0);
  return (c === 0x42 || c === 0x56 || c === 0x50 || c === 0x44) && mayHoldDateline(line);
}

/** A time glued before a dateline is no longer than a time line. */
const GLUED_TIME_MAX = 48;
const UPPER = /\p{Lu}/u;

/**
 * A time the ages do not know glued before a dateline (`3 jaar geledenSEOUL (ANP) - …`): where
 * the dateline starts, and the dateline. The dateline starts at a capital glued to a lower-case
 * letter, digit or full stop; only the first few characters are looked at, and the time test
 * turns most candidates away at their first word, before any dateline regex runs.
 */
function gluedTime(line: string, datelines: DatelineCache): { at: number; dateline: Dateline } | null {
  const limit = Math.min(line.length, GLUED_TIME_MAX + 1);
  for (let at = 1; at < limit; at++) {
    const code = line.charCodeAt(at);
    const capital = (code >= 0x41 && code <= 0x5a) || code === 0x27 || (code > 0x7f && UPPER.test(line[at] as string));
    if (!capital) continue;
    const before = line.charCodeAt(at - 1);
    const glue = (before >= 0x61 && before <= 0x7a) || (before >= 0x30 && before <= 0x39) || before === 0x2e || before > 0x7f;
    if (!glue || !looksLikeTime(line.slice(0, at))) continue;
    const dateline = matchDateline(line.slice(at), datelines);
    if (dateline !== null) return { at, dateline };
  }
  return null;
}

/**
 * A cheap first test for an age after the last sentence of `text`: the line does not itself end
 * in punctuation (most paragraphs do), and its last `from..` characters hold some.
 */
function mayEndWithAge(text: string, from: number): boolean {
  if (text === '' || SENTENCE_ENDS.has(text.charCodeAt(text.length - 1))) return false;
  for (let i = text.length - 2; i >= from; i--) if (SENTENCE_ENDS.has(text.charCodeAt(i))) return true;
  return false;
}

/**
 * Just after the last sentence-ending punctuation (closing quotes included) at or after `from`
 * that white space follows (`06.12.2026` holds none); `from` when there is none.
 */
function lastSentenceEnd(text: string, from: number): number {
  for (let i = text.length - 2; i >= from; i--) {
    if (SENTENCE_ENDS.has(text.charCodeAt(i)) && /\s/.test(text[i + 1] as string)) return i + 1;
  }
  return from;
}

/** A byline waiting for its lead, with what one more byline line adds to it. */
function signedBy(held: Token | null, more: Token): Token {
  if (held === null) return more;
  return { ...held, author: held.author ?? more.author, ageAfter: held.ageAfter ?? more.ageAfter, datetime: held.datetime ?? more.datetime };
}

function sameHeadline(text: string, headline: string): boolean {
  if (text.length < headline.length || text.length > headline.length + 12) return false;
  return withoutPreview(text).toLowerCase() === headline.toLowerCase();
}

function readsAsParagraph(text: string): boolean {
  if (endsSentence(text)) return true;
  let words = 1;
  for (let i = text.indexOf(' '); i !== -1 && words < PARAGRAPH_WORDS; i = text.indexOf(' ', i + 1)) words++;
  return words >= PARAGRAPH_WORDS;
}

/**
 * Tokens of `lines`, made as the reader reaches them. A text line asks for the next token that is
 * not furniture; the tokens read ahead for that wait here. Only that short stretch is alive at
 * once, so tokens die young instead of all surviving until the page is read.
 */
class TokenStream {
  private readonly ahead: Token[] = [];
  /** The line each token read ahead came from. */
  private readonly aheadAt: number[] = [];
  private head = 0;
  /** The line the token last taken came from. */
  at = -1;
  private line = 0;
  private readonly datelines: DatelineCache = new Map();

  constructor(
    private readonly lines: readonly string[],
    private readonly lang: Lang | 'auto',
    private readonly votes: Votes,
    private readonly dateHeaders: boolean,
  ) {}

  /** Lines are tokenized strictly in order, so votes are counted in page order. */
  private read(): Token | undefined {
    if (this.line >= this.lines.length) return undefined;
    return tokenize(this.lines[this.line++] as string, this.lang, this.votes, this.datelines, this.dateHeaders);
  }

  take(): Token | undefined {
    if (this.head < this.ahead.length) {
      this.at = this.aheadAt[this.head] as number;
      const token = this.ahead[this.head++];
      if (this.head === this.ahead.length) {
        this.ahead.length = 0;
        this.aheadAt.length = 0;
        this.head = 0;
      }
      return token;
    }
    this.at = this.line;
    return this.read();
  }

  /** The next token that is not furniture or a byline (which stands between headline and lead), without taking it. */
  peekSignificant(): Token | undefined {
    for (let i = this.head; i < this.ahead.length; i++) {
      const token = this.ahead[i] as Token;
      if (token.kind !== 'noise' && token.kind !== 'byline') return token;
    }
    for (let at = this.line, token = this.read(); token !== undefined; at = this.line, token = this.read()) {
      this.ahead.push(token);
      this.aheadAt.push(at);
      if (token.kind !== 'noise' && token.kind !== 'byline') return token;
    }
    return undefined;
  }
}

/** Tokens read per step of `readWireSteps`. */
const TOKENS_PER_STEP = 512;

/** Cut tokens of `lines` into stories, a step per few hundred lines. */
export function* readWireSteps(lines: readonly string[], lang: Lang | 'auto', dateHeaders = false): Steps<WireResult> {
  const votes: Votes = { strong: new Map(), weak: new Map() };
  const tokens = new TokenStream(lines, lang, votes, dateHeaders);

  const stories: ParsedStory[] = [];
  const spans: number[] = [];
  // The story being read and its lead's dateline. It is completed when it closes, a few lines
  // on, so that its parts die young and only the finished story outlives the page.
  let current: StoryParts | null = null;
  let dateline: Dateline | null = null;
  let section: string | null = null;
  let headline: string | null = null;
  // The lines of the headline waiting for its lead, and of the story's headline and lead.
  let headlineAt = -1;
  let storyHeadlineAt = -1;
  let storyLeadAt = -1;
  let strayAges = 0;
  // A page names the same few ages again and again: each story keeps the page's first copy, so
  // that the copies made while matching die young instead of being kept (datelines: see DatelineCache).
  const shared = new Map<string, string>();
  const share = (text: string): string => {
    const first = shared.get(text);
    if (first !== undefined) return first;
    shared.set(text, text);
    return text;
  };
  // The day the last date header named (see layout.ts), and the byline or stamp waiting for its lead.
  let day: string | null = null;
  let byline: Token | null = null;
  const close = (): void => {
    if (current === null) return;
    current.ageText ??= day;
    const story = buildStory(current, dateline);
    if (story !== null) {
      stories.push(story);
      spans.push(storyHeadlineAt, storyLeadAt);
    }
    current = null;
  };
  const closeWith = (age: string): void => {
    if (current === null) strayAges++;
    else current.ageText = share(age);
    close();
  };

  let read = 0;
  for (let token = tokens.take(); token !== undefined; token = tokens.take()) {
    if (++read % TOKENS_PER_STEP === 0) yield;
    if (token.ageBefore !== null) closeWith(token.ageBefore);
    switch (token.kind) {
      case 'lead':
        close();
        current = {
          headline,
          body: [token.text],
          section,
          ageText: byline?.ageAfter ?? null,
          link: null,
          datetime: byline?.datetime ?? null,
          author: token.author ?? byline?.author ?? null,
        };
        dateline = token.dateline;
        storyHeadlineAt = headline === null ? -1 : headlineAt;
        storyLeadAt = tokens.at;
        headline = null;
        byline = null;
        break;
      case 'byline': {
        // A byline or stamp signs and dates the lead right after it (`headline / byline / lead`);
        // one inside a story's text (`lead / Von Anna Berger / paragraph`) is that story's.
        const next = tokens.peekSignificant();
        if (current === null || next?.kind === 'lead') {
          // Name, reading time and stamp may stand on lines of their own: they add up.
          byline = signedBy(byline, token);
        } else {
          current.author ??= token.author;
          current.ageText ??= token.ageAfter;
          current.datetime ??= token.datetime;
        }
        continue;
      }
      case 'header':
        close();
        day = token.section;
        headline = null;
        break;
      case 'section':
        close();
        section = token.section;
        headline = null;
        break;
      case 'text': {
        const next = tokens.peekSignificant();
        // A headline stands right before a lead that does not first close an earlier story,
        // and it is no sentence: a line ending in a full stop after a story is that story's paragraph.
        const isHeadline =
          next?.kind === 'lead' &&
          next.ageBefore === null &&
          token.ageAfter === null &&
          token.text.length <= MAX_HEADLINE &&
          token.text.includes(' ') &&
          (current === null || !token.text.endsWith('.'));
        // A headline printed again (a `… Preview` teaser of it) is the same story; the same words
        // unlabelled right above a lead head that lead's story (a page may give many stories one headline).
        const repeat = current?.headline != null && token.ageAfter === null && sameHeadline(token.text, current.headline);
        if (repeat && (!isHeadline || withoutPreview(token.text) !== token.text)) break;
        if (isHeadline) {
          headline = token.text;
          headlineAt = tokens.at;
        } else if (current !== null && (readsAsParagraph(token.text) || creditAuthor(token.text) !== null)) current.body.push(token.text);
        break;
      }
      case 'noise':
      case 'age':
        break;
    }
    if (token.ageAfter !== null) closeWith(token.ageAfter);
  }
  close();
  return { stories, langVotes: votes.strong.size > 0 ? votes.strong : votes.weak, strayAges, spans };
}
