/**
 * Section markers: the line that opens a list of more stories from one section
 * (`Meer uit Buitenland`). One row per phrase; a new language is a new row.
 */
import type { Lang } from '../model.js';

interface SectionMarker {
  lang: Lang;
  /** The words before the section name, lower case, with their trailing space or apostrophe. */
  prefix: string;
}

const MARKERS: readonly SectionMarker[] = [
  { lang: 'nl', prefix: 'meer uit ' },
  { lang: 'nl', prefix: 'meer over ' },
  { lang: 'nl', prefix: 'meer nieuws uit ' },
  { lang: 'en', prefix: 'more from ' },
  { lang: 'en', prefix: 'more in ' },
  { lang: 'en', prefix: 'more news from ' },
  { lang: 'de', prefix: 'mehr aus ' },
  { lang: 'de', prefix: 'mehr zum thema ' },
  { lang: 'de', prefix: 'weitere meldungen aus ' },
  { lang: 'fr', prefix: "plus d'actualités " },
  { lang: 'fr', prefix: 'plus d’actualités ' },
  { lang: 'fr', prefix: 'plus de ' },
];

/**
 * A section name is one to three capitalised words (`Buitenland`, `World`, `Politik`,
 * `Monde`, `Sport & Freizeit`) and nothing else: `Plus de 300 morts` is a headline, not a marker.
 */
const NAME = /^\p{Lu}[\p{L}\p{M}'’-]{0,30}(?: (?:&|and|en|und|et|\p{Lu}[\p{L}\p{M}'’-]{0,30})){0,2}$/u;

/** Marker lines are short; anything longer is not tried. */
const MAX_MARKER = 60;

/** First letters of the markers, to turn most lines away without lower-casing them. */
const FIRST_LETTERS = new Set(MARKERS.flatMap(({ prefix }) => [prefix[0], prefix[0]?.toUpperCase()]));

/** The section a marker line opens (`Meer uit Buitenland` → `Buitenland`), or null. */
export function matchSection(line: string): string | null {
  if (line.length > MAX_MARKER || !FIRST_LETTERS.has(line[0])) return null;
  const lower = line.toLowerCase();
  for (const { prefix } of MARKERS) {
    if (!lower.startsWith(prefix)) continue;
    const name = line.slice(prefix.length).trim();
    if (NAME.test(name)) return name;
  }
  return null;
}
