/**
 * Files patterns under the characters their templates can start and end with (see PatternIndex
 * in engine.ts), so that a line is turned away by one map look-up before any regex runs. Apart
 * from engine.ts: it reads templates only for their edge characters, never for their regexes.
 */
import type { AgePattern } from './engine.js';
import type { Lexicon } from './lexicon.js';
import { normalizeWord, splitTemplate } from './templates.js';

const DIGITS = [...'0123456789'];

/** The lower-cased characters a template can end with: the keys it is filed under for atEnd. */
export function lastKeys(template: string, lex: Lexicon): string[] {
  const parts = splitTemplate(template);
  return partEdgeChars(parts[parts.length - 1] ?? '', lex, 'last');
}

/** Placeholders that stand for digits only. */
const NUMERIC = new Set(['H', 'h', 'M', 'D', 'MM', 'Y']);

/**
 * The keys a template is filed under by its start (see PatternIndex): `first`, the characters
 * it can start with; for one opening with a number, `afterNumber`, those that can follow it.
 */
export function firstKeys(template: string, lex: Lexicon): { first: string[]; afterNumber: string[] } {
  const parts = splitTemplate(template);
  const head = parts[0] ?? '';
  const placeholder = /^\{(\w+)\}/.exec(head)?.[1];
  if (placeholder === undefined || (placeholder !== 'n' && !NUMERIC.has(placeholder))) {
    return { first: partEdgeChars(head, lex, 'first'), afterNumber: [] };
  }
  const initial = (w: string) => normalizeWord(w)[0] ?? '';
  const next = parts[1] === undefined ? ['$'] : partEdgeChars(parts[1].trimStart(), lex, 'first');
  return {
    first: placeholder === 'n' ? Object.keys(lex.numbers).map(initial) : [],
    afterNumber: placeholder === 'D' ? [...next, ...lex.ordinals.map(initial)] : next,
  };
}

/** The lower-cased characters one template part can start or end with. */
function partEdgeChars(part: string, lex: Lexicon, edge: 'first' | 'last'): string[] {
  const pick = (w: string) => {
    const n = normalizeWord(w);
    return edge === 'first' ? n[0] : n[n.length - 1];
  };
  const placeholder = /^\{(\w+)\}/.exec(part)?.[1];
  if (placeholder === undefined) return [pick(part)];
  const table: Record<string, string[]> = {
    n: [...DIGITS, ...Object.keys(lex.numbers).map(pick)],
    unit: Object.keys(lex.units).map(pick),
    day: Object.keys(lex.days).map(pick),
    ampm: Object.keys(lex.ampm).map(pick),
    H: DIGITS,
    h: DIGITS,
    M: DIGITS,
    D: edge === 'first' ? DIGITS : [...DIGITS, ...lex.ordinals.map(pick)],
    MM: DIGITS,
    Y: DIGITS,
    month: edge === 'first' ? Object.keys(lex.months).map(pick) : [...Object.keys(lex.months).map(pick), '.'],
    weekday: Object.keys(lex.weekdays).map(pick),
  };
  return table[placeholder] ?? [];
}

export function fileUnder(map: Map<string, AgePattern[]>, chars: string[], pattern: AgePattern): void {
  for (const ch of new Set(chars)) {
    const list = map.get(ch);
    if (list) list.push(pattern);
    else map.set(ch, [pattern]);
  }
}
