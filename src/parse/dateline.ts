/**
 * Datelines: `WASHINGTON (ANP/AFP) - `, `OTTAWA, Nov 27 (Reuters) - `, `München (dpa/lby) – `.
 * Only the start of a paragraph is tried, and every quantifier is bounded, so a line of any
 * length costs a constant amount of work here.
 */

export interface Dateline {
  /** `WASHINGTON`, `SAO PAULO`, `München`; null when the agencies open the paragraph (`(Reuters) - `) or follow a byline without a place (`By Jonathan Allen (Reuters) – `). */
  place: string | null;
  /** `['ANP', 'AFP']`. */
  agencies: string[];
  /** Length of the dateline in the paragraph, dash and following space included. */
  length: number;
}

/** A place word starts with a capital: `TEL`, `München`, `St.`, `Saint-Denis`; two places join with a slash (`SRINAGAR/NEW DELHI`, `Frankfurt/Main`). */
// Non-ASCII as \u escapes: a raw template's text reaches the bundle unescaped (rolldown.config.mjs).
const WORD = String.raw`\p{Lu}[\p{L}\p{M}'\u2019.\-]{0,30}(?:/\p{Lu}[\p{L}\p{M}'\u2019.\-]{0,30})?`;
/** Small words inside a place name (`Rio de Janeiro`, `Frankfurt am Main`, `Den Haag aan Zee`). */
const CONNECTOR = String.raw`(?:de|del|do|da|di|du|des|la|le|las|los|am|an|der|den|aan|op|sur|en|im|upon)`;
/** Dutch elided articles before a place: `'S-HERTOGENBOSCH`, `'s-Gravenhage`, `'T ZAND`. */
const ELISION = String.raw`(?:['\u2019][sStT][- ])?`;
const PLACE = String.raw`(${ELISION}${WORD}(?: (?:${CONNECTOR} )?${WORD}){0,4})`;
/** A date or other note between place and agencies: `, Nov 27`, `, 27 novembre`. */
const DATE = String.raw`(?:, ?[^(),]{1,30}?)?`;
const AGENCY = String.raw`[\p{L}][\p{L}\p{N}&.\- ]{0,19}`;
const AGENCIES = String.raw`\((${AGENCY}(?:/${AGENCY}){0,5})\)`;
/** Hyphen, en dash or em dash after the parenthesis, with a space on at least one side (`—The`). */
const DASH = String.raw`(?: [-\u2013\u2014] *|[-\u2013\u2014](?: +|$))`;

const DATELINE = new RegExp(`^${PLACE}${DATE} ?${AGENCIES}${DASH}`, 'u');
/** Agencies with no place before them: `(Reuters) - `, `(dpa) – `; also what follows a byline's names. */
const AGENCY_DASH = new RegExp(`^${AGENCIES}${DASH}`, 'u');
/** No dateline opens its parenthesis later than this (five long words, a date): a cheap first test. */
const PAREN_WITHIN = 240;

/** Whether `text` has a `(` early enough to hold a dateline's agencies. */
export function mayHoldDateline(text: string): boolean {
  const paren = text.indexOf('(');
  return paren >= 0 && paren < PAREN_WITHIN;
}

const isDash = (code: number): boolean => code === 0x2d || code === 0x2013 || code === 0x2014;

/**
 * What DATELINE needs, tested by hand first: no capital can open a line that starts with an
 * ASCII character other than A–Z or an elision's apostrophe (or the agencies' own parenthesis,
 * when no place precedes them); neither place nor date holds `(`, so the agencies open at the
 * first one; agencies hold no `)`, so they close at the first one after it; a dash follows,
 * after a space or before one (or the end), and then every space (the pattern's ` *`/` +` are
 * greedy). Returns where a match would end, or -1 when there can be none. Whether DATELINE
 * matches depends on nothing after that end, so the text before it can key a cache.
 */
