/**
 * Bidirectional controls in story text. An embedding or override (U+202A–U+202E) or an isolate
 * (U+2066–U+2069) left open runs on past its text: in a feed reader a headline with a stray
 * RIGHT-TO-LEFT OVERRIDE reverses what is shown after it. Pairs opened and closed within the
 * text stay (Arabic or Hebrew names inside Dutch text need them); unpaired ones are dropped.
 * Pairing follows UAX #9 (X1–X8): a PDF closes the innermost embedding or override when no
 * isolate opened after it; a PDI closes the innermost open isolate and every embedding opened
 * inside that; the end of the text closes nothing.
 */

const ANY = /[\u202a-\u202e\u2066-\u2069]/;
const PDF = 0x202c;
const PDI = 0x2069;

const isEmbedding = (code: number): boolean => code >= 0x202a && code <= 0x202e && code !== PDF;
const isIsolate = (code: number): boolean => code >= 0x2066 && code <= 0x2068;

/** `text` without its unpaired bidi controls; the same string when it has none. */
export function dropUnpairedBidi(text: string): string {
  if (!ANY.test(text)) return text;
  // Positions of the openers still open, innermost last, and of every control that found its pair.
  const open: number[] = [];
  const paired = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isEmbedding(code) || isIsolate(code)) {
      open.push(i);
    } else if (code === PDF) {
      const top = open[open.length - 1];
      if (top !== undefined && isEmbedding(text.charCodeAt(top))) {
        open.pop();
        paired.add(top).add(i);
      }
    } else if (code === PDI) {
      const at = open.findLastIndex((k) => isIsolate(text.charCodeAt(k)));
      if (at !== -1) {
        paired.add(open[at] as number).add(i);
        open.length = at;
      }
    }
  }
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((isEmbedding(code) || isIsolate(code) || code === PDF || code === PDI) && !paired.has(i)) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}
