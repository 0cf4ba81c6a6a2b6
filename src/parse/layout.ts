/**
 * A page's item template, inferred once per page from the sequence of its line kinds before any
 * item is cut. Whether ages lead or trail, what opens an item, whether date headers group the
 * items: these are properties of the page, so they are decided from all of its evidence, not
 * line by line. The evidence and what it decides, in the order it is weighed:
 * 1. agency lines (`AFP, 08h32`) under headlines, at least two and no fewer than datelines:
 *    items are headline · agency line · body;
 * 2. clock heads (`10:01 Helfer warnen …`), at least two and no fewer than datelines: items
 *    open with a clock time on the headline line;
 * 3. time lines (`vor 1 Stunde`, `19:41 Uhr`), at least two, the first of them before the first
 *    dateline, at least half of them followed by a headline, and the page not ending with one:
 *    ages lead their item;
 * 3b. time lines between a headline (text that ends no sentence) and a lead, at least two and
 *    at least half of the time lines: items are headline · time · lead (`<h2>` / `<time>` / `<p>`);
 * 4. headlines over leads whose datelines name no agency (`AUSTIN, Texas — `), at least two:
 *    items are headline · dateline lead · body;
 * 5. date lines and no datelines: dates head groups of headline · text items, or are each
 *    item's own time when every date has one item;
 * 6. otherwise the ANP order (wire.ts): headline · dateline lead · body, ages trail. Its date
 *    headers are date lines that come before the first dateline.
 */
import { findAgeAtStart, looksLikeTime } from '../ages/index.js';
import { type DatelineCache, matchBareDateline, matchBylineDateline, matchDateline } from './dateline.js';
import { agencyLine, clockHead, dateHeader, exactTime, labelledTime, stampTime } from './lines.js';
import { isNoise } from './noise.js';
import { endsSentence } from './sentence.js';

/** What opens an item; `lead headline`: a headline right above a dateline lead (`STATE-BUDGET VOTE` / `AUSTIN, Texas — …`). */
export type Opener = 'agency' | 'clock' | 'time' | 'headline time' | 'headline' | 'lead headline';

export type Template =
  | { kind: 'trailing'; dateHeaders: boolean }
  | { kind: 'leading'; opener: Opener; dateHeaders: boolean };

type Kind = 'lead' | 'bare' | 'clock' | 'agency' | 'time' | 'date' | 'stamp' | 'text' | 'noise';

/** Enough of a page to see its pattern; a page's first few hundred items show it. */
const SAMPLE_LINES = 1500;
/** Time lines are short (a stamp with its parts is longer). */
const TIME_LINE_MAX = 100;

/** Whether a short line is a time by itself: an age phrase, a time the ages do not know, a stamp. */
export function isTimeLine(line: string): boolean {
  if (line.length > TIME_LINE_MAX) return false;
  if (looksLikeTime(line) || stampTime(line) !== null) return true;
  const found = findAgeAtStart(line, 'auto');
  return found !== null && found.text.length === line.length;
}

/** Lines longer than this are text or a lead: every other kind is short. */
const SHORT_LINE = 160;

function kindOf(line: string, datelines: DatelineCache): Kind {
  if (matchDateline(line, datelines) !== null || matchBylineDateline(line) !== null) return 'lead';
  if (clockHead(line) !== null) return 'clock';
  if (line.length > SHORT_LINE) return matchBareDateline(line) === null ? 'text' : 'bare';
  if (agencyLine(line) !== null) return 'agency';
  // A stamp dates the lead after it (wire.ts); its date is no header.
  if (stampTime(line) !== null || exactTime(line) !== null || labelledTime(line) !== null) return 'stamp';
  // One age look-up serves the time, date and header tests.
  const found = line.length <= TIME_LINE_MAX ? findAgeAtStart(line, 'auto') : null;
  const day = found !== null && (found.kind === 'date' || found.kind === 'weekday');
  if (looksLikeTime(line) || (found !== null && found.text.length === line.length)) {
    return day && dateHeader(line) !== null ? 'date' : 'time';
  }
  if (isNoise(line)) return 'noise';
  if (found !== null && dateHeader(line) !== null) return 'date';
  return matchBareDateline(line) === null ? 'text' : 'bare';
}

