/**
 * Text safety for every output format. Entries arrive as plain text; this is the one place that
 * decides which characters may appear and how each is escaped.
 */

/**
 * Characters XML 1.0 forbids (§2.2 Char): C0 controls except tab, LF and CR; U+FFFE and U+FFFF;
 * and UTF-16 surrogate halves that are not part of a pair (they cannot be encoded in UTF-8).
 * feed@6 writes them raw and the XML breaks. DEL and the C1 controls (U+007F–U+009F) are legal
 * but "discouraged" (§2.2) and readers mangle them (feedparser turns them into windows-1252
 * letters), so they go too: no control characters anywhere. They are removed from every string
 * before rendering, JSON included, so that all formats show the same text.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A cheap first look: most text has none of FORBIDDEN, and then the costlier pattern is skipped. */
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function cleanText(s: string): string {
  return SUSPECT.test(s) ? s.replace(FORBIDDEN, '') : s;
}

/**
 * Escapes valid in XML text and attribute values and in HTML. CR, and in attribute values also
 * tab and LF, are written as character references: XML parsers normalise them (XML 1.0 §2.11,
 * §3.3.3), which would change the text a reader sees.
 */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Clean `s` and escape it for an XML (or HTML) text node. */
export function escapeText(s: string): string {
  return cleanText(s).replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}

/** Clean `s` and escape it for a double- or single-quoted XML (or HTML) attribute value. */
export function escapeAttr(s: string): string {
  return cleanText(s).replace(/[&<>"'\t\n\r]/g, (c) => ESCAPES[c] ?? c);
}

/** What escapeText gives for an escape of each character: HTML markup carried as XML text. */
const ESCAPES_TWICE: Record<string, string> = Object.fromEntries(Object.entries(ESCAPES).map(([c, e]) => [c, escapeText(e)]));

/**
 * `escapeText(paragraphsHtml(paragraphs))` in one pass over the text: the HTML of the paragraphs
 * as an XML text node (Atom `type="html"`, RSS description), each character escaped for both.
 */
export function paragraphsXml(paragraphs: readonly string[]): string {
  return paragraphs.map((p) => `&lt;p&gt;${cleanText(p).replace(/[&<>"'\r]/g, (c) => ESCAPES_TWICE[c] ?? c)}&lt;/p&gt;`).join('\n');
}

/** Plain-text paragraphs as HTML: one `<p>` each, every character of the text escaped. */
export function paragraphsHtml(paragraphs: readonly string[]): string {
  return paragraphs.map((p) => `<p>${escapeText(p)}</p>`).join('\n');
}
