import type { DatedStory, Lang } from '../../src/model.js';
import type { StoryMeta } from '../../src/store/index.js';

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
    author: null,
    image: null,
    datetime: null,
    publishedEarliest: null,
    publishedLatest: new Date('2026-11-28T12:00:00Z'),
    ...over,
  };
}

/** Stories whose every text field is drawn from hostile pieces (seeded: the same stories every run). */
export function hostileStories(seed: number, count: number, sources: readonly string[]): StoryMeta[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const pieces = [
    'plain', '"', '\\', '\\"', '\u0000', '\n', '\t', '\u001f', '\u007f', '\u0080', 'é', 'Ciarán', '中文', '\u2028', '\u2029',
    '😀', '\ud800', '\udc00', '\udbff\udfff', '</script>', '{"a":[1]}', ' ', '', 'ﬀ', '\ufeff', '0', '-1', 'null',
  ];
  const text = (): string => Array.from({ length: Math.floor(next() * 6) }, () => pick(pieces)).join('');
  const orNull = (): string | null => (next() < 0.3 ? null : text());
  const times = ['2026-11-28T12:00:00.000Z', '2026-11-28T11:00:00.000Z', `2026-11-28T10:00:00.000Z${pick(pieces)}`];
  return Array.from({ length: count }, (_, n) => {
    const id = next() < 0.5 ? `${n.toString(16).padStart(32, '0')}` : `${n}${text()}`;
    const keys = next() < 0.6 ? [id] : [id, ...Array.from({ length: 1 + Math.floor(next() * 3) }, text)];
    const own = [pick(sources), ...(next() < 0.3 ? [pick(sources), text()] : [])];
    return {
      id,
      keys: next() < 0.1 ? [text()] : keys,
      leadKey: orNull(),
      sources: own,
      headline: n === 7 ? 'x"'.repeat(50_000) : text(),
      headlineDerived: next() < 0.5,
      place: orNull(),
      agencies: Array.from({ length: Math.floor(next() * 3) }, () => pick(['ANP', 'AFP', text()])),
      section: orNull(),
      bodyHash: next() < 0.8 ? 'ab'.repeat(16) : text(),
      link: orNull(),
      lang: pick(['nl', 'de', text()]) as Lang,
      firstSeen: pick(times),
      lastSeen: pick(times),
      publishedEarliest: next() < 0.3 ? null : pick(times),
      publishedLatest: pick(times),
      updated: pick(times),
    };
  });
}
