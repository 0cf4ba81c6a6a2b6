/**
 * The one schema of `wirefeed.yaml`. Types are derived from it (z.infer), the editor schema
 * `config/wirefeed.schema.json` is generated from it (./jsonschema.ts), and its messages are the
 * ones users read: keep them short, human and exact (tests/config.test.ts asserts them).
 *
 * Checks that span keys (one of url/path/dir, unique ids, feed → source references) are
 * refinements that run even when other parts already failed (`when: always`), so that every
 * problem is reported at once. They therefore read their input defensively, as `unknown`.
 */
import cron from 'node-cron';
import { z } from 'zod';
import { closest } from './suggest.js';

export const DEFAULT_SCHEDULE = '*/5 * * * *';
const ID_PATTERN = /^[a-z0-9-]+$/;
const TOKEN_MIN = 16;

/** Runs a refinement even after earlier issues, so cross-key problems join the others. */
const always = { when: () => true };

const id = () =>
  z
    .string()
    .regex(ID_PATTERN, { error: 'expected [a-z0-9-]+' })
    .describe('Lower-case letters, digits and dashes; unique across sources and feeds; the feed URL is /feeds/<id>.atom');

const httpUrl = () => z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const text = () => z.string().min(1);

const token = () =>
  z
    .string()
    .min(TOKEN_MIN, { error: `a token needs at least ${TOKEN_MIN} characters` })
    // It travels in `?token=`: characters that need no escaping in a URL (RFC 3986 unreserved).
    .regex(/^[A-Za-z0-9._~-]*$/, { error: 'a token may only have letters, digits and . _ ~ -' })
    .describe('Makes the feed private: readers must send ?token=… or Authorization: Bearer …');

/**
 * Answers per distinct value: a config names a handful of zones and schedules across many
 * sources, and building an Intl.DateTimeFormat or parsing a cron expression per source was a
 * third of loading a 100-source config.
 */
function remembered(test: (value: string) => boolean): (value: string) => boolean {
  const known = new Map<string, boolean>();
  return (value) => {
    let ok = known.get(value);
    if (ok === undefined) {
      ok = test(value);
      known.set(value, ok);
    }
    return ok;
  };
}

const isTimeZone = remembered((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
});

/**
 * Inclusive value ranges of the cron fields, seconds first (node-cron takes 5 or 6 fields).
 * node-cron 4's validate() accepts a step larger than its field (`*\/61` silently means
 * "minute 0"), a surprise we refuse.
 */
const CRON_FIELD_SPAN = [59, 59, 23, 30, 11, 7];

const isCron = remembered((expr) => {
  if (!cron.validate(expr)) return false;
  const fields = expr.trim().split(/\s+/);
  const spans = CRON_FIELD_SPAN.slice(6 - fields.length);
  return fields.every((field, i) =>
    field.split(',').every((part) => {
      const step = /\/(\d+)$/.exec(part);
      return step === null || Number(step[1]) <= (spans[i] ?? 0);
    }),
  );
});

const timeZone = () => z.string().refine(isTimeZone, { error: (iss) => `unknown time zone ${JSON.stringify(iss.input)}` });
const cronExpr = () =>
  z.string().refine(isCron, { error: (iss) => `invalid cron expression ${JSON.stringify(iss.input)}` });

/** How a source gets its bytes; exactly one of these keys is set. */
export const SOURCE_KINDS = ['url', 'path', 'dir'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

const selectorsSchema = z
  .strictObject({
    item: text().describe('CSS selector of one story; the others are looked up inside it'),
    headline: text().optional(),
    body: text().optional().describe('Paragraphs of the body (every match is one paragraph)'),
    age: text().optional().describe('Age text such as "4 minuten geleden"'),
    link: text().optional().describe("An <a>; its href is resolved against the page URL"),
    time: text().optional().describe('A <time datetime>; beats the age text'),
  })
  .describe('CSS selectors that cut stories out of an HTML page (format html or auto only)');

type Ctx = z.core.$RefinementCtx<unknown>;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** One of url/path/dir; schedule only where there is something to poll; selectors only on HTML. */
function checkSource(value: unknown, ctx: Ctx): void {
  const present = SOURCE_KINDS.filter((k) => field(value, k) !== undefined);
  if (present.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'a source needs one of url, path or dir' });
  for (const extra of present.slice(1)) {
    ctx.addIssue({ code: 'custom', path: [extra], message: `url, path and dir exclude each other (${present[0]} is set too)` });
  }
  if (field(value, 'schedule') !== undefined && present.length > 0 && !present.includes('url')) {
    ctx.addIssue({ code: 'custom', path: ['schedule'], message: `schedule only applies to url sources (this one has ${present[0]})` });
  }
  if (field(value, 'selectors') !== undefined && field(value, 'format') === 'text') {
    ctx.addIssue({ code: 'custom', path: ['selectors'], message: 'selectors need format html or auto (format is text)' });
  }
}

