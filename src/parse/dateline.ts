/**
 * Datelines: `WASHINGTON (ANP/AFP) - `, `OTTAWA, Nov 27 (Reuters) - `, `München (dpa/lby) – `.
 * Only the start of a paragraph is tried, and every quantifier is bounded, so a line of any
 * length costs a constant amount of work here.
 */

export interface Dateline {
  /** `WASHINGTON`, `SAO PAULO`, `München`. */
  place: string;
  /** `['ANP', 'AFP']`. */
  agencies: string[];
  /** Length of the dateline in the paragraph, dash and following space included. */
  length: number;
}

/** A place word starts with a capital: `TEL`, `München`, `St.`, `Saint-Denis`. */
const WORD = String.raw`\p{Lu}[\p{L}\p{M}'’.\-]{0,30}`;
/** Small words inside a place name (`Rio de Janeiro`, `Frankfurt am Main`, `Den Haag aan Zee`). */
const CONNECTOR = String.raw`(?:de|del|do|da|di|du|des|la|le|las|los|am|an|der|den|aan|op|sur|en|im|upon)`;
/** Dutch elided articles before a place: `'S-HERTOGENBOSCH`, `'s-Gravenhage`, `'T ZAND`. */
const ELISION = String.raw`(?:['’][sStT][- ])?`;
const PLACE = String.raw`(${ELISION}${WORD}(?: (?:${CONNECTOR} )?${WORD}){0,4})`;
/** A date or other note between place and agencies: `, Nov 27`, `, 27 novembre`. */
const DATE = String.raw`(?:, ?[^(),]{1,30}?)?`;
const AGENCY = String.raw`[\p{L}][\p{L}\p{N}&.\- ]{0,19}`;
const AGENCIES = String.raw`\((${AGENCY}(?:/${AGENCY}){0,5})\)`;
/** Hyphen, en dash or em dash after the parenthesis, with a space on at least one side (`—The`). */
const DASH = String.raw`(?: [-–—] *|[-–—](?: +|$))`;

const DATELINE = new RegExp(`^${PLACE}${DATE} ?${AGENCIES}${DASH}`, 'u');
/** No dateline opens its parenthesis later than this (five long words, a date): a cheap first test. */
const PAREN_WITHIN = 240;

/** Whether `text` has a `(` early enough to hold a dateline's agencies. */
export function mayHoldDateline(text: string): boolean {
  const paren = text.indexOf('(');
  return paren > 0 && paren < PAREN_WITHIN;
}

const isDash = (code: number): boolean => code === 0x2d || code === 0x2013 || code === 0x2014;

/**
 * What DATELINE needs, tested by hand first: no capital can open a line that starts with an
 * ASCII character other than A–Z or an elision's apostrophe; neither place nor date holds `(`, so the agencies open at the
 * first one; agencies hold no `)`, so they close at the first one after it; a dash follows,
 * after a space or before one (or the end), and then every space (the pattern's ` *`/` +` are
 * greedy). Returns where a match would end, or -1 when there can be none. Whether DATELINE
 * matches depends on nothing after that end, so the text before it can key a cache.
 */
function candidateEnd(text: string): number {
  const first = text.charCodeAt(0);
  if (first < 0x80 && !(first >= 0x41 && first <= 0x5a) && first !== 0x27) return -1;
  const open = text.indexOf('(');
  if (open <= 0 || open >= PAREN_WITHIN) return -1;
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
export type DatelineCache = Map<string, { place: string; agencies: readonly string[] } | null>;

/** The dateline that opens `paragraph`, or null. `cache` remembers datelines across the lines of one page. */
export function matchDateline(paragraph: string, cache?: DatelineCache): Dateline | null {
  const end = candidateEnd(paragraph);
  if (end === -1) return null;
  const key = cache === undefined ? null : paragraph.slice(0, end);
  const known = key === null ? undefined : cache?.get(key);
  // Each story still gets an agency array of its own, as it did before the cache.
  if (known !== undefined) return known && { place: known.place, agencies: known.agencies.slice(), length: end };
  const m = DATELINE.exec(paragraph);
  if (m === null) {
    if (key !== null) cache?.set(key, null);
    return null;
  }
  const place = (m[1] ?? '').trim();
  const agencies = splitAgencies(m[2] ?? '');
  const found = place === '' || agencies.length === 0 ? null : { place, agencies };
  // The match is the text candidateEnd measured, so later lines find it under their key.
  cache?.set(m[0], found && { place, agencies: agencies.slice() });
  return found && { place, agencies, length: m[0].length };
}
