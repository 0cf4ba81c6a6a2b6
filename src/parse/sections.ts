/**
 * Section markers: the line that opens a list of more stories from one section
 * (`Meer uit Buitenland`). Phrases are data; a new language is a new entry.
 */
import type { Lang } from '../model.js';

/**
 * The words before the section name, lower case, with their trailing space, per language.
 * Every language's markers are tried on every page: a marker is unmistakable, and pages mix.
 */
const MARKERS: Record<Lang, readonly string[]> = {
  nl: ['meer uit ', 'meer over ', 'meer nieuws uit '],
  en: ['more from ', 'more in ', 'more news from '],
  de: ['mehr aus ', 'mehr zum thema ', 'weitere meldungen aus '],
  fr: ["plus d'actualités ", 'plus d’actualités ', 'plus de '],
};
const PREFIXES = Object.values(MARKERS).flat();

/**
 * A section name is one to three capitalised words (`Buitenland`, `World`, `Politik`,
 * `Monde`, `Sport & Freizeit`) and nothing else: `Plus de 300 morts` is a headline, not a marker.
 */
const NAME = /^\p{Lu}[\p{L}\p{M}'’-]{0,30}(?: (?:&|and|en|und|et|\p{Lu}[\p{L}\p{M}'’-]{0,30})){0,2}$/u;

/** Marker lines are short; anything longer is not tried. */
const MAX_MARKER = 60;

/** First letters of the markers, to turn most lines away without lower-casing them. */
const FIRST_LETTERS = new Set(PREFIXES.flatMap((prefix) => [prefix[0], prefix[0]?.toUpperCase()]));

/** The section a marker line opens (`Meer uit Buitenland` → `Buitenland`), or null. */
export function matchSection(line: string): string | null {
  if (line.length > MAX_MARKER || !FIRST_LETTERS.has(line[0])) return null;
  const lower = line.toLowerCase();
  for (const prefix of PREFIXES) {
    if (!lower.startsWith(prefix)) continue;
    const name = line.slice(prefix.length).trim();
    if (NAME.test(name)) return name;
  }
  return null;
}