/** Articles fetched after one poll when `fullText: true`. */
const DEFAULT_FULL_TEXT_PER_POLL = 10;

const sourceSchema = z
  .strictObject({
    id: id(),
    title: text(),
    url: httpUrl().optional().describe('Page fetched on the schedule'),
    path: text().optional().describe('A file, watched (relative to this config file)'),
    dir: text().optional().describe('A spool directory: every file in it is ingested, watched (relative to this config file)'),
    format: z.enum(['auto', 'text', 'html']).default('auto'),
    lang: z.enum(['auto', 'nl', 'en', 'de', 'fr']).default('auto').describe('Language of the age words ("4 minuten geleden")'),
    timezone: timeZone().default('Europe/Amsterdam').describe('IANA zone the page writes its clock times and "yesterday" in'),
    schedule: cronExpr()
      .optional()
      .meta({ default: DEFAULT_SCHEDULE, description: 'Cron expression (url sources only); quote it in YAML' }),
    keep: z.int().min(1).default(1000).describe('Stories kept for this source'),
    maxStoriesPerPage: z
      .int()
      .min(1)
      .default(1000)
      .describe('Stories taken from one page, from its top; more are dropped with a warning (a page that lists more is broken or hostile)'),
    maxAgeDays: z.number().positive().default(30).describe('Stories older than this are dropped (unless still on the page)'),
    selectors: selectorsSchema.optional(),
    token: token().optional(),
    allowPrivateRedirects: z
      .boolean()
      .default(false)
      .describe('Follow redirects to loopback, private or other special-purpose addresses (the source URL itself may be on any address)'),
    link: httpUrl().optional().describe('The human page of this source; defaults to url'),
    fullText: z
      .union([
        z.boolean(),
        z.strictObject({
          maxPerPoll: z.int().min(1).max(100).default(DEFAULT_FULL_TEXT_PER_POLL).describe('Articles fetched after one poll'),
          selector: text().optional().describe('CSS selector of the article on its page, when readability picks the wrong part'),
        }),
      ])
      .default(false)
      .describe("Fetch each new story's own article after ingest and put it in the feeds"),
  })
  .superRefine(checkSource, always)
  .transform((s) => ({
    ...s,
    kind: SOURCE_KINDS.find((k) => s[k] !== undefined) ?? 'url',
    schedule: s.schedule ?? DEFAULT_SCHEDULE,
    link: s.link ?? s.url,
    fullText: s.fullText === false ? null : s.fullText === true ? { maxPerPoll: DEFAULT_FULL_TEXT_PER_POLL } : s.fullText,
  }));

const feedSchema = z.strictObject({
  id: id(),
  title: text(),
  sources: z.array(z.string()).min(1).describe('Ids of the sources this feed combines'),
  include: z.array(text()).optional().describe('Keep stories whose headline or body contains one of these'),
  exclude: z.array(text()).optional().describe('Drop stories whose headline or body contains one of these'),
  limit: z.int().min(1).max(500).default(100),
  token: token().optional(),
});

