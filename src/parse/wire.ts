/**
 * The wire grammar over text lines. Two linear passes:
 * 1. each line becomes a token: an age glued to its start or standing at its end is split
 *    off, and what is left is a dateline lead, a section marker, page furniture or plain text;
 * 2. the tokens are read in order. A lead opens a story; plain text just before a lead is its
 *    headline, plain text after a lead is a paragraph of that story if it reads like one; an age
 *    closes the story before it (ages trail their item); a section marker closes the story and
 *    names the section of the stories after it. Everything else is dropped, never glued on.
 */
import { matchAgeAtEnd, matchAgeAtStart } from '../ages/index.js';
import type { Lang } from '../model.js';
import { matchDateline } from './dateline.js';
import { isNoise } from './noise.js';
import { matchSection } from './sections.js';
import { endsSentence } from './sentence.js';
import { type StoryParts } from './story.js';

/** Age phrases are short: only this much of a line's start or end is handed to the age matcher. */
const AGE_WINDOW = 64;
/** A headline is one line of modest length, and more than one word: a lone word is a menu item. */
const MAX_HEADLINE = 300;
/** A line without closing punctuation still counts as a paragraph from this many words on. */
const PARAGRAPH_WORDS = 15;

type Kind = 'lead' | 'section' | 'noise' | 'text' | 'age';

interface Token {
  kind: Kind;
  /** The line without its ages. */
  text: string;
  /** Age glued before a dateline (`4 minuten geledenSEOUL …`): trails the story before this line. */
  ageBefore: string | null;
  /** Age at the end of the line, or a line that is only an age: trails the story this line is in. */
  ageAfter: string | null;
  section: string | null;
}

export interface WireResult {
  stories: StoryParts[];
  /** How many ages each language's words matched. */
  langVotes: Map<Lang, number>;
  strayAges: number;
}

function tokenize(line: string, lang: Lang | 'auto', votes: Map<Lang, number>): Token {
  const vote = (l: Lang): void => {
    votes.set(l, (votes.get(l) ?? 0) + 1);
  };
  let text = line;
  let ageBefore: string | null = null;
  let ageAfter: string | null = null;

  const head = matchAgeAtStart(line.slice(0, AGE_WINDOW), lang);
  if (head !== null && head.text !== '') {
    const rest = line.slice(head.text.length).trim();
    if (rest === '') {
      vote(head.lang);
      return { kind: 'age', text: '', ageBefore: null, ageAfter: head.text, section: null };
    }
    if (matchDateline(rest) !== null) {
      ageBefore = head.text;
      text = rest;
      vote(head.lang);
    }
  }

  const from = Math.max(0, text.length - AGE_WINDOW);
  const tail = matchAgeAtEnd(text.slice(from), lang);
  if (tail !== null && tail.text !== '') {
    const before = text.slice(0, from + tail.index).trimEnd();
    if (before === '' && ageBefore === null) {
      vote(tail.lang);
      return { kind: 'age', text: '', ageBefore: null, ageAfter: tail.text, section: null };
    }
    if (endsSentence(before)) {
      text = before;
      ageAfter = tail.text;
      vote(tail.lang);
    }
  }

  if (matchDateline(text) !== null) return { kind: 'lead', text, ageBefore, ageAfter, section: null };
  const section = ageBefore === null && ageAfter === null ? matchSection(text) : null;
  if (section !== null) return { kind: 'section', text, ageBefore, ageAfter, section };
  return { kind: isNoise(text) ? 'noise' : 'text', text, ageBefore, ageAfter, section: null };
}

function readsAsParagraph(text: string): boolean {
  if (endsSentence(text)) return true;
  let words = 1;
  for (let i = text.indexOf(' '); i !== -1 && words < PARAGRAPH_WORDS; i = text.indexOf(' ', i + 1)) words++;
  return words >= PARAGRAPH_WORDS;
}

/** Cut tokens of `lines` into stories. */
export function readWire(lines: readonly string[], lang: Lang | 'auto'): WireResult {
  const langVotes = new Map<Lang, number>();
  const tokens = lines.map((line) => tokenize(line, lang, langVotes));

  // For each token, the index of the next one that is not furniture: one backward pass.
  const nextSignificant = new Array<number>(tokens.length);
  for (let i = tokens.length - 1, next = tokens.length; i >= 0; i--) {
    nextSignificant[i] = next;
    if (tokens[i]?.kind !== 'noise') next = i;
  }

  const stories: StoryParts[] = [];
  let current: StoryParts | null = null;
  let section: string | null = null;
  let headline: string | null = null;
  let strayAges = 0;
  const closeWith = (age: string): void => {
    if (current === null) strayAges++;
    else current.ageText = age;
    current = null;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.ageBefore !== null) closeWith(token.ageBefore);
    switch (token.kind) {
      case 'lead':
        current = { headline, body: [token.text], section, ageText: null, link: null, datetime: null };
        stories.push(current);
        headline = null;
        break;
      case 'section':
        section = token.section;
        current = null;
        headline = null;
        break;
      case 'text': {
        const next = tokens[nextSignificant[i] ?? tokens.length];
        // A headline stands right before a lead that does not first close an earlier story,
        // and it is no sentence: a line ending in a full stop after a story is that story's paragraph.
        const isHeadline =
          next?.kind === 'lead' &&
          next.ageBefore === null &&
          token.ageAfter === null &&
          token.text.length <= MAX_HEADLINE &&
          token.text.includes(' ') &&
          (current === null || !token.text.endsWith('.'));
        if (isHeadline) headline = token.text;
        else if (current !== null && readsAsParagraph(token.text)) current.body.push(token.text);
        break;
      }
      case 'noise':
      case 'age':
        break;
    }
    if (token.ageAfter !== null) closeWith(token.ageAfter);
  }
  return { stories, langVotes, strayAges };
}