function candidateEnd(text: string): number {
  const first = text.charCodeAt(0);
  if (first < 0x80 && !(first >= 0x41 && first <= 0x5a) && first !== 0x27 && first !== 0x28) return -1;
  const open = text.indexOf('(');
  if (open < 0 || open >= PAREN_WITHIN) return -1;
  const close = text.indexOf(')', open);
  if (close === -1) return -1;
  let end = close + 1;
  if (text.charCodeAt(end) === 0x20) {
    if (!isDash(text.charCodeAt(end + 1))) return -1;
    end += 2;
  } else if (isDash(text.charCodeAt(end))) {
    end += 1;
    if (end < text.length && text.charCodeAt(end) !== 0x20) return -1;
  } else {
    return -1;
  }
  while (text.charCodeAt(end) === 0x20) end++;
  return end;
}

/**
 * `ANP/AFP` → `['ANP', 'AFP']`, empty names dropped. By hand rather than split('/'), and into an
 * array of the exact size: the array outlives the page in every story, and one grown by push
 * holds room for 17.
 */
function splitAgencies(list: string): string[] {
  let count = 1;
  for (let i = list.indexOf('/'); i !== -1; i = list.indexOf('/', i + 1)) count++;
  const agencies = new Array<string>(count);
  let empty = false;
  for (let k = 0, from = 0; k < count; k++) {
    let to = list.indexOf('/', from);
    if (to === -1) to = list.length;
    const agency = list.slice(from, to).trim();
    agencies[k] = agency;
    if (agency === '') empty = true;
    from = to + 1;
  }
  return empty ? agencies.filter((a) => a !== '') : agencies;
}

/**
 * Datelines already read, by their text (`SEOUL (ANP/RTR) - `), or null for text that turned out
 * to be none. A page repeats a few datelines: each is read once (a repeat costs no regex run),
 * and its stories share its place and agency strings instead of keeping a copy each.
 */
export type DatelineCache = Map<string, { place: string | null; agencies: readonly string[] } | null>;

/** The dateline that opens `paragraph`, or null. `cache` remembers datelines across the lines of one page. */
export function matchDateline(paragraph: string, cache?: DatelineCache): Dateline | null {
  const end = candidateEnd(paragraph);
  if (end === -1) return null;
  const key = cache === undefined ? null : paragraph.slice(0, end);
  const known = key === null ? undefined : cache?.get(key);
  // Each story still gets an agency array of its own, as it did before the cache.
  if (known !== undefined) return known && { place: known.place, agencies: known.agencies.slice(), length: end };
  const placeless = paragraph.charCodeAt(0) === 0x28;
  const m = (placeless ? AGENCY_DASH : DATELINE).exec(paragraph);
  if (m === null) {
    if (key !== null) cache?.set(key, null);
    return null;
  }
  const place = placeless ? null : (m[1] ?? '').trim();
  const agencies = splitAgencies((placeless ? m[1] : m[2]) ?? '');
  const found = place === '' || agencies.length === 0 ? null : { place, agencies };
  // The match is the text candidateEnd measured, so later lines find it under their key.
  cache?.set(m[0], found && { place, agencies: agencies.slice() });
  return found && { place, agencies, length: m[0].length };
}

