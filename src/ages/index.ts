/**
 * Relative ages ("4 minuten geleden", "yesterday at 6:45 PM") → UTC intervals.
 * CONTRACT (implemented by the ages stage; other stages rely on exactly these signatures).
 */
import type { Lang } from '../model.js';

export interface AgeOptions {
  /** The moment the page was seen. */
  now: Date;
  /** IANA zone of the source, for day words and clock times. */
  timeZone: string;
  /** Lexicon to use; 'auto' tries every language. */
  lang: Lang | 'auto';
}

export type AgeResult =
  | { ok: true; earliest: Date; latest: Date; lang: Lang }
  | { ok: false; error: string };

/** Resolve a whole age phrase. Never falls back to `now`: text that is not an age is `ok: false`. */
export function resolveAge(_text: string, _opts: AgeOptions): AgeResult {
  throw new Error('not implemented');
}

/**
 * An age phrase at the very start of `text`, which may be glued to what follows
 * (`4 minuten geledenSEOUL …`). Returns the phrase as it stands in the text.
 */
export function matchAgeAtStart(_text: string, _lang: Lang | 'auto'): { text: string; lang: Lang } | null {
  throw new Error('not implemented');
}

/** An age phrase that ends `text` (`… geeft. 1 uur geleden`); `index` is where it starts. */
export function matchAgeAtEnd(_text: string, _lang: Lang | 'auto'): { text: string; index: number; lang: Lang } | null {
  throw new Error('not implemented');
}
