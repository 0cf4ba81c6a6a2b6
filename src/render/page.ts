/**
 * The HTML index page: one self-contained HTML5 document (inline CSS, no scripts, no external
 * assets) that lists every feed with its links, newest headlines and status, draws each source's
 * last 48 hours as an inline SVG, and announces every feed for autodiscovery with
 * <link rel="alternate"> in <head>. Times read relative to `generatedAt` ("12 min ago"), with
 * the exact time in the feed's zone on hover: the page is made without JavaScript.
 */
import type { FeedFormat } from '../model.js';
import type { Activity, FeedListing, Headline, HourFetches, IndexPage } from './index.js';
import { escapeAttr, escapeText } from './text.js';

/** Media type and label of each format, in the order the page lists them. */
const FORMATS: { format: FeedFormat; type: string; label: string }[] = [
  { format: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { format: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { format: 'json', type: 'application/feed+json', label: 'JSON Feed' },
];

const CSS = `
:root { color-scheme: light dark; --line: #8884; --muted: #777; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 50rem; padding: 1rem; font: 1rem/1.5 system-ui, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
.feed { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; }
.kind { font-size: .75rem; font-weight: normal; color: var(--muted); border: 1px solid var(--line); border-radius: 1rem; padding: 0 .5rem; vertical-align: middle; }
.links { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 .5rem; padding: 0; list-style: none; }
.links a { display: inline-block; padding: .35rem .75rem; border: 1px solid var(--line); border-radius: .35rem; text-decoration: none; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; font-size: .9rem; }
dt { color: var(--muted); }
dd { margin: 0; }
.error { color: #c33; }
footer, .muted { color: var(--muted); font-size: .85rem; }
.headlines { margin: 0 0 .5rem; padding-left: 1.25rem; }
.headlines li { margin: .15rem 0; }
.headlines time, dd time { color: var(--muted); font-size: .85rem; white-space: nowrap; }
figure { margin: .5rem 0; }
figcaption { color: var(--muted); font-size: .8rem; }
/* One height at every width: the bars stretch sideways (preserveAspectRatio none), the chart stays readable on a phone. */
.activity { display: block; width: 100%; height: 4rem; }
.activity .bar { fill: currentColor; opacity: .65; }
.activity .base, .activity .none { fill: var(--line); }
.activity .ok { fill: #2e9e4f; }
.activity .partial { fill: #e0a100; }
.activity .fail { fill: #d93a3a; }
.activity .hit { fill: #888; fill-opacity: 0; }
.activity g:hover .hit { fill-opacity: .2; }
.key { white-space: nowrap; }
.key::before { content: ""; display: inline-block; width: .7em; height: .7em; margin: 0 .25em 0 .5em; border-radius: 2px; background: var(--line); }
.key.ok::before { background: #2e9e4f; }
.key.partial::before { background: #e0a100; }
.key.fail::before { background: #d93a3a; }
`;

/** Headlines a card lists. */
const HEADLINES = 3;
const MINUTE_MS = 60_000;

/** "just now", "12 min ago", "5 h ago", "3 days ago". */
function ago(ms: number): string {
  // A moment after the render time (a clock ahead of ours) reads as now.
  const min = Math.floor(ms / MINUTE_MS);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Formatters per IANA zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, { exact: Intl.DateTimeFormat; hour: Intl.DateTimeFormat }>();

function formatterOf(timeZone: string) {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    const clock = { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
    f = {
      // "7 Dec 2026, 15:05 CET"
      exact: new Intl.DateTimeFormat('en-GB', { ...clock, day: 'numeric', month: 'short', year: 'numeric', timeZoneName: 'short' }),
      // "Mon 15:00"
      hour: new Intl.DateTimeFormat('en-GB', { ...clock, weekday: 'short' }),
    };
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * "Mon 15:00" for each of `n` hours from `from`: every source in one zone shares them, so they
 * are formatted once per zone and window, not once per chart (Intl formatting is most of a chart's cost).
 */
const hourLabels = new Map<string, { from: number; labels: string[] }>();

function hourLabelsOf(timeZone: string, from: number, n: number): string[] {
  const held = hourLabels.get(timeZone);
  if (held !== undefined && held.from === from && held.labels.length === n) return held.labels;
  const fmt = formatterOf(timeZone).hour;
  const labels = Array.from({ length: n }, (_, k) => fmt.format(new Date(from + k * 3_600_000)));
  hourLabels.set(timeZone, { from, labels });
  return labels;
}

/** `iso` without the milliseconds a stored timestamp carries when they are zero. */
function machineTime(iso: string): string {
  return new Date(iso).toISOString().replace('.000Z', 'Z');
}

/** A <time> that reads relative to `now` and shows the exact time in `timeZone` on hover. */
function relativeTime(iso: string, now: Date, timeZone: string): string {
  const exact = formatterOf(timeZone).exact.format(new Date(iso));
  return `<time datetime="${machineTime(iso)}" title="${escapeAttr(exact)}">${ago(now.getTime() - Date.parse(iso))}</time>`;
}

/** An <a> only for http(s): a javascript: URL from a config file must not become clickable. */
function link(url: string | null, text: string): string {
  return url !== null && /^https?:\/\//i.test(url) ? `<a href="${escapeAttr(url)}">${escapeText(text)}</a>` : escapeText(text);
}

function discovery(feed: FeedListing): string[] {
  return FORMATS.map(
    ({ format, type, label }) =>
      `<link rel="alternate" type="${type}" title="${escapeAttr(`${feed.title} (${label})`)}" href="${escapeAttr(feed.urls[format])}">`,
  );
}

function headlines(list: readonly Headline[], now: Date, timeZone: string): string[] {
  if (list.length === 0) return ['<p class="muted">No stories yet.</p>'];
  return [
    '<ol class="headlines">',
    ...list.slice(0, HEADLINES).map((h) => `<li>${link(h.link, h.title)} ${relativeTime(h.published, now, timeZone)}</li>`),
    '</ol>',
  ];
}

/** Chart geometry, in viewBox units: one 10-wide column per hour, bars above a strip of cells. */
const COL = 10;
const BARS_H = 40;
const STRIP_Y = 46;
const STRIP_H = 10;
const CHART_H = STRIP_Y + STRIP_H;

type FetchState = 'none' | 'ok' | 'partial' | 'fail';

function fetchState(f: HourFetches): FetchState {
  if (f.error === 0) return f.ok + f.notModified === 0 ? 'none' : 'ok';
  return f.ok + f.notModified === 0 ? 'fail' : 'partial';
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function fetchText(f: HourFetches | null): string {
  if (f === null) return 'fetches not recorded';
  if (f.ok + f.notModified + f.error === 0) return 'no fetch';
  return `fetches: ${f.ok} ok, ${f.notModified} not modified, ${f.error} failed`;
}

/**
 * Stories per hour as bars, fetch results per hour as a strip of cells (ok / partly failing /
 * failing / no fetch; none drawn before recording began), one <title> tooltip per hour.
 */
function chart(title: string, a: Activity, timeZone: string): string[] {
  const from = Date.parse(a.from);
  const hours = hourLabelsOf(timeZone, from, a.stories.length);
  const max = Math.max(1, ...a.stories);
  const total = { stories: 0, ok: 0, notModified: 0, error: 0 };
  const columns = a.stories.map((n, k) => {
    const f = a.fetches[k] ?? null;
    total.stories += n;
    if (f !== null) {
      total.ok += f.ok;
      total.notModified += f.notModified;
      total.error += f.error;
    }
    const x = k * COL;
    const h = n === 0 ? 0 : Math.max(2, Math.round((n / max) * BARS_H));
    const tip = `${hours[k] ?? ''}: ${count(n, 'story', 'stories')}; ${fetchText(f)}`;
    return [
      `<g><title>${escapeText(tip)}</title>`,
      // Invisible but painted, so the whole column shows the tooltip; invisible without the stylesheet too.
      `<rect class="hit" x="${x}" y="0" width="${COL}" height="${CHART_H}" fill-opacity="0"/>`,
      h > 0 ? `<rect class="bar" x="${x + 1}" y="${BARS_H - h}" width="${COL - 2}" height="${h}"/>` : '',
      f === null ? '' : `<rect class="${fetchState(f)}" x="${x + 1}" y="${STRIP_Y}" width="${COL - 2}" height="${STRIP_H}"/>`,
      '</g>',
    ].join('');
  });
  const width = a.stories.length * COL;
  const label = `${title}, last ${a.stories.length} hours: ${count(total.stories, 'new story', 'new stories')}; fetches: ${total.ok} ok, ${total.notModified} not modified, ${total.error} failed`;
  const recorded = Date.parse(a.recordedSince) > from ? ` Fetch results are kept in memory since the daemon started, ${formatterOf(timeZone).exact.format(new Date(a.recordedSince))}.` : '';
  return [
    '<figure>',
    `<svg class="activity" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${CHART_H}" preserveAspectRatio="none" width="100%" role="img" aria-label="${escapeAttr(label)}">`,
    `<rect class="base" x="0" y="${BARS_H}" width="${width}" height="1"/>`,
    ...columns,
    '</svg>',
    `<figcaption>New stories per hour and fetch results over the last ${a.stories.length} hours:` +
      '<span class="key ok">ok</span><span class="key partial">partly failing</span><span class="key fail">failing</span><span class="key none">no fetch</span>.' +
      `${escapeText(recorded)}</figcaption>`,
    '</figure>',
  ];
}

function card(feed: FeedListing, page: IndexPage): string {
  const { lastFetch, lastError, stories, timeZone, activity, fullText } = feed.status;
  const now = page.generatedAt;
  // A file source or a combined feed has no page of its own; a link back to this index is none.
  const home = feed.htmlUrl === `${page.baseUrl}/` ? null : feed.htmlUrl;
  return [
    `<section class="feed" data-feed="${escapeAttr(feed.id)}">`,
    `<h2>${link(home, feed.title)} <span class="kind">${feed.kind}</span></h2>`,
    '<ul class="links">',
    ...FORMATS.map(({ format, type, label }) => `<li><a href="${escapeAttr(feed.urls[format])}" type="${type}">${label}</a></li>`),
    '</ul>',
    ...headlines(feed.status.headlines, now, timeZone),
    ...(activity === null ? [] : chart(feed.title, activity, timeZone)),
    '<dl>',
    `<dt>Last fetch</dt><dd>${lastFetch === null ? 'never' : relativeTime(lastFetch, now, timeZone)}</dd>`,
    `<dt>Last error</dt><dd>${lastError === null ? 'none' : `<span class="error">${escapeText(lastError)}</span>`}</dd>`,
    `<dt>Stories</dt><dd>${stories}</dd>`,
    ...(fullText === null ? [] : [`<dt>Full text</dt><dd>${fullText.stored} of ${count(fullText.of, 'story', 'stories')}</dd>`]),
    '</dl>',
    '</section>',
  ].join('\n');
}

export function renderIndex(page: IndexPage): string {
  const opml = `${page.baseUrl}/feeds.opml`;
  const generated = page.generatedAt.toISOString();
  const generatedText = formatterOf('UTC').exact.format(page.generatedAt);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(page.title)}</title>`,
    ...page.feeds.flatMap(discovery),
    `<link rel="alternate" type="text/x-opml" title="All feeds (OPML)" href="${escapeAttr(opml)}">`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeText(page.title)}</h1>`,
    `<p class="muted">${page.feeds.length} ${page.feeds.length === 1 ? 'feed' : 'feeds'} · <a href="${escapeAttr(opml)}">all feeds as OPML</a></p>`,
    '</header>',
    '<main>',
    ...(page.feeds.length === 0 ? ['<p>No feeds configured.</p>'] : page.feeds.map((f) => card(f, page))),
    '</main>',
    `<footer>wirefeed ${escapeText(page.version)} · generated <time datetime="${machineTime(generated)}">${escapeText(generatedText)}</time></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
