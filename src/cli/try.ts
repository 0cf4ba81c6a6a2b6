/**
 * `wirefeed try <url|file> [--lang …] [--timezone ZONE] [--format table|json] [--format-in auto|text|html] [--full-text]`:
 * what a new user runs before writing config. A URL is fetched once as the daemon fetches a
 * source with the default limits (same fetcher, redirect checks and charset rules; no state, no
 * conditional GET); a file is read as `wirefeed parse` reads it. Its stories are printed with
 * the layout, language and time zone assumed, every warning, and a source entry to paste into
 * wirefeed.yaml. With --full-text, the articles of the first three stories are fetched and shown as
 * the full-text step would put them in the feed (try-fulltext.ts). Exit 0 with stories; 1 when the
 * page cannot be had or gives none; 2 on a bad flag.
 */
import { createRequire } from 'node:module';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { resolveStories } from '../ages/index.js';
import { configSchema } from '../config/schema.js';
import { describeError, WirefeedError } from '../errors.js';
import { closeHttp, FetchError, fetchSource, userAgent, type FetchContext } from '../fetch/index.js';
import type { DatedStory, Document, Lang } from '../model.js';
import { packageVersion, type Io } from './io.js';
import { type FormatIn, isFormatIn, isLang, parseDocument, readFileDocument, timeZoneError } from './parse.js';
import { previewArticles, previewJson, previewText, type ArticlePreview } from './try-fulltext.js';

/** The part of the process `try` touches; passed in so that tests run it in-process. */
export type TryIo = Pick<Io, 'stdout' | 'stderr' | 'now'>;

const USAGE = 'usage: wirefeed try <url|file> [--lang auto|nl|en|de|fr] [--timezone ZONE] [--format table|json] [--format-in auto|text|html] [--full-text]\n';
const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

/**
 * The zone assumed for a page's language when `--timezone` is not given: where wire pages in that
 * language are mostly written. English is written everywhere, so it gets UTC. Never the host's
 * zone: the answer must not depend on the machine `try` runs on.
 */
const ZONE_OF_LANG: Record<Lang, string> = { nl: 'Europe/Amsterdam', de: 'Europe/Berlin', fr: 'Europe/Paris', en: 'UTC' };
/** Longest headline the table shows; the JSON has all of it. */
const TABLE_HEADLINE_MAX = 72;
/** How far into a page its `<title>` is looked for: it is in the head. */
const TITLE_SCAN = 64 * 1024;
/** A source id's longest length, cut at a dash: it is a URL path segment and a config key. */
const ID_MAX = 48;

/** What `try` was asked to do, from its flags. */
export interface TryOptions {
  target: { kind: 'url'; url: string } | { kind: 'file'; path: string };
  lang: Lang | 'auto';
  /** `--timezone`, or null to assume one from the language. */
  timeZone: string | null;
  format: Format;
  formatIn: FormatIn;
  /** `--full-text`: also fetch the first stories' articles and show what the full-text step would store. */
  fullText: boolean;
}

/** A source as wirefeed.yaml spells it (the schema's input, so that a key renamed there breaks this). */
type SourceInput = z.input<typeof configSchema>['sources'][number];
/** A source entry for wirefeed.yaml: what it is, where it is, how to read it. */
export type SourceEntry = Required<Pick<SourceInput, 'id' | 'title' | 'format' | 'lang' | 'timezone'>> & Pick<SourceInput, 'url' | 'path' | 'selectors'>;

/** Everything `try` learned about a page. */
export interface TryReport {
  /** The URL asked for, or the file's absolute path. */
  source: string;
  stories: DatedStory[];
  layout: string;
  lang: Lang;
  timezone: string;
  /** True when the zone was assumed from the language, not given with --timezone. */
  timezoneAssumed: boolean;
  warnings: string[];
  entry: SourceEntry;
}

function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}

/** `http(s)://…` is fetched; anything without a scheme is a file; other schemes are refused. */
function readTarget(arg: string): TryOptions['target'] | { error: string } {
  if (/^https?:\/\//i.test(arg)) {
    if (!URL.canParse(arg)) return { error: `not a valid URL: "${arg}"` };
    return { kind: 'url', url: arg };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return { error: `only http(s) URLs and files can be tried, not "${arg}"` };
  return { kind: 'file', path: resolve(arg) };
}

function readOptions(argv: string[]): TryOptions | { error: string } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        lang: { type: 'string', default: 'auto' },
        timezone: { type: 'string' },
        format: { type: 'string', default: 'table' },
        'format-in': { type: 'string', default: 'auto' },
        'full-text': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return { error: describeError(err) };
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) return { error: `expected one URL or file, got ${positionals.length}` };
  const target = readTarget(positionals[0] ?? '');
  if ('error' in target) return target;
  if (!isLang(values.lang)) return { error: `--lang must be one of auto, nl, en, de, fr, not "${values.lang}"` };
  if (!isFormat(values.format)) return { error: `--format must be table or json, not "${values.format}"` };
  const formatIn = values['format-in'];
  if (!isFormatIn(formatIn)) return { error: `--format-in must be auto, text or html, not "${formatIn}"` };
  if (values.timezone !== undefined) {
    const zoneError = timeZoneError(values.timezone);
    if (zoneError !== null) return { error: `--timezone: ${zoneError}` };
  }
  return { target, lang: values.lang, timeZone: values.timezone ?? null, format: values.format, formatIn, fullText: values['full-text'] };
}

