/**
 * Rows and text as PostgreSQL holds them: a row → a story or a source's bookkeeping. Text:
 * its text type cannot hold U+0000, which stories may carry: text columns hold it escaped (U+0000 → U+0001 '0', U+0001 → U+0001 U+0001), exact both ways and
 * keeping equality; JSON columns hold it as JSON's own `\u0000`.
 */
import type { SourceState } from '../model.js';
import { wellFormed, type ListedStory } from './index.js';
import { toSource as sourceOf, toStory as storyOf, type SourceRow, type StoryRow as Row } from './rows.js';

export type StoryRow = Row<boolean>;

/** Text as a text column holds it (see the top of this file). */
export function esc<T extends string | null>(t: T): T {
  return (t === null ? t : wellFormed(t).replace(/[\u0000\u0001]/g, (c) => (c === '\u0000' ? '\u00010' : '\u0001\u0001'))) as T;
}

export function unesc<T extends string | null>(t: T): T {
  return (t === null ? t : t.replace(/\u0001([\u00010])/g, (_, c: string) => (c === '0' ? '\u0000' : '\u0001'))) as T;
}

/** A `stories` row → the story. */
export function toStory(r: StoryRow): ListedStory {
  return storyOf(r, unesc);
}

/** A `sources` row → the source's bookkeeping. */
export function toSource(r: SourceRow): SourceState {
  return sourceOf(r, unesc);
}
