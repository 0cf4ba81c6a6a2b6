/**
 * Atom 1.0 and RSS 2.0 through feed@6, which builds the document; the text that goes into it is
 * escaped here. feed@6 escapes unevenly (DESIGN.md "Known traps"): Atom titles are marked
 * `type="html"` but written raw, CDATA splits only the first `]]>`, attribute values keep `<`,
 * text nodes un-escape `&amp;` first, and control characters pass through. So every free string
 * goes into feed@6 as an opaque token, and one pass over its output swaps each token for the text
 * escaped by escapeText — the same rule in every element and attribute.
 */
import { Feed, type Item } from 'feed';
import type { EntryView, FeedView } from '../model.js';
import { WirefeedError } from '../errors.js';
import { cleanText, escapeAttr, escapeText, paragraphsXml } from './text.js';
import { checkEntryId, feedUrl, normalizeUrl, selfUrl } from './urls.js';

export type XmlFormat = 'atom' | 'rss';

export const GENERATOR = 'wirefeed';

/**
 * Tokens are U+0001 n U+0002. Nothing else in feed@6's output can contain U+0001: every free
 * string is a token (and cleanText strips C0 controls from it), and the URLs it writes come from
 * the WHATWG URL serialiser, which percent-encodes or rejects every C0 control. Control
 * characters rather than private-use ones keep feed@6's document Latin-1: V8 then builds and
 * joins its strings at one byte a character instead of two (a 500-entry Atom skeleton is
 * ~0.3 MB, copied at each of xml-js's nesting levels).
 */
const OPEN = '\u0001';
const CLOSE = 0x02;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

class Slots {
  private readonly values: string[] = [];

  /** A token standing for `value`, which is already escaped for XML. */
  private put(xml: string): string {
    this.values.push(xml);
    return `\u0001${this.values.length - 1}\u0002`;
  }

  /** Text already escaped for XML. */
  xml(escaped: string): string {
    return this.put(escaped);
  }

  /** Plain text; also right for HTML markup, which XML carries as escaped text. */
  text(s: string): string {
    return this.put(escapeText(s));
  }

  attr(s: string): string {
    return this.put(escapeAttr(s));
  }

  /**
   * feed@6's output with every token replaced; a CDATA section around a token goes too. One
   * indexOf walk over the document, copying the text between tokens once.
   */
  fill(doc: string): string {
    const out: string[] = [];
    let from = 0;
    for (let open = doc.indexOf(OPEN); open !== -1; open = doc.indexOf(OPEN, from)) {
      let end = open + 1;
      let n = 0;
      for (let c = doc.charCodeAt(end); c >= DIGIT_0 && c <= DIGIT_9; c = doc.charCodeAt(++end)) n = n * 10 + (c - DIGIT_0);
      const value = end > open + 1 && doc.charCodeAt(end) === CLOSE ? this.values[n] : undefined;
      if (value === undefined) throw new WirefeedError('render', 'E_TOKEN', `unknown text token ${JSON.stringify(doc.slice(open, open + 12))}`);
      let start = open;
      end += 1;
      if (open - CDATA_OPEN.length >= from && doc.startsWith(CDATA_OPEN, open - CDATA_OPEN.length) && doc.startsWith(CDATA_CLOSE, end)) {
        start -= CDATA_OPEN.length;
        end += CDATA_CLOSE.length;
      }
      out.push(doc.slice(from, start), value);
      from = end;
    }
    out.push(doc.slice(from));
    return out.join('');
  }
}

/** The feed-level author the Atom rules require: the feed's title, or wirefeed when it has none. */
export function feedAuthor(view: FeedView): string {
  return cleanText(view.title).trim() || GENERATOR;
}

/** Media types of the picture formats pages use, by file extension; others are just `image/*`. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', svg: 'image/svg+xml',
};

/**
 * An entry's image as its URL and media type. feed@6 would take the type from the text after the
 * last dot of the path, which for `/photo?w=800` or `/img/123` is no media type at all.
 */
function imageOf(entry: EntryView): { url: string; type: string } | null {
  if (entry.image === undefined) return null;
  const url = normalizeUrl(entry.image, `entry ${entry.id} image`);
  const ext = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? '';
  return { url, type: IMAGE_TYPES[ext] ?? 'image/*' };
}

const MEDIA_RSS = 'http://search.yahoo.com/mrss/';

