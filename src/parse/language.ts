/**
 * A page's language from its most common small words, for pages whose times name none (a
 * ticker of bare clock times: `10:01` reads alike in every language). Ages decide first
 * (index.ts); this is the fallback before the default.
 */
import type { Lang } from '../model.js';

/** Words frequent in running text of one language and rare in the others. */
const WORDS: Readonly<Record<Lang, readonly string[]>> = {
  nl: ['de', 'het', 'een', 'en', 'van', 'is', 'op', 'niet', 'zijn', 'voor', 'met', 'naar'],
  en: ['the', 'and', 'of', 'to', 'in', 'is', 'on', 'for', 'with', 'was', 'said', 'has'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'mit', 'ein', 'eine', 'von', 'den', 'auf'],
  fr: ['le', 'la', 'les', 'et', 'des', 'est', 'une', 'du', 'dans', 'pour', 'sur', 'au'],
};
const BY_WORD = new Map<string, Lang[]>();
for (const [lang, words] of Object.entries(WORDS) as [Lang, readonly string[]][]) {
  for (const w of words) BY_WORD.set(w, [...(BY_WORD.get(w) ?? []), lang]);
}
/** A few dozen lines of text tell the language; more only cost time. */
const SAMPLE_CHARS = 20_000;

/** The language whose small words the first lines use most, or null when none is used. */
export function guessLang(lines: readonly string[]): Lang | null {
  const counts = new Map<Lang, number>();
  let seen = 0;
  for (const line of lines) {
    if (seen > SAMPLE_CHARS) break;
    seen += line.length;
    for (const [word] of line.toLowerCase().matchAll(/\p{L}+/gu)) {
      for (const lang of BY_WORD.get(word) ?? []) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    }
  }
  let best: Lang | null = null;
  let n = 0;
  for (const [lang, count] of counts) if (count > n) [best, n] = [lang, count];
  return best;
}
