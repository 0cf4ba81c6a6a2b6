/** A story's parts → a ParsedStory: dateline read, lead sentence taken, headline derived when missing. */
import type { ParsedStory } from '../model.js';
import { type Dateline, matchDateline } from './dateline.js';
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
}

/** Complete a story, or null when it has neither headline nor text. `dateline`: the lead's, when known. */
export function buildStory(parts: StoryParts, dateline: Dateline | null = matchDateline(parts.body[0] ?? '')): ParsedStory | null {
  const lead = parts.body[0] ?? '';
  const leadSentence = firstSentence(dateline === null ? lead : lead.slice(dateline.length));
  const headline = parts.headline ?? derivedHeadline(leadSentence, parts.body, dateline?.place ?? null);
  if (headline === '') return null;
  return {
    headline,
    headlineDerived: parts.headline === null,
    place: dateline?.place ?? null,
    agencies: dateline?.agencies ?? [],
    section: parts.section,
    body: parts.body,
    ageText: parts.ageText,
    leadSentence,
    link: parts.link,
    datetime: parts.datetime,
  };
}

/** From the lead's first sentence; when the lead is only a dateline, from the next paragraph; else the place. */
function derivedHeadline(leadSentence: string, body: readonly string[], place: string | null): string {
  if (leadSentence !== '') return deriveHeadline(leadSentence);
  const next = body.slice(1).find((p) => p.trim() !== '');
  if (next !== undefined) return deriveHeadline(firstSentence(next));
  return place ?? '';
}
