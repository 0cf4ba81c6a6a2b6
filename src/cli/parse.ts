/**
 * `wirefeed parse <file|-> [--lang …] [--tz ZONE] [--now ISO] [--format json|text] [--format-in auto|text|html]`:
 * read a wire page, cut it into stories, date them, print them. Bad input is a warning and
 * zero stories (exit 0); a file that cannot be read or a bad flag is exit 2. HTML or text is
 * decided as the daemon decides it for a source with that `format`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveStories } from '../ages/index.js';
import { describeError } from '../errors.js';
import { extract } from '../extract/index.js';
import { decodeBody, fileMediaType } from '../fetch/index.js';
import { storyKey } from '../identity/index.js';
import { type DatedStory, type Document, type Lang, LANGS, type ParseResult } from '../model.js';
import { parseExtracted } from '../parse/index.js';
import type { Io } from './io.js';

/** The part of the process `parse` touches; passed in so that tests run it in-process. */
export type ParseIo = Pick<Io, 'stdout' | 'stderr' | 'stdin' | 'now'>;

const USAGE = 'usage: wirefeed parse <file|-> [--lang nl|en|de|fr|auto] [--tz ZONE] [--now ISO] [--format json|text] [--format-in auto|text|html]\n';
const FORMATS = ['json', 'text'] as const;
type Format = (typeof FORMATS)[number];
/** A source's `format`: what the input is read as. */
const FORMATS_IN = ['auto', 'text', 'html'] as const;
export type FormatIn = (typeof FORMATS_IN)[number];
const ISO_START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

interface Options {
  file: string;
  lang: Lang | 'auto';
  timeZone: string;
  now: Date;
  format: Format;
  formatIn: FormatIn;
}

/** ISO 8601 in UTC, without milliseconds when they are zero: `2026-11-28T11:56:00Z`. */
export function formatIso(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

export function isLang(s: string): s is Lang | 'auto' {
  return s === 'auto' || (LANGS as readonly string[]).includes(s);
}

function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}

export function isFormatIn(s: string): s is FormatIn {
  return (FORMATS_IN as readonly string[]).includes(s);
}

export function timeZoneError(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return null;
  } catch (err) {
    return `unknown time zone "${zone}" (${describeError(err)})`;
  }
}

/** Flags → options, or the reason they are wrong. */
function readOptions(argv: string[], io: ParseIo): Options | { error: string } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        lang: { type: 'string', default: 'auto' },
        tz: { type: 'string', default: 'Europe/Amsterdam' },
        now: { type: 'string' },
        format: { type: 'string', default: 'json' },
        'format-in': { type: 'string', default: 'auto' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return { error: describeError(err) };
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) return { error: `expected one file (or -), got ${positionals.length}` };
  if (!isLang(values.lang)) return { error: `--lang must be one of nl, en, de, fr, auto, not "${values.lang}"` };
  if (!isFormat(values.format)) return { error: `--format must be json or text, not "${values.format}"` };
  const formatIn = values['format-in'];
  if (!isFormatIn(formatIn)) return { error: `--format-in must be auto, text or html, not "${formatIn}"` };
  const zoneError = timeZoneError(values.tz);
  if (zoneError !== null) return { error: `--tz: ${zoneError}` };
  let now = io.now();
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (!ISO_START.test(values.now) || Number.isNaN(now.getTime())) return { error: `--now must be an ISO 8601 time, not "${values.now}"` };
  }
  return { file: positionals[0] ?? '-', lang: values.lang, timeZone: values.tz, now, format: values.format, formatIn };
}

function toJson(stories: DatedStory[], warnings: string[], layout: string): string {
  const out = stories.map((s) => ({
    id: storyKey(s.headline),
    headline: s.headline,
    headlineDerived: s.headlineDerived,
    dateline: s.place,
    agencies: s.agencies,
    author: s.author,
    section: s.section,
    body: s.body,
    age: s.ageText,
    published: formatIso(s.publishedLatest),
    publishedEarliest: s.publishedEarliest === null ? null : formatIso(s.publishedEarliest),
    publishedLatest: formatIso(s.publishedLatest),
  }));
  return `${JSON.stringify({ layout, stories: out, warnings }, null, 2)}\n`;
}

function toText(stories: DatedStory[]): string {
  const blocks = stories.map((s, i) => {
    const dateline = s.place === null ? '(no dateline)' : `${s.place} (${s.agencies.join('/')})`;
    const byline = s.author === null ? '' : ` · by ${s.author}`;
    const when = `${formatIso(s.publishedLatest)}${s.ageText === null ? '' : ` (${s.ageText})`}`;
    const lines = [
      `${i + 1}. ${s.headline}${s.headlineDerived ? ' [derived]' : ''}`,
      `   ${dateline} · ${s.section ?? 'no section'} · ${when}${byline}`,
      `   id ${storyKey(s.headline)}`,
      ...s.body.map((p) => `   | ${p}`),
    ];
    return lines.join('\n');
  });
  return `${stories.length} ${stories.length === 1 ? 'story' : 'stories'}\n${blocks.map((b) => `\n${b}\n`).join('')}`;
}

async function readInput(file: string, io: Pick<ParseIo, 'stdin'>): Promise<Uint8Array> {
  return file === '-' ? io.stdin() : readFile(file);
}

/**
 * A file (or `-`, standard input) as the Document a file source would give the daemon: its media
 * type from the file name (none for standard input, so the bytes are sniffed). Bytes that cannot
 * be text are a warning and an empty text. Throws when the file cannot be read.
 */
export async function readFileDocument(file: string, io: Pick<ParseIo, 'stdin'>, now: Date): Promise<{ document: Document; warnings: string[] }> {
  const decoded = decodeBody(await readInput(file, io), null);
  const warnings = [...decoded.warnings];
  if (decoded.binary) warnings.push('input looks binary');
  const document: Document = {
    sourceId: 'parse',
    url: file === '-' ? 'file:///dev/stdin' : pathToFileURL(resolve(file)).href,
    mediaType: file === '-' ? null : fileMediaType(file),
    text: decoded.binary ? '' : decoded.text,
    fetchedAt: now,
  };
  return { document, warnings };
}

/** Extract and parse a document as the daemon does for a source with this `format` and `lang`. */
export function parseDocument(doc: Document, format: FormatIn, lang: Lang | 'auto'): ParseResult {
  return parseExtracted(extract(doc, { format }), { lang });
}

/** Run `wirefeed parse`; returns the exit code. */
export async function parseCommand(argv: string[], io: ParseIo): Promise<number> {
  const opts = readOptions(argv, io);
  if (opts === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if ('error' in opts) {
    io.stderr(`wirefeed parse: ${opts.error}\n${USAGE}`);
    return 2;
  }
  let read: { document: Document; warnings: string[] };
  try {
    read = await readFileDocument(opts.file, io, opts.now);
  } catch (err) {
    io.stderr(`wirefeed parse: cannot read ${opts.file}: ${describeError(err)}\n`);
    return 2;
  }

  const warnings = read.warnings;
  const parsed = parseDocument(read.document, opts.formatIn, opts.lang);
  const dated = resolveStories(parsed.stories, { now: opts.now, timeZone: opts.timeZone, lang: parsed.lang });
  warnings.push(...parsed.warnings, ...dated.warnings);

  if (opts.format === 'json') {
    io.stdout(toJson(dated.stories, warnings, parsed.layout));
  } else {
    io.stdout(toText(dated.stories));
    for (const w of warnings) io.stderr(`wirefeed parse: warning: ${w}\n`);
  }
  return 0;
}
