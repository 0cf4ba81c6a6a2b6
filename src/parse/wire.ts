/**
 * The wire grammar over text lines, in one pass of two steps (a line is tokenized as the reader
 * reaches it or looks ahead to it):
 * 1. each line becomes a token (wire-tokens.ts): an age glued to its start or standing at its end is split
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
import type { Lang, ParsedStory } from '../model.js';
import type { Steps } from '../steps.js';
import type { Dateline } from './dateline.js';
import { creditAuthor, withoutPreview } from './lines.js';
import { endsSentence } from './sentence.js';
import { buildStory, type StoryParts } from './story.js';
import { TokenStream, type Token, type Votes } from './wire-tokens.js';

/** A headline is one line of modest length, and more than one word: a lone word is a menu item. */
const MAX_HEADLINE = 300;
/** A line without closing punctuation still counts as a paragraph from this many words on. */
const PARAGRAPH_WORDS = 15;

export interface WireResult {
  /** Stories in page order, each completed by `buildStory` as soon as the grammar closes it. */
  stories: ParsedStory[];
  /** How many ages each language's words matched; calendar dates only on a page with no other age (see Votes). */
  langVotes: Map<Lang, number>;
  strayAges: number;
  /** Per story, two numbers: the index of its headline line and of its lead line (-1: none). */
  spans: number[];
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