const serverSchema = z
  .strictObject({
    host: text().default('127.0.0.1').describe('Address to listen on; 0.0.0.0 or :: exposes wirefeed to the network'),
    port: z.int().min(0).max(65535).default(8080),
    baseUrl: httpUrl().optional().describe('Public URL of this wirefeed, for self links; default http://<host>:<port>'),
    websubHub: httpUrl().optional().describe('WebSub hub to announce and notify'),
    maxConnections: z.int().min(1).default(1000),
    feedCacheMb: z.int().min(0).default(16).describe('Memory for rendered feeds, in MB; the least recently read are rendered again when asked for'),
  })
  .transform((s) => ({
    ...s,
    // FeedView.baseUrl is "without trailing slash"; an IPv6 host needs brackets in a URL.
    baseUrl: (s.baseUrl ?? `http://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`).replace(/\/+$/, ''),
  }));

const httpSchema = z.strictObject({
  connectTimeoutMs: z.int().min(1).default(15000),
  headersTimeoutMs: z.int().min(1).default(15000),
  bodyTimeoutMs: z.int().min(1).default(15000),
  maxBytes: z.int().min(1).default(5 * 1024 * 1024),
  maxRedirects: z.int().min(0).default(5),
  maxConcurrent: z.int().min(1).max(1000).default(8).describe('url sources fetched at once; the others wait their turn'),
});

type Site = { id: string; path: string };

function idsOf(list: unknown, prefix: string): Site[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i) => {
    const value = field(item, 'id');
    return typeof value === 'string' ? [{ id: value, path: `${prefix}[${i}].id` }] : [];
  });
}

/** Ids unique across sources and feeds (they share /feeds/<id>); feeds name existing sources. */
function checkRoot(value: unknown, ctx: Ctx): void {
  const sources = idsOf(field(value, 'sources'), 'sources');
  const seen = new Map<string, string>();
  for (const site of [...sources, ...idsOf(field(value, 'feeds'), 'feeds')]) {
    const first = seen.get(site.id);
    if (first === undefined) seen.set(site.id, site.path);
    else ctx.addIssue({ code: 'custom', path: pathOf(site.path), message: `duplicate id "${site.id}" (also ${first})` });
  }
  const sourceIds = sources.map((s) => s.id);
  const feeds = field(value, 'feeds');
  if (!Array.isArray(feeds)) return;
  feeds.forEach((feed, f) => {
    const refs = field(feed, 'sources');
    if (!Array.isArray(refs)) return;
    refs.forEach((ref, r) => {
      if (typeof ref !== 'string') return;
      const at = ['feeds', f, 'sources', r];
      const earlier = refs.indexOf(ref);
      if (earlier !== r) {
        ctx.addIssue({ code: 'custom', path: at, message: `source "${ref}" listed twice (also feeds[${f}].sources[${earlier}])` });
      } else if (!sourceIds.includes(ref)) {
        const near = closest(ref, sourceIds);
        ctx.addIssue({ code: 'custom', path: at, message: `unknown source "${ref}"${near ? ` (did you mean "${near}"?)` : ''}` });
      }
    });
  });
}

/** `sources[1].id` → ['sources', 1, 'id'] (only the shapes idsOf makes). */
function pathOf(dotted: string): (string | number)[] {
  return dotted.split(/[.[\]]+/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export const configSchema = z
  .strictObject({
    server: serverSchema.prefault({}),
    state: z
      .strictObject({
        dir: text().default('./state').describe('State directory (relative to this config file); $STATE_DIRECTORY wins when set'),
        url: text()
          .regex(/^postgres(ql)?:\/\//, { error: 'a postgres:// or postgresql:// URL' })
          .optional()
          .describe('A PostgreSQL database for the state instead of state.dir (several instances share it); $DATABASE_URL wins when set'),
      })
      .prefault({}),
    http: httpSchema.prefault({}).describe('Limits for fetching url sources'),
    sources: z.array(sourceSchema).min(1),
    feeds: z.array(feedSchema).default([]).describe('Combined feeds, besides the one every source has'),
  })
  .superRefine(checkRoot, always);

/** The validated config, defaults filled in. */
export type Config = z.infer<typeof configSchema>;
export type SourceConfig = Config['sources'][number];
export type FeedConfig = Config['feeds'][number];
export type ServerConfig = Config['server'];
export type HttpConfig = Config['http'];
