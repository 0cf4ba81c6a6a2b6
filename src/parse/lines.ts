/**
 * Line kinds beyond the ANP order: the shapes by which other wire pages open, date or sign an
 * item. Each test looks at a short line or a line's first few characters only, so that a page of
 * long paragraphs costs little here.
 * - clock head: `10:01 Helfer warnen vor …` (a clock time opens the headline line);
 * - agency line: `AFP, 08h32`, `AFP, 16/01/2017 08h33`, `Reuters Thu 02 Apr 2020 16:57`,
 *   `Nairobi, Kenya | AFP | 2 hours ago`;
 * - byline line: `By Jane Doe`, `Stephen Groves, The Associated Press 3 minute read Updated: 12:37 PM CST`;
 * - stamp: `November 19, 2019 / 12:21 AM / Updated 14 hours ago` (absolute and relative parts);
 * - date header: a date that heads a group of items (`Dienstag, 11. Dezember 2018 – Kurzmeldungen`).
 */
import { findAgeAtStart, looksLikeTime } from '../ages/index.js';

/** The clock of a clock head: `10:01`, `9.15`, `08h32`, perhaps `Uhr`, perhaps a bar or dash (`22:25 Uhr | …`), then white space. */
const CLOCK_HEAD = /^(\d{1,2}[:.h][0-5]\d(?: ?Uhr| ?uur| ?h)?)(?:\s+[|·•–—-])?\s+(?=\S)/u;

/** `10:01 Helfer warnen …` → the clock and the headline; null for any other line. */
export function clockHead(line: string): { time: string; headline: string } | null {
  const first = line.charCodeAt(0);
  if (!(first >= 0x30 && first <= 0x39)) return null;
  const m = CLOCK_HEAD.exec(line);
  if (m === null) return null;
  const hour = Number(/^\d+/.exec(m[1] ?? '')?.[0]);
  if (hour > 23) return null;
  const headline = line.slice(m[0].length).trim();
  // A headline after a clock has two words at least, and is no time itself (`10:01 Uhr`).
  if (!/\s/u.test(headline) || looksLikeTime(headline)) return null;
  return { time: (m[1] ?? '').trim(), headline };
}

/**
 * Agencies a page names without a dateline's parenthesis, as they are written, and the name a
 * dateline gives them. A name outside this list is no agency line: the list keeps `Paris, 08h32`
 * and `Update, 10:15` from passing for one.
 */
const AGENCY_NAMES: ReadonlyMap<string, string> = new Map([
  ['AFP', 'AFP'], ['AP', 'AP'], ['The Associated Press', 'AP'], ['Associated Press', 'AP'], ['Reuters', 'Reuters'],
  ['REUTERS', 'Reuters'], ['dpa', 'dpa'], ['DPA', 'dpa'], ['ANP', 'ANP'], ['Belga', 'Belga'], ['BELGA', 'Belga'],
  ['Xinhua', 'Xinhua'], ['EFE', 'EFE'], ['ANSA', 'ANSA'], ['KNA', 'KNA'], ['epd', 'epd'], ['APA', 'APA'], ['SDA', 'SDA'],
  ['Kyodo', 'Kyodo'], ['Yonhap', 'Yonhap'], ['Bloomberg', 'Bloomberg'], ['PA', 'PA'], ['NTB', 'NTB'], ['TT', 'TT'],
]);

/** `AFP` or `AFP/dpa` → the agencies, or null when a part is no known agency. */
function agenciesOf(text: string): string[] | null {
  const out: string[] = [];
  for (const part of text.split('/')) {
    const name = AGENCY_NAMES.get(part.trim());
    if (name === undefined) return null;
    out.push(name);
  }
  return out;
}

export interface AgencyLine {
  agencies: string[];
  /** The place a `Nairobi, Kenya | AFP` line names first, or null. */
  place: string | null;
  /** The time as written, or null. */
  time: string | null;
}