/** Lower-case letters, digits and single dashes (a config id, `[a-z0-9-]+`), at most ID_MAX long. */
function slug(parts: string[]): string {
  const s = parts
    .join('-')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = s.length <= ID_MAX ? s : s.slice(0, ID_MAX).replace(/-[^-]*$/, '');
  return cut === '' ? 'source' : cut;
}

/** `https://www.example.com/news/world.html?x=1` → `example-com-news-world`; a file → its name without extension. */
export function sourceIdOf(source: { url: string } | { path: string }): string {
  if ('path' in source) return slug([basename(source.path, extname(source.path))]);
  const url = new URL(source.url);
  const segments = url.pathname.split('/').filter((s) => s !== '').map(decodedSegment);
  const last = segments.pop();
  if (last !== undefined) segments.push(basename(last, extname(last)));
  return slug([url.hostname.replace(/^www\./, ''), ...segments]);
}

/** `%C3%A9conomie` → `économie` (slug then drops the accent); a malformed escape stays as written. */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    if (err instanceof URIError) return segment;
    throw err;
  }
}

const requireLazy = createRequire(import.meta.url);
/** C0 and C1 control characters other than white space. */
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/**
 * The page's `<title>`, entities decoded and white space collapsed, or null. htmlparser2 (which
 * extract uses) tokenises it, loaded as extract loads it: at runtime from node_modules.
 */
function pageTitle(html: string): string | null {
  const { Parser } = requireLazy('htmlparser2') as typeof import('htmlparser2');
  let title: string | null = null;
  let inTitle = false;
  const parser = new Parser({
    onopentagname(name) {
      if (name === 'title' && title === null) {
        title = '';
        inTitle = true;
      }
    },
    ontext(text) {
      if (inTitle) title += text;
    },
    onclosetag(name) {
      if (name === 'title') inTitle = false;
    },
  });
  parser.end(html.slice(0, TITLE_SCAN));
  // Control characters (C0 and C1) go: the title is printed to a terminal, and YAML leaves C1 raw.
  const collapsed = (title ?? '').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return collapsed === '' ? null : collapsed;
}

/** A default config's limits and user agent: what a new source gets. */
async function tryContext(now: Date): Promise<FetchContext> {
  return { now, userAgent: userAgent(await packageVersion(), configSchema.shape.server.parse({}).baseUrl), http: {}, allowPrivateRedirects: false };
}

/** The page's document and the fetch's warnings; throws the fetch or read error. */
async function loadDocument(target: TryOptions['target'], now: Date): Promise<{ document: Document; warnings: string[] }> {
  if (target.kind === 'file') {
    // readTarget made the path absolute, so it is never `-` and standard input is never read.
    const noStdin = () => Promise.reject(new WirefeedError('cli', 'E_USAGE', 'try reads no standard input'));
    try {
      return await readFileDocument(target.path, { stdin: noStdin }, now);
    } catch (err) {
      throw new FetchError('E_FILE', { verb: 'READ', url: pathToFileURL(target.path).href }, 'cannot read', { cause: err });
    }
  }
  try {
    // No validators: the page is read whole, once.
    const outcome = await fetchSource({ id: 'try', url: target.url }, { etag: null, lastModified: null }, await tryContext(now));
    // Without validators a server has nothing to answer 304 to; one that does anyway sent no page.
    if (outcome.kind === 'not-modified') {
      throw new FetchError('E_PROTOCOL', { verb: 'GET', url: target.url }, '304 Not Modified to a request without validators');
    }
    return { document: outcome.document, warnings: outcome.warnings };
  } finally {
    await closeHttp();
  }
}

/** Fetch or read one page and read it as a source with these options would be read. */
export async function tryPage(opts: TryOptions, now: Date): Promise<TryReport> {
  const loaded = await loadDocument(opts.target, now);
  const parsed = parseDocument(loaded.document, opts.formatIn, opts.lang);
  const timezone = opts.timeZone ?? ZONE_OF_LANG[parsed.lang];
  const dated = resolveStories(parsed.stories, { now, timeZone: timezone, lang: parsed.lang });
  const where = opts.target.kind === 'url' ? { url: opts.target.url } : { path: opts.target.path };
  const name = opts.target.kind === 'url' ? new URL(opts.target.url).hostname : basename(opts.target.path);
  const title = (opts.formatIn === 'text' ? null : pageTitle(loaded.document.text)) ?? name;
  return {
    source: opts.target.kind === 'url' ? opts.target.url : opts.target.path,
    stories: dated.stories,
    layout: parsed.layout,
    lang: parsed.lang,
    timezone,
    timezoneAssumed: opts.timeZone === null,
    warnings: [...loaded.warnings, ...parsed.warnings, ...dated.warnings],
    entry: {
      id: sourceIdOf(where),
      title,
      ...where,
      format: opts.formatIn,
      lang: parsed.lang,
      timezone,
      ...(parsed.selectors ? { selectors: parsed.selectors } : {}),
    },
  };
}