function toItem(entry: EntryView, format: XmlFormat, slots: Slots): Item {
  const item: Item = {
    id: checkEntryId(entry.id),
    title: slots.text(entry.title),
    link: normalizeUrl(entry.link, `entry ${entry.id} link`),
    date: entry.updated,
    published: entry.published,
    description: slots.xml(paragraphsXml([entry.summary])),
    content: entry.contentHtml === undefined ? slots.xml(paragraphsXml(entry.body)) : slots.text(entry.contentHtml),
  };
  if (format === 'atom') {
    item.author = [{ name: slots.text(entry.author) }];
    if (entry.category !== null) item.category = [{ term: slots.attr(entry.category) }];
  } else {
    // RSS <author> must be an e-mail address; Dublin Core's creator takes a name (feed@6
    // declares xmlns:dc whenever an item has content, and every item here has).
    item.guid = slots.text(entry.id);
    item.extensions = [{ name: 'dc:creator', objects: { _text: slots.text(entry.author) } }];
    if (entry.category !== null) item.category = [{ name: slots.text(entry.category) }];
    // RSS 2.0 <enclosure> wants a length in bytes, which is unknown: 0, as feed readers accept.
    const image = imageOf(entry);
    if (image !== null) {
      item.enclosure = { url: image.url, type: slots.attr(image.type), length: 0 };
      item.extensions.push({ name: 'media:thumbnail', objects: { _attributes: { url: slots.attr(image.url) } } });
    }
  }
  return item;
}

const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">';
/** feed@6 writes Atom dates with toISOString(); shown here to the second, as RSS shows them. */
const ATOM_MILLIS = /(<(?:updated|published)>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d{3}Z</g;

/** Render a FeedView as Atom 1.0 or RSS 2.0, always well-formed XML. */
export function renderXml(view: FeedView, format: XmlFormat): string {
  const slots = new Slots();
  const self = selfUrl(view.baseUrl, view.id, format, view.selfToken);
  const feed = new Feed({
    id: slots.text(feedUrl(view.baseUrl, view.id, 'atom')),
    title: slots.text(view.title),
    description: slots.text(view.title),
    link: normalizeUrl(view.alternateUrl, `feed ${view.id} alternateUrl`),
    feedLinks: { [format]: normalizeUrl(self, `feed ${view.id} self link`) },
    ...(view.hub === null ? {} : { hub: normalizeUrl(view.hub, `feed ${view.id} hub`) }),
    language: slots.text(view.language),
    updated: view.updated,
    generator: GENERATOR,
    author: { name: slots.text(feedAuthor(view)) },
  });
  for (const entry of view.entries) feed.addItem(toItem(entry, format, slots));
  if (format === 'rss') {
    const rss = feed.rss2();
    return slots.fill(view.entries.some((e) => e.image !== undefined) ? rss.replace('<rss ', `<rss xmlns:media="${MEDIA_RSS}" `) : rss);
  }

  // feed@6 writes neither xml:lang nor an honest title type: entry titles are plain text
  // (escaped as such), and `type="html"` made newsboat drop a bare `&`. Only entry titles carry
  // that attribute, as the feed's own title is written without one. Free text is all tokens by
  // now, so `<entry>` is only ever an entry's start tag, one per entry in order.
  const atom = feed.atom1();
  if (!atom.includes(ATOM_ROOT)) throw new WirefeedError('render', 'E_FEED_OUTPUT', 'feed@6 Atom output has no <feed> root as expected');
  // An entry's image is an enclosure link (RFC 4287 §4.2.7.2), written here with its real media type.
  let entry = 0;
  const entryTag = (): string => {
    const shown = view.entries[entry++];
    const lang = shown?.language;
    const start = lang === undefined || lang === view.language ? '<entry>' : `<entry xml:lang="${slots.attr(lang)}">`;
    const image = shown === undefined ? null : imageOf(shown);
    return image === null ? start : `${start}<link rel="enclosure" type="${slots.attr(image.type)}" href="${slots.attr(image.url)}"/>`;
  };
  return slots.fill(
    atom
      .replace(ATOM_ROOT, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${slots.attr(view.language)}">`)
      .replaceAll('<title type="html">', '<title type="text">')
      .replaceAll('<entry>', entryTag)
      .replace(ATOM_MILLIS, '$1Z<'),
  );
}
