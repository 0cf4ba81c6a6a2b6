/** A story's parts → a ParsedStory: dateline read, lead sentence taken, headline derived when missing. */
import type { ParsedStory } from '../model.js';
import { dropUnpairedBidi } from './bidi.js';
import { type Dateline, matchDateline } from './dateline.js';
import { creditAuthor } from './lines.js';
import { deriveHeadline, firstSentence } from './sentence.js';

export interface StoryParts {
  /** The page's own headline, or null to derive one. */
  headline: string | null;
  /** Paragraphs in page order; the first is the lead, dateline and all. */
  body: string[];
  section: string | null;
  ageText: string | null;
  link: string | null;
  datetime: Date | null;
  /** Byline, when the page names who wrote it. */
  author: string | null;
}

/**
 * Complete a story, or null when it has neither headline nor text. `known`: the lead's dateline,
 * when the caller has read it. Unpaired bidi controls leave headline and body first (see bidi.ts);
 * `parts.body` is cleaned in place.
 */
export function buildStory(parts: StoryParts, known?: Dateline | null): ParsedStory | null {
  let leadChanged = false;
  for (let i = 0; i < parts.body.length; i++) {
    const paragraph = parts.body[i] as string;
    const clean = dropUnpairedBidi(paragraph);
    if (clean === paragraph) continue;
    parts.body[i] = clean;
    if (i === 0) leadChanged = true;
  }
  // A dateline read from the lead as it was would be measured in characters that are gone.
  const dateline = known === undefined || leadChanged ? matchDateline(parts.body[0] ?? '') : known;
  const lead = parts.body[0] ?? '';
  const leadSentence = firstSentence(dateline === null ? lead : lead.slice(dateline.length));
  const own = parts.headline === null ? '' : dropUnpairedBidi(parts.headline);
  const headline = own !== '' ? own : derivedHeadline(leadSentence, parts.body, dateline?.place ?? null);
  if (headline === '') return null;
  return {
    headline,
    headlineDerived: own === '',
    place: dateline?.place ?? null,
    agencies: dateline?.agencies ?? [],
    section: parts.section,
    body: parts.body,
    ageText: parts.ageText,
    leadSentence,
    link: parts.link,
    // A story signed at its end only (`(Reporting by Jane Doe; Editing by …)`) is hers all the same.
    author: parts.author ?? closingCredit(parts.body),
    image: null,
    datetime: parts.datetime,
  };
}

/** The author the last paragraphs' credit names, or null. */
function closingCredit(body: readonly string[]): string | null {
  for (let i = body.length - 1; i >= 0 && i >= body.length - 2; i--) {
    const author = creditAuthor(body[i] as string);
    if (author !== null) return author;
  }
  return null;
}

/** From the lead's first sentence; when the lead is only a dateline, from the next paragraph; else the place. */
function derivedHeadline(leadSentence: string, body: readonly string[], place: string | null): string {
  if (leadSentence !== '') return deriveHeadline(leadSentence);
  const next = body.slice(1).find((p) => p.trim() !== '');
  if (next !== undefined) return deriveHeadline(firstSentence(next));
  return place ?? '';
}
