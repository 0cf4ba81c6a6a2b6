/**
 * The wire grammar: text lines → stories. CONTRACT (implemented by the parse stage).
 */
import type { Extracted, Lang, ParseResult } from '../model.js';

export interface ParseOptions {
  /** Language of the age and section words; 'auto' detects it from the age words, else nl. */
  lang: Lang | 'auto';
}

/** Cut text lines into stories. Never throws on any input. */
export function parseWire(_lines: readonly string[], _opts: ParseOptions): ParseResult {
  throw new Error('not implemented');
}

/** Stories from extracted input: free lines go through parseWire, selector items are completed. */
export function parseExtracted(_input: Extracted, _opts: ParseOptions): ParseResult {
  throw new Error('not implemented');
}
