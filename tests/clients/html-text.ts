/** Read the text back out of the HTML a client returns, so it can be compared with the plain text put in. */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0' };

/** Decode the character references a feed client leaves in HTML (named basics and numeric). */
export function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return NAMED[ref.toLowerCase()] ?? m;
  });
}

/** The text of each `<p>` in `html`, tags stripped and references decoded. */
export function paragraphsOf(html: string): string[] {
  return [...html.matchAll(/<p(?:\s[^>]*)?>([\s\S]*?)<\/p>/g)].map((m) => unescapeHtml((m[1] ?? '').replace(/<[^>]*>/g, '')));
}
