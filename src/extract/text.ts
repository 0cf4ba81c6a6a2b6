/** Plain text → lines: one line per paragraph, white space tidied, empty lines dropped. */

/** Characters that are not text: C0/C1 controls except tab, and the replacement character. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;

export function textToLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/^\ufeff/, '').split(/\r\n|\r|\n|\u2028|\u2029/)) {
    const line = raw.replace(CONTROL, '').replace(/[\s\u00a0\u200b]+/g, ' ').trim();
    if (line !== '') out.push(line);
  }
  return out;
}