/** The entry as a YAML list item, indented to paste under `sources:`. */
export function entryYaml(entry: SourceEntry): string {
  return stringify([entry], { lineWidth: 0 })
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

/** ISO 8601 UTC to the whole second (`…T17:45:59Z` for `…:59.999`), as the feeds show times. */
function isoSecond(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The latest moment of a story's interval, or null when the page gave it no time. */
function storyTime(s: DatedStory): string | null {
  return s.publishedEarliest === null ? null : isoSecond(s.publishedLatest);
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Rows as columns padded to their widest cell; the last column is not padded. */
function table(rows: string[][]): string {
  // A reduce, not Math.max(...cells): a page of many thousand stories would overflow the call's arguments.
  const widths = rows[0]?.map((_, c) => rows.reduce((w, r) => Math.max(w, (r[c] ?? '').length), 0)) ?? [];
  return rows.map((r) => `${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ')}\n`).join('');
}

function toTable(report: TryReport): string {
  const n = report.stories.length;
  const zone = report.timezoneAssumed ? ` (assumed for ${report.lang}; --timezone to change)` : '';
  const rows = [
    ['TIME', 'PLACE', 'AGENCIES', 'HEADLINE', 'LINK'],
    ...report.stories.map((s) => [
      storyTime(s) ?? '-',
      s.place ?? '-',
      s.agencies.length === 0 ? '-' : s.agencies.join('/'),
      `${cut(s.headline, TABLE_HEADLINE_MAX)}${s.headlineDerived ? ' *' : ''}`,
      s.link ?? '-',
    ]),
  ];
  const parts = [
    `${n} ${n === 1 ? 'story' : 'stories'} in ${report.source}\n`,
    `layout     ${report.layout}\nlanguage   ${report.lang}\ntime zone  ${report.timezone}${zone}\n`,
    table(rows),
  ];
  if (report.stories.some((s) => s.headlineDerived)) parts.push('* headline made from the first sentence of the lead\n');
  if (report.warnings.length > 0) parts.push(`warnings:\n${report.warnings.map((w) => `  ${w}\n`).join('')}`);
  parts.push(`source entry for wirefeed.yaml (under sources:):\n${entryYaml(report.entry)}`);
  return parts.join('\n');
}

function toJson(report: TryReport, articles: ArticlePreview[] | null): string {
  const stories = report.stories.map((s) => ({
    published: s.publishedEarliest === null ? null : `${isoSecond(s.publishedEarliest)}/${isoSecond(s.publishedLatest)}`,
    age: s.ageText,
    place: s.place,
    agencies: s.agencies,
    headline: s.headline,
    headlineDerived: s.headlineDerived,
    author: s.author,
    image: s.image,
    link: s.link,
  }));
  const out = {
    source: report.source,
    stories,
    layout: report.layout,
    lang: report.lang,
    timezone: report.timezone,
    timezoneAssumed: report.timezoneAssumed,
    warnings: report.warnings,
    yaml: { text: entryYaml(report.entry), entry: report.entry },
    ...(articles === null ? {} : { fullText: previewJson(articles) }),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Run `wirefeed try`; returns the exit code. */
export async function tryCommand(argv: string[], io: TryIo): Promise<number> {
  const opts = readOptions(argv);
  if (opts === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if ('error' in opts) {
    io.stderr(`wirefeed try: ${opts.error}\n${USAGE}`);
    return 2;
  }
  let report: TryReport;
  try {
    report = await tryPage(opts, io.now());
  } catch (err) {
    // A page that cannot be had is the answer to "try"; anything else is a bug and goes up.
    if (!(err instanceof FetchError)) throw err;
    io.stderr(`wirefeed try: ${describeError(err)}\n`);
    return 1;
  }
  if (report.stories.length === 0) {
    // Every parse without stories says 'no stories found'; the line says it already.
    const why = report.warnings.filter((w) => w !== 'no stories found');
    const reason = why.length === 0 ? 'no line reads as a headline, a dateline lead or an age' : why.join('; ');
    io.stderr(`wirefeed try: no stories in ${report.source}: ${reason}\n`);
    return 1;
  }
  const articles = opts.fullText ? await previewArticles(report.stories, opts.target.kind === 'url' ? opts.target.url : pathToFileURL(opts.target.path).href, await tryContext(io.now())) : null;
  if (opts.format === 'json') io.stdout(toJson(report, articles));
  else io.stdout(toTable(report) + (articles === null ? '' : `\n${previewText(articles)}`));
  return 0;
}
