/**
 * Fuzzing the renderer's invariant: whatever text the entries carry (any plane, control
 * characters, surrogate halves, markup, CDATA ends, lookalikes of the renderer's own text tokens),
 * Atom and RSS are well-formed XML and JSON Feed parses, with the text intact minus what XML forbids.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryView, FeedView } from '../src/model.js';
import { renderFeed } from '../src/render/index.js';
import { escapeText, paragraphsHtml, paragraphsXml } from '../src/render/text.js';
import { parseWithFeedparser } from './clients/feedparser.js';
import { wellFormedErrors } from './clients/xml.js';
import { seeded } from './helpers/random.js';

const CASES = 300;


/** Pieces a string is made of, each drawn with equal weight. */
const PIECES: ((r: () => number) => string)[] = [
  (r) => String.fromCharCode(0x20 + Math.floor(r() * 95)), // printable ASCII
  (r) => ['&', '<', '>', '"', "'", ']]>', '&amp;', '<![CDATA[', '&#0;', '<script>alert(1)</script>'][Math.floor(r() * 10)]!,
  (r) => String.fromCharCode(Math.floor(r() * 0x20)), // C0 controls, tab/LF/CR included
  (r) => String.fromCharCode(0x7f + Math.floor(r() * 0x21)), // DEL and C1 controls
  (r) => ['\uFFFE', '\uFFFF', '\uFEFF', '\u2028', '\u200F', '\u0645\u0631\u062D\u0628\u0627', '\u05E9\u05DC\u05D5\u05DD'][Math.floor(r() * 7)]!,
  (r) => String.fromCharCode(0xd800 + Math.floor(r() * 0x800)), // a lone surrogate half
  (r) => String.fromCharCode(0xa0 + Math.floor(r() * (0xd800 - 0xa0))), // BMP below surrogates
  (r) => String.fromCodePoint(0x10000 + Math.floor(r() * 0x100000)), // planes 1–16
  (r) => ['\u0001', '\u0002', `\u0001${Math.floor(r() * 10)}\u0002`, '\uE000', `\uE000${Math.floor(r() * 10)}\uE001`][Math.floor(r() * 5)]!, // token lookalikes, now and before
];

/** Leading and trailing characters that Python's str.isspace() accepts (controls are gone already). */
const PY_SPACE_EDGES = /^[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+|[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+$/g;

function randomString(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)]!(r);
  return s;
}

/**
 * What the renderer promises to keep of `s`: all but the control characters (C0 other than tab,
 * LF and CR; DEL and C1), U+FFFE, U+FFFF and lone surrogate halves. Written out here rather than
 * imported, so the test does not check the code with itself.
 */
function xmlChars(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

function randomView(seed: number): FeedView {
  const r = seeded(seed);
  const entries: EntryView[] = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => ({
    id: `urn:uuid:00000000-0000-4000-8000-${String(seed * 10 + i).padStart(12, '0')}`,
    title: randomString(r, 40),
    link: `https://example.org/${seed}/${i}`,
    published: new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 1e10)),
    updated: new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 1e10)),
    author: randomString(r, 10),
    category: r() < 0.3 ? null : randomString(r, 10),
    body: Array.from({ length: Math.floor(r() * 4) }, () => randomString(r, 80)),
    summary: randomString(r, 40),
  }));
  return {
    id: `fuzz-${seed}`,
    title: randomString(r, 20),
    language: randomString(r, 5),
    alternateUrl: `https://example.org/${seed}`,
    baseUrl: 'http://127.0.0.1:8080',
    updated: new Date(Date.UTC(2026, 0, 2)),
    hub: r() < 0.5 ? null : 'https://hub.example.org/',
    entries,
  };
}

const views = Array.from({ length: CASES }, (_, i) => randomView(i + 1));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirefeed-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`${CASES} seeded random feeds`, () => {
  it('render as well-formed Atom and RSS (fast-xml-parser and xmllint)', async () => {
    const files: string[] = [];
    for (const view of views) {
      for (const format of ['atom', 'rss'] as const) {
        const xml = renderFeed(view, format);
        expect(XMLValidator.validate(xml), `${view.id}.${format}`).toBe(true);
        const file = join(dir, `${view.id}.${format}`);
        await writeFile(file, xml);
        files.push(file);
      }
    }
    expect(await wellFormedErrors(files)).toEqual([]);
  });

  it('render as JSON Feed that parses back to the cleaned text', () => {
    for (const view of views) {
      const feed = JSON.parse(renderFeed(view, 'json')) as { title: string; items: { id: string; title: string; summary: string }[] };
      expect(feed.title).toBe(xmlChars(view.title));
      expect(feed.items.map((i) => [i.id, i.title, i.summary])).toEqual(view.entries.map((e) => [e.id, xmlChars(e.title), xmlChars(e.summary)]));
    }
  });

  it('keep every title exact for feedparser, minus control characters', async () => {
    // One Atom feed holding every random entry: one feedparser run instead of 300.
    const all: FeedView = { ...views[0]!, entries: views.flatMap((v) => v.entries) };
    const file = join(dir, 'all.atom');
    await writeFile(file, renderFeed(all, 'atom'));
    const parsed = await parseWithFeedparser(file);
    expect(parsed.bozo_exception).toBe(null);
    // feedparser strips the whitespace around a title (Python's str.strip()), so compare without it.
    const strip = (t: string) => t.replace(PY_SPACE_EDGES, '');
    expect(parsed.entries.map((e) => e.title)).toEqual(all.entries.map((e) => strip(xmlChars(e.title))));
  });

  it('escape body paragraphs for XML in one pass exactly as escaping their HTML would', () => {
    const r = seeded(23);
    for (let i = 0; i < CASES; i++) {
      const paragraphs = Array.from({ length: 1 + Math.floor(r() * 3) }, () => randomString(r, 40));
      expect(paragraphsXml(paragraphs)).toBe(escapeText(paragraphsHtml(paragraphs)));
    }
  });
});