/** The page's item template (see the top of this file). */
export function inferTemplate(lines: readonly string[]): Template {
  const kinds: Kind[] = [];
  /** Per kind, the line it was read from. */
  const at: number[] = [];
  const datelines: DatelineCache = new Map();
  for (let i = 0; i < lines.length && i < SAMPLE_LINES; i++) {
    const kind = kindOf(lines[i] as string, datelines);
    if (kind !== 'noise') {
      kinds.push(kind);
      at.push(i);
    }
  }
  const count = (k: Kind) => kinds.filter((x) => x === k).length;
  const leads = count('lead');
  const firstLead = kinds.indexOf('lead');
  const before = (i: number) => firstLead === -1 || i < firstLead;
  const dates = kinds.map((k, i) => (k === 'date' ? i : -1)).filter((i) => i !== -1);
  const times = kinds.map((k, i) => (k === 'time' ? i : -1)).filter((i) => i !== -1);

  const agencies = kinds.filter((k, i) => k === 'agency' && kinds[i - 1] === 'text').length;
  if (agencies >= 2 && agencies >= leads) return { kind: 'leading', opener: 'agency', dateHeaders: dates.length > 0 };
  const clocks = count('clock');
  if (clocks >= 2 && clocks >= leads) return { kind: 'leading', opener: 'clock', dateHeaders: dates.length > 0 };
  const headed = times.filter((i) => kinds[i + 1] === 'text' && kinds[i + 2] !== 'time').length;
  // A page that ends with a time line ends with an item's trailing age: ages trail there.
  const endsWithTime = kinds[kinds.length - 1] === 'time' && lines.length <= SAMPLE_LINES;
  if (times.length >= 2 && before(times[0] as number) && headed * 2 >= times.length && !endsWithTime) {
    return { kind: 'leading', opener: 'time', dateHeaders: dates.length > 0 };
  }
  // A time under a headline and over a lead: it opens no item, the headline does. (A trailing age
  // after a lead's second paragraph stands between text and a lead too, but that text is a sentence.)
  const stamped = times.filter((i) => kinds[i - 1] === 'text' && kinds[i + 1] === 'lead' && !endsSentence(lines[at[i - 1] as number] as string)).length;
  if (stamped >= 2 && stamped * 2 >= times.length) return { kind: 'leading', opener: 'headline time', dateHeaders: dates.length > 0 };
  // Leads whose datelines name no agency (`AUSTIN, Texas — …`) under headlines: each headline opens an item.
  const bare = kinds.filter((k, i) => k === 'bare' && kinds[i - 1] === 'text').length;
  if (times.length === 0 && leads < 2 && bare >= 2) return { kind: 'leading', opener: 'lead headline', dateHeaders: dates.length > 0 };
  // Dates alone, with no dateline to anchor items: each date heads a group of items that open
  // with a headline (two texts in a row), or is an item's own time (date, headline, text).
  const datedHeads = dates.filter((i) => kinds[i + 1] === 'text').length;
  if (times.length === 0 && leads < 2 && dates.length >= 2 && datedHeads * 2 >= dates.length) {
    const grouped = dates.some((d, k) => (dates[k + 1] ?? kinds.length) - d > 3);
    return { kind: 'leading', opener: grouped ? 'headline' : 'time', dateHeaders: grouped };
  }
  return { kind: 'trailing', dateHeaders: dates.length > 0 && before(dates[0] as number) };
}

/** The template as a short line for people (`wirefeed try` prints it). */
export function describeTemplate(t: Template, datelines: 'agency' | 'bare' | 'none'): string {
  const lead = datelines === 'agency' ? 'dateline lead' : datelines === 'bare' ? 'dateline lead (no agency)' : 'lead';
  const headers = t.dateHeaders ? ', under date headers' : '';
  if (t.kind === 'trailing') return `text grammar: headline · ${lead} · body (ages trail${headers})`;
  if (t.opener === 'agency') return `text grammar: headline · agency and time · ${lead} · body${headers ? ` (${headers.slice(2)})` : ''}`;
  if (t.opener === 'headline time') return `text grammar: headline · time · ${lead} · body${headers ? ` (${headers.slice(2)})` : ''}`;
  if (t.opener === 'headline' || t.opener === 'lead headline') return `text grammar: headline · ${lead} · body${headers ? ` (${headers.slice(2)})` : ''}`;
  if (t.opener === 'clock') return `text grammar: time headline · ${lead} · body (ages lead${headers})`;
  return `text grammar: time · headline · ${lead} · body (ages lead${headers})`;
}
