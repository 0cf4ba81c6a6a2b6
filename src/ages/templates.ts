/**
 * Turns a lexicon's templates into regex sources (with named groups), and expands each template
 * once per date and clock form. Apart from engine.ts, which compiles these sources into patterns
 * and matches them: this is the part that knows the template syntax and its placeholders.
 */
import { WirefeedError } from '../errors.js';
import type { AgeKind } from './engine.js';
import type { Lexicon } from './lexicon.js';

const SPACE = '\\s+';

/** Lexicon keys and matched words are compared in this form. */
export function normalizeWord(s: string): string {
  return s.toLowerCase().replace(/’/g, "'").replace(/\s+/g, ' ').trim();
}

function literal(text: string): string {
  let out = '';
  // Not normalizeWord: a template's edge spaces are real (`vor ` + `{n}`).
  for (const ch of text.toLowerCase().replace(/’/g, "'").replace(/\s+/g, ' ')) {
    if (ch === ' ') out += SPACE;
    else if (ch === "'") out += "['’]";
    else if (ch === ',') out += '\\s*,';
    else {
      const up = ch.toUpperCase();
      if (up !== ch && up.length === 1) out += `[${ch}${up}]`;
      else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}

/** Longest first, so that `minuten` is tried before `min`. */
function words(keys: Iterable<string>): string {
  return [...keys]
    .sort((a, b) => b.length - a.length)
    .map(literal)
    .join('|');
}

function group(name: string, body: string): string {
  return `(?<${name}>${body})`;
}

/** Literal text and placeholders; a placeholder keeps the one space that follows it. */
export function splitTemplate(template: string): string[] {
  return template.split(/(\{\w+\}\s?)/).filter((p) => p !== '');
}

const HOUR_24 = '[01]?\\d|2[0-3]';
const HOUR_12 = '1[0-2]|0?[1-9]';
const MINUTES = '[0-5]\\d';
const DAY_OF_MONTH = '0?[1-9]|[12]\\d|3[01]';
const MONTH_NUMBER = '0?[1-9]|1[0-2]';
const YEAR = '\\d{4}';

/** Group names of the placeholders whose name is not their group's. */
const GROUP_NAMES: Readonly<Record<string, string>> = { H: 'hour', h: 'hour', M: 'minute', D: 'dom', MM: 'mon', Y: 'year' };

/** Regex sources of one lexicon's words, made once: its templates repeat them. */
export interface Bodies {
  /** Each placeholder's but `{n}`'s. */
  placeholders: Readonly<Record<string, string>>;
  numberWords: string;
  /** The optional suffix after `{D}`; empty when the language has none. */
  ordinal: string;
}

export function bodiesOf(lex: Lexicon): Bodies {
  const placeholders = {
    unit: words(Object.keys(lex.units)),
    day: words(Object.keys(lex.days)),
    H: HOUR_24,
    h: HOUR_12,
    M: MINUTES,
    ampm: words(Object.keys(lex.ampm)),
    D: DAY_OF_MONTH,
    MM: MONTH_NUMBER,
    Y: YEAR,
    // Abbreviations take a full stop (`Dec.`); it stays in the group and is dropped when read.
    month: `(?:${words(Object.keys(lex.months))})\\.?`,
    weekday: words(Object.keys(lex.weekdays)),
  };
  const ordinal = lex.ordinals.length > 0 ? `(?:${words(lex.ordinals)})?` : '';
  return { placeholders, numberWords: words(Object.keys(lex.numbers)), ordinal };
}

/** A template (with `{time}` already replaced by one clock form) as regex source. */
export function templateSource(template: string, lex: Lexicon, bodies: Bodies): string {
  const parts = splitTemplate(template);
  let out = '';
  for (const part of parts) {
    const name = /^\{(\w+)\}(\s?)$/.exec(part);
    if (!name) {
      out += literal(part);
      continue;
    }
    const spaced = name[2] !== '';
    const placeholder = name[1];
    if (placeholder === 'n') {
      // Digits may touch their unit (`5m`); a number word may not (`aminute` is no age).
      const digits = `${group('num', '\\d{1,4}')}${spaced ? '\\s*' : ''}`;
      const word = `${group('word', bodies.numberWords)}${spaced ? SPACE : ''}`;
      out += `(?:${digits}|${word})`;
      continue;
    }
    const body = bodies.placeholders[placeholder];
    if (body === undefined) {
      throw new WirefeedError('ages', 'E_LEXICON', `lexicon ${lex.lang}: unknown placeholder {${placeholder}} in "${template}"`);
    }
    const ordinal = placeholder === 'D' ? bodies.ordinal : '';
    out += group(GROUP_NAMES[placeholder] ?? placeholder, body) + ordinal + (spaced ? SPACE : '');
  }
  return out;
}

function kindOf(template: string): AgeKind {
  const has = (p: string) => template.includes(`{${p}}`);
  if (has('unit')) return 'relative';
  if (has('D')) return has('time') ? 'dateClock' : 'date';
  if (has('weekday')) return has('time') ? 'weekdayClock' : 'weekday';
  if (has('day')) return has('time') ? 'dayClock' : 'day';
  return has('time') ? 'clock' : 'moment';
}

/** A template to compile, and the date template it was made from. */
export interface Expanded {
  template: string;
  kind: AgeKind;
  date: string | null;
}

/** Every template with `{date}` expanded once per date, then `{time}` once per clock form. */
export function expand(lex: Lexicon): Expanded[] {
  const out: Expanded[] = [];
  const sources = [
    ...[...lex.moments, ...lex.phrases].map((template) => ({ template, date: null })),
    ...lex.dates.flatMap((date) => [date, ...lex.dateTimes.map((form) => form.replace('{date}', date))].map((template) => ({ template, date }))),
  ];
  for (const { template, date } of sources) {
    const kind = kindOf(template);
    if (template.includes('{time}')) {
      for (const clock of lex.clocks) out.push({ template: template.replace('{time}', clock), kind, date });
    } else {
      out.push({ template, kind, date });
    }
  }
  return out;
}