/** Byline words glued before a dateline, per language. */
const BYLINE_START = /^(?:By|BY|Von|VON|Par|PAR|Door|DOOR) /u;
const CAPS = /^\p{Lu}[\p{Lu}\p{M}'’.\-/]*,?$/u;
/** Words of names and of the place after them (`SRINAGAR/NEW DELHI`). */
const NAME_WORD = /^(?:\p{Lu}[\p{L}\p{M}'’.\-/]*,?|van|der|den|de|du|von|la|le|ter|ten)$/u;
const JOINERS = new Set(['and', 'AND', 'und', 'UND', 'et', 'ET', 'en', 'EN', '&']);
const INITIAL = /^\p{Lu}\.$/u;

/** A byline and the dateline after it. */
export interface BylineDateline {
  author: string;
  /** Null when the byline stands right before the agencies (`By Jonathan Allen (Reuters) – `). */
  place: string | null;
  agencies: string[];
  /** Length of byline and dateline, dash and following space included. */
  length: number;
}

/**
 * Where the names end in the words between `By` and the parenthesis. Names in mixed case end
 * where the capitals of the place begin (`Kevin Krolicki and Chen Aizhu SINGAPORE`); names in
 * capitals are two words each, three with an initial (`MATT BROWN WASHINGTON`).
 */
function namesEnd(words: readonly string[]): number {
  if (!words.every((w) => CAPS.test(w) || JOINERS.has(w))) {
    let end = words.length;
    while (end > 0 && CAPS.test(words[end - 1] as string) && (words[end - 1] as string).length > 1) end--;
    return end;
  }
  let i = 0;
  for (;;) {
    i += INITIAL.test(words[i + 1] ?? '') ? 3 : 2;
    if (i < words.length && JOINERS.has(words[i] as string)) i++;
    else if (i < words.length && (words[i - 1] as string).endsWith(',')) continue;
    else return Math.min(i, words.length);
  }
}

/**
 * A byline glued before a dateline (`By Kevin Krolicki and Chen Aizhu SINGAPORE (Reuters) – `,
 * `By MATT BROWN WASHINGTON (AP) — `, `By Jonathan Allen (Reuters) – `), or null. The byline is
 * the author, never part of the place.
 */
export function matchBylineDateline(paragraph: string): BylineDateline | null {
  const by = BYLINE_START.exec(paragraph);
  if (by === null) return null;
  const open = paragraph.indexOf('(');
  if (open <= by[0].length || open >= PAREN_WITHIN) return null;
  const tail = AGENCY_DASH.exec(paragraph.slice(open));
  if (tail === null) return null;
  const words = paragraph.slice(by[0].length, open).trim().split(/\s+/);
  if (words.length > 12 || !words.every((w) => NAME_WORD.test(w) || JOINERS.has(w))) return null;
  const end = namesEnd(words);
  const author = words.slice(0, end).join(' ').replace(/,$/, '');
  if (end < 2 || !/\p{Lu}/u.test(words[0] as string)) return null;
  const place = words.slice(end).join(' ').replace(/,$/, '');
  const agencies = splitAgencies(tail[1] ?? '');
  if (agencies.length === 0) return null;
  return { author, place: place === '' ? null : place, agencies, length: open + tail[0].length };
}

/**
 * The lead a byline-signed paragraph leaves, and its dateline in it: the lead starts at the place,
 * or at the agencies when the byline names no place (`(Reuters) – Spending …`).
 */
export function leadAfterByline(paragraph: string, signed: BylineDateline): { lead: string; dateline: Dateline } {
  const paren = paragraph.indexOf('(');
  const at = signed.place === null ? paren : paragraph.lastIndexOf(signed.place, paren);
  return { lead: paragraph.slice(at), dateline: { place: signed.place, agencies: signed.agencies, length: signed.length - at } };
}

/** A dateline with no agency: `Juba - `, `Brüssel – `, `Bogotá, Kolumbien - `. Only a page's template trusts it. */
const BARE = new RegExp(`^${PLACE}(?:, \\p{Lu}[\\p{L}\\p{M} ]{1,30}?)? [-–—] +(?=\\p{Lu}|\\p{N}|["„“«])`, 'u');
/** No bare dateline's dash stands later than this. */
const BARE_WITHIN = 80;

/** The place of a dateline without agencies that opens `paragraph`, and its length; or null. */
export function matchBareDateline(paragraph: string): { place: string; length: number } | null {
  const dash = paragraph.slice(0, BARE_WITHIN).search(/ [-–—] /u);
  if (dash <= 0) return null;
  const m = BARE.exec(paragraph);
  if (m === null) return null;
  return { place: (m[1] ?? '').trim(), length: m[0].length };
}
