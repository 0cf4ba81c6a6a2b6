/**
 * Step 1 of the wire grammar (wire.ts): each line becomes a token — an age glued to its start or
 * standing at its end split off, and what is left a dateline lead, a byline, a section marker, a
 * date header, page furniture or plain text — made as the reader reaches it or looks ahead to it.
 */
import { findAgeAtEnd, findAgeAtStart, type FoundAge, looksLikeTime } from '../ages/index.js';
import type { Lang } from '../model.js';
import { type Dateline, type DatelineCache, leadAfterByline, matchBylineDateline, matchDateline, mayHoldDateline } from './dateline.js';
import { bylineLine, dateHeader, exactTime, labelledTime, stampTime } from './lines.js';
import { isNoise } from './noise.js';
import { matchSection } from './sections.js';
import { endsSentence } from './sentence.js';
/** Age phrases are short: only this much of a line's start or end is handed to the age matcher. */
const AGE_WINDOW = 64;
/** Punctuation an age at the end of a line follows (closing quotes and brackets too), as char codes. */
const SENTENCE_ENDS = new Set([...'.!?…"”’\'»)]'].map((ch) => ch.charCodeAt(0)));
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
export interface Token extends Line {
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

/**
 * Ages found so far, per language: strong ones, and calendar dates, whose words several
 * languages share (`6 December 2026` is Dutch as much as English). Dates decide a page's
 * language only when no other age does, so that a few dates cannot outvote `2 hours ago`.
 */
export interface Votes {
  strong: Map<Lang, number>;
  weak: Map<Lang, number>;
}

function countVote(votes: Votes, age: FoundAge): void {
  const map = age.weak ? votes.weak : votes.strong;
  map.set(age.lang, (map.get(age.lang) ?? 0) + 1);
}

export function tokenize(line: string, lang: Lang | 'auto', votes: Votes, datelines: DatelineCache, dateHeaders: boolean): Token {
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

/**
 * Tokens of `lines`, made as the reader reaches them. A text line asks for the next token that is
 * not furniture; the tokens read ahead for that wait here. Only that short stretch is alive at
 * once, so tokens die young instead of all surviving until the page is read.
 */
export class TokenStream {
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
