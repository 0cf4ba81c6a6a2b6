import type { DatedStory } from '../../src/model.js';

/**
 * A story as resolve hands it to ingest: a lead with the dateline `<place> (ANP) -` and a second
 * paragraph, published at 2026-11-28 12:00 UTC, unless `over` says otherwise.
 */
export function datedStory(over: Partial<DatedStory> & { headline: string }): DatedStory {
  const place = over.place ?? 'GENT';
  return {
    headlineDerived: false,
    place,
    agencies: ['ANP'],
    section: null,
    body: [`${place} (ANP) - ${over.headline} is gebeurd.`, 'Tweede alinea.'],
    ageText: null,
    leadSentence: `${over.headline} is gebeurd.`,
    link: null,
    datetime: null,
    publishedEarliest: null,
    publishedLatest: new Date('2026-11-28T12:00:00Z'),
    ...over,
  };
}
