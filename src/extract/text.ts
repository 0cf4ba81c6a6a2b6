/** Plain text → lines: one line per paragraph, white space tidied, empty lines dropped. */

/** Characters that are not text: C0/C1 controls except tab, and the replacement character. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;
const SPACES = /[\s\u00a0\u200b]+/g;

/**
 * Whether a character needs the slow path: a control character, or white space other than a
 * plain space (`\s` plus U+200B). Below U+0080 only controls qualify, so ordinary text costs
 * one comparison per character.
 */
function isOdd(code: number): boolean {
  if (code < 0x80) return code < 0x20 || code === 0x7f;
  return (
    code <= 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200b) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff || code >= 0xfffe
  );
}

/** A line as `textToLines` tidies it: controls removed, white space runs made one space, trimmed. */
function tidy(raw: string): string {
  return raw.replace(CONTROL, '').replace(SPACES, ' ').trim();
}

export function textToLines(text: string): string[] {
  const out: string[] = [];
  const end = text.length;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // One pass: find each line's end and, on the way, whether it is already tidy (the usual case:
  // no odd character, no double space, no space at either edge), which then is kept as it is.
  while (start <= end) {
    let i = start;
    let clean = true;
    let prevSpace = true; // a space at the start is not tidy
    let code = 0;
    for (; i < end; i++) {
      code = text.charCodeAt(i);
      if (code === 10 || code === 13 || code === 0x2028 || code === 0x2029) break;
      if (code === 32) {
        if (prevSpace) clean = false;
        prevSpace = true;
      } else {
        prevSpace = false;
        if (isOdd(code)) clean = false;
      }
    }
    if (i > start) {
      if (clean && !prevSpace) out.push(text.slice(start, i));
      else {
        const line = tidy(text.slice(start, i));
        if (line !== '') out.push(line);
      }
    }
    start = i + (code === 13 && text.charCodeAt(i + 1) === 10 && i < end ? 2 : 1);
  }
  return out;
}