/** Agency lines are short. */
const AGENCY_LINE_MAX = 80;
const AGENCY_HEAD = /^([\p{L}][\p{L} ]{0,24}?(?:\/[\p{L}][\p{L} ]{0,24}?)*)(?:,\s*|\s+)(?=\d|\p{Lu}\p{Ll}{2}\b)/u;
const PLACE_PART = /^(\p{Lu}[\p{L}\p{M}'’.\- ]{0,40}?)(?:,.*)?$/u;

/** An agency line (see the top of this file), or null. */
export function agencyLine(line: string): AgencyLine | null {
  if (line.length > AGENCY_LINE_MAX) return null;
  if (line.includes('|')) {
    const parts = line.split('|').map((p) => p.trim()).filter((p) => p !== '');
    const at = parts.findIndex((p) => agenciesOf(p) !== null);
    if (at === -1) return null;
    const rest = parts.filter((_, i) => i !== at);
    const time = rest.find((p) => looksLikeTime(p)) ?? null;
    const others = rest.filter((p) => p !== time);
    if (others.length > 1) return null;
    const place = others.length === 1 ? (PLACE_PART.exec(others[0] as string)?.[1]?.trim() ?? null) : null;
    if (others.length === 1 && place === null) return null;
    return { agencies: agenciesOf(parts[at] as string) ?? [], place, time };
  }
  const m = AGENCY_HEAD.exec(line);
  if (m === null) return null;
  const agencies = agenciesOf(m[1] ?? '');
  const time = line.slice(m[0].length).trim();
  if (agencies === null || !looksLikeTime(time)) return null;
  return { agencies, place: null, time };
}

export interface BylineLine {
  author: string;
  /** A clock time the line gives (`Updated: 12:37 PM`), or null. */
  time: string | null;
  agencies: string[];
}

/** Byline words, per language. */
const BY = /^(?:By|BY|Von|VON|Par|PAR|Door|DOOR)\s+/u;
/** A name: capitalised words, initials, particles (`van der`, `de`). */
// Non-ASCII as \u escapes: a raw template's text reaches the bundle unescaped (rolldown.config.mjs).
const NAME_WORD = String.raw`(?:\p{Lu}[\p{L}\p{M}'\u2019.\-]{0,30}|van|der|den|de|du|von|la|le|ter|ten)`;
const NAME = String.raw`\p{Lu}[\p{L}\p{M}'\u2019.\-]{0,30}(?: ${NAME_WORD}){1,4}`;
const NAME_LIST = `${NAME}(?:(?:, | and | und | et | en | & )${NAME}){0,3}`;
const NAMES = new RegExp(`^(${NAME_LIST})`, 'u');
const WHOLE_NAMES = new RegExp(`^${NAME_LIST}$`, 'u');
/** An agency after the names: `Stephen Groves, The Associated Press`. */
const BYLINE_AGENCY = /,\s*(The Associated Press|Associated Press|Reuters|AFP|dpa|ANP|Bloomberg)\b/u;
/** Reading-time notes and update stamps on a byline line: never ages (`3 minute read` is a length). */
const READ_TIME = /\b\d{1,3}\s*(?:minute|min\.?|mins)\s+read\b|\b\d{1,3}\s*Min\.?\s+Lesezeit\b|\b\d{1,3}\s*min\s+de\s+lecture\b|\bLeestijd:?\s*\d{1,3}\s*min(?:uten|\.)?/giu;
const STAMP_TIME = /(?:Updated|Published|Aktualisiert|Veröffentlicht|Bijgewerkt|Gepubliceerd|Mis à jour|Publié)?:?\s*(\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?|\d{1,2}h\d{2})/u;
/** A byline line is short. */
const BYLINE_MAX = 160;

/** The parts of a closing credit that name the author, most telling first. */
const CREDIT_PARTS = [/^(?:Reporting|Reporting and writing) by (.+)$/iu, /^Writing by (.+)$/iu];
/** A credit is short. */
const CREDIT_MAX = 300;

/**
 * The author a credit at the end of a paragraph names (`(Reporting by Jane Doe in London;
 * Editing by Tom Baxter)` → `Jane Doe`): the reporters, else the writer; the place after `in`
 * left off. Null when the paragraph ends in no such parenthesis.
 */
export function creditAuthor(paragraph: string): string | null {
  const text = paragraph.trimEnd();
  if (!text.endsWith(')')) return null;
  const open = text.lastIndexOf('(');
  if (open === -1 || text.length - open > CREDIT_MAX) return null;
  const parts = text.slice(open + 1, -1).split(';').map((p) => p.trim());
  for (const pattern of CREDIT_PARTS) {
    for (const part of parts) {
      const names = pattern.exec(part)?.[1]?.replace(/ in \p{Lu}.*$/u, '').trim();
      if (names !== undefined && names !== '') return names;
    }
  }
  return null;
}

/**
 * A line that names who wrote the item (see the top of this file), or null. A name alone is
 * no byline: it needs `By` before it, or an agency after it.
 */
export function bylineLine(line: string): BylineLine | null {
  if (line.length > BYLINE_MAX) return null;
  const by = BY.exec(line);
  // Without `By` only an agency after a comma makes a byline: most lines have no comma to test.
  if (by === null && !line.includes(', ')) return null;
  const rest = by === null ? line : line.slice(by[0].length);
  const agency = BYLINE_AGENCY.exec(rest);
  if (agency === null && by === null) return null;
  const names = (agency === null ? (NAMES.exec(rest)?.[1] ?? '') : rest.slice(0, agency.index)).trim();
  if (names === '' || !WHOLE_NAMES.test(names)) return null;
  let after = agency === null ? rest.slice(names.length) : rest.slice(agency.index + agency[0].length);
  after = after.replace(READ_TIME, ' ').trim();
  const stamp = after === '' ? null : STAMP_TIME.exec(after);
  // What is left is a stamp and a zone abbreviation at most (`Updated: 12:37 PM CST`); more is a sentence.
  const left = stamp === null ? after : after.replace(stamp[0], '').replace(/\b[A-Z]{2,4}\b/gu, '').replace(/[|·•,:\s-]+/gu, '');
  if (left !== '') return null;
  const agencies = agency === null ? [] : [AGENCY_NAMES.get(agency[1] ?? '') ?? (agency[1] ?? '')];
  return { author: names, time: stamp?.[1]?.trim() ?? null, agencies };
}

/** Words that mark a stamp's part as the update time, not the publication time. */
const UPDATED = /^(?:updated|update|bijgewerkt|aktualisiert|mis à jour)\b:?/iu;
const STAMP_SPLIT = /\s+[/|·]\s+/u;

/**
 * `November 19, 2019 / 12:21 AM / Updated 14 hours ago` → `November 19, 2019 12:21 AM`: the parts
 * that say when the item was published, as one age phrase; null for a line that is no stamp.
 */
export function stampTime(line: string): string | null {
  if (line.length > 100 || !(line.includes(' / ') || line.includes(' | ') || line.includes(' · ')) || !STAMP_SPLIT.test(line)) return null;
  const parts = line.split(STAMP_SPLIT).map((p) => p.trim());
  const published = parts.filter((p) => !UPDATED.test(p));
  if (published.length === 0 || published.length > 3) return null;
  if (!parts.every((p) => looksLikeTime(p.replace(UPDATED, '').trim()))) return null;
  return published.join(' ');
}

/** `Updated: 12:37 PM CST`, `Aktualisiert am 11.12.2018, 19:41 Uhr`: a labelled time, its zone abbreviation dropped. */
const LABELLED = /^(?:Updated|Published|Aktualisiert|Veröffentlicht|Bijgewerkt|Gepubliceerd|Mis à jour|Publié)(?: on| am| op| le)?:?\s+(.+?)(?:\s+[A-Z]{2,4})?$/u;

/** The time a labelled time line gives (`Updated: 12:37 PM CST` → `12:37 PM`), or null. */
export function labelledTime(line: string): string | null {
  if (line.length > 60) return null;
  const m = LABELLED.exec(line);
  const time = m?.[1]?.trim() ?? '';
  return time !== '' && looksLikeTime(time) ? time : null;
}

/** A date header holds a date and a few words of title at most. */
const HEADER_MAX = 80;

/**
 * The day a date header names (`Dienstag, 11. Dezember 2018`, `24th September`), as written;
 * null for any other line. A clock time after the date (`zaterdag, 30 maart 2024 om 12:16`,
 * when the page was last updated) is not part of the day.
 */
export function dateHeader(line: string): string | null {
  if (line.length > HEADER_MAX) return null;
  const found = findAgeAtStart(line, 'auto');
  if (found === null) return null;
  if (found.kind === 'date' || found.kind === 'weekday') {
    const rest = line.slice(found.text.length).trim();
    // A title may follow (`… Kurzmeldungen des Tages`), a sentence may not.
    return rest === '' || !/[.!?]$/.test(rest) ? found.text : null;
  }
  if (found.kind !== 'dateClock' && found.kind !== 'weekdayClock') return null;
  // The day part: the longest run of words before the clock that is a date by itself.
  const words = found.text.split(/\s+/);
  for (let n = words.length - 1; n > 0; n--) {
    const head = words.slice(0, n).join(' ').replace(/[,;]$/, '');
    const day = findAgeAtStart(head, 'auto');
    if (day !== null && day.text === head && (day.kind === 'date' || day.kind === 'weekday')) return head;
  }
  return null;
}

/** A link label that ends a teaser (`… - mehr...`, `… Lire la suite`): not text. */
const MORE = /\s*(?:[-–—|»›]\s*)?(?:mehr|more|meer|plus|lire la suite|weiterlesen|read more|lees verder|lees meer)\s*(?:\.{3}|…|»|›|>)\s*$/iu;

/** `teaser - mehr...` → `teaser`. */
export function dropMoreLink(line: string): string {
  return line.length > 6 ? line.replace(MORE, '') : line;
}

/** `Headline Preview`: a teaser repeat of a headline, without its label. */
export function withoutPreview(line: string): string {
  return line.replace(/\s*(?:Preview|Vorschau|Aperçu|Voorvertoning)$/u, '');
}

/**
 * RFC 822 (`Mon, 20 Nov 2017 21:45:46 -0500`) and ISO 8601 (`2017-11-20T21:45:46Z`) timestamps,
 * as feed widgets print them: with seconds and an offset they name one moment, in no zone but
 * their own.
 */
const RFC822 = /^(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UTC|Z)$/u;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})$/u;

/** The moment a timestamp line names, or null for any other line. */
export function exactTime(line: string): Date | null {
  if (line.length > 40 || !(RFC822.test(line) || ISO.test(line))) return null;
  const ms = Date.parse(line);
  return Number.isNaN(ms) ? null : new Date(ms);
}
