/**
 * An article page (one story, not a list): its `<h1>`, its paragraphs from the dateline lead on,
 * and what its metadata says — JSON-LD `NewsArticle` (headline, datePublished, author, image),
 * Open Graph and `article:published_time`, `<time datetime>`, `<link rel="canonical">`.
 * Navigation, related-story lists, scripts and JSON blobs are never part of the story.
 */
import type { AnyNode, Document, Element } from 'domhandler';
import type { ExtractedItem } from '../model.js';
import type { Steps } from '../steps.js';
import { type Attribs, DROP, imageUrl, isHidden, NODES_PER_STEP, parseDatetime, resolveLink } from './dom.js';
import { joinedLineSteps } from './html.js';

/** schema.org types of one article (https://schema.org/Article and its news subtypes). */
const ARTICLE_TYPES = new Set([
  'Article', 'NewsArticle', 'ReportageNewsArticle', 'AnalysisNewsArticle', 'BackgroundNewsArticle', 'OpinionNewsArticle',
  'ReviewNewsArticle', 'AskPublicNewsArticle', 'BlogPosting', 'LiveBlogPosting', 'Report',
]);

/**
 * A JSON-LD block bigger than this is no article's metadata, and no more than twice this much is
 * parsed per page: JSON.parse runs in one go and would hold the event loop.
 */
const MAX_JSON_LD = 256 * 1024;
/** A paragraph whose text is mostly link text is a teaser of another story, not this one's text. */
const LINK_SHARE = 0.5;
/** Paragraphs that are page furniture by their class: bylines, time stamps, captions, share bars. */
const FURNITURE_CLASS = /(?:^|[\s_-])(?:byline|author|timestamp|date|meta|credit|caption|share|related|promo|newsletter|ad|advert)(?:$|[\s_-])/i;
/** Containers a story's own paragraphs never sit in. */
const NOT_STORY = new Set(['figure', 'figcaption', 'ul', 'ol', 'table', 'blockquote']);

interface LdArticle {
  headline: string | null;
  datePublished: string | null;
  author: string | null;
  image: string | null;
  url: string | null;
}

/** What one walk over the page gathers. */
interface Found {
  meta: Map<string, string>;
  canonical: string | null;
  jsonLd: string[];
  h1: Element[];
  times: Element[];
}

function attr(el: Element, name: string): string {
  return (el.attribs as Attribs)[name] ?? '';
}

/** A script's text (its only child). */
function scriptText(node: Element): string {
  const first = node.children[0];
  return first?.type === 'text' ? first.data : '';
}

/** Meta tags, canonical link, JSON-LD, `<h1>`s and `<time>`s outside page chrome; a step per few thousand nodes. */
function* gather(root: Document): Steps<Found> {
  const found: Found = { meta: new Map(), canonical: null, jsonLd: [], h1: [], times: [] };
  // Depth in chrome counted on the stack: an element is pushed with whether it lies in chrome.
  const stack: [AnyNode, boolean][] = root.children.map((n): [AnyNode, boolean] => [n, false]).reverse();
  let visited = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    const [node, inChrome] = item;
    if (node.type === 'script') {
      if (attr(node, 'type').toLowerCase() === 'application/ld+json') found.jsonLd.push(scriptText(node));
      continue;
    }
    if (node.type !== 'tag') continue;
    const name = node.name;
    if (name === 'meta') {
      const key = (attr(node, 'property') || attr(node, 'name') || attr(node, 'itemprop')).toLowerCase();
      if (key !== '' && !found.meta.has(key)) found.meta.set(key, attr(node, 'content'));
    } else if (name === 'link' && /(?:^|\s)canonical(?:\s|$)/i.test(attr(node, 'rel'))) {
      found.canonical ??= attr(node, 'href');
    }
    // <head> is chrome for the lines, but it holds the metadata: only page chrome proper counts here.
    const chrome = inChrome || (name !== 'head' && name !== 'header' && DROP.has(name)) || isHidden(node.attribs);
    if (!chrome && name === 'h1') found.h1.push(node);
    if (!chrome && name === 'time' && attr(node, 'datetime') !== '') found.times.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i] as AnyNode, chrome]);
  }
  return found;
}

function asText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A JSON-LD person or list of them (`"author": [{"@type": "Person", "name": …}]`) as names. */
function names(value: unknown): string | null {
  const list = Array.isArray(value) ? value : [value];
  const out = list.map((v) => asText(v) ?? (typeof v === 'object' && v !== null ? asText((v as Record<string, unknown>).name) : null));
  const kept = out.filter((n): n is string => n !== null);
  return kept.length > 0 ? kept.join(', ') : null;
}

/** A JSON-LD image: a URL, an ImageObject, or a list of either; the first. */
function firstImage(value: unknown): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return asText(v) ?? (typeof v === 'object' && v !== null ? asText((v as Record<string, unknown>).url) : null);
}

function isArticleType(type: unknown): boolean {
  return (Array.isArray(type) ? type : [type]).some((t) => typeof t === 'string' && ARTICLE_TYPES.has(t));
}

/**
 * Whether the page's metadata says it is one article: a JSON-LD article type, `og:type`
 * article, or `article:published_time`. Cheap, from the streamed head: only then is the page's
 * DOM built to read the article.
 */
export function saysArticle(meta: ReadonlyMap<string, string>, jsonLd: readonly string[]): boolean {
  return (meta.get('og:type') ?? '').toLowerCase() === 'article' || meta.has('article:published_time') || ldArticle(jsonLd) !== null;
}

/** The first article object in the page's JSON-LD blocks (top level, a list, or a `@graph`). */
function ldArticle(blocks: readonly string[]): LdArticle | null {
  let budget = 2 * MAX_JSON_LD;
  for (const block of blocks) {
    if (block.length > MAX_JSON_LD) continue;
    budget -= block.length;
    if (budget < 0) break;
    let data: unknown;
    try {
      data = JSON.parse(block);
    } catch {
      // Broken JSON-LD says nothing about the page: the article is read from its HTML alone.
      continue;
    }
    const candidates = Array.isArray(data) ? data : [data];
    const graph = candidates.flatMap((c) => (typeof c === 'object' && c !== null && Array.isArray((c as Record<string, unknown>)['@graph']) ? ((c as Record<string, unknown>)['@graph'] as unknown[]) : []));
    for (const c of [...candidates, ...graph]) {
      if (typeof c !== 'object' || c === null) continue;
      const o = c as Record<string, unknown>;
      if (!isArticleType(o['@type'])) continue;
      const main = o.mainEntityOfPage;
      return {
        headline: asText(o.headline),
        datePublished: asText(o.datePublished),
        author: names(o.author),
        image: firstImage(o.image),
        url: asText(o.url) ?? asText(main) ?? (typeof main === 'object' && main !== null ? asText((main as Record<string, unknown>)['@id']) : null),
      };
    }
  }
  return null;
}

/** The element the story's text is in: the `<article>` or `<main>` around the headline, else the page body. */
function storyRoot(h1: Element | undefined, root: Document): AnyNode {
  for (let node = h1?.parent ?? null; node !== null; node = node.parent) {
    if (node.type === 'tag' && (node.name === 'article' || node.name === 'main' || attr(node, 'itemprop') === 'articleBody')) return node;
  }
  return root;
}

/** The share of a node's text that lies inside links; one pass, the link state carried down. */
function* linkShareSteps(node: AnyNode): Steps<number> {
  let all = 0;
  let linked = 0;
  const stack: [AnyNode, boolean][] = [[node, false]];
  let visited = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    const [n, inLink] = item;
    if (n.type === 'text') {
      const len = n.data.trim().length;
      all += len;
      if (inLink) linked += len;
    } else if (n.type === 'tag') {
      for (const c of n.children) stack.push([c, inLink || n.name === 'a']);
    }
  }
  return all === 0 ? 1 : linked / all;
}

/**
 * The story's paragraphs: `<p>`s under its root, in order, that are not in chrome, a figure, a
 * list or a nested `<article>` (related stories), not furniture by their class, and not mostly links.
 */
function* paragraphSteps(storyRootNode: AnyNode): Steps<string[]> {
  const paragraphs: string[] = [];
  const stack: AnyNode[] = 'children' in storyRootNode ? [...storyRootNode.children].reverse() : [];
  let visited = 0;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    if (node.type !== 'tag') continue;
    const name = node.name;
    if ((DROP.has(name) && name !== 'header') || NOT_STORY.has(name) || name === 'article' || isHidden(node.attribs)) continue;
    if (FURNITURE_CLASS.test(attr(node, 'class'))) continue;
    if (name === 'p') {
      if ((yield* linkShareSteps(node)) >= LINK_SHARE) continue;
      const text = yield* joinedLineSteps([node]);
      if (text !== null) paragraphs.push(text);
      continue;
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
  return paragraphs;
}

/**
 * The page as one story when its metadata says it is one article (a JSON-LD article type,
 * `og:type` article, or `article:published_time`) and it has a headline and text; else null.
 * Dated by JSON-LD `datePublished`, else `article:published_time`, else the first `<time datetime>`
 * of the story (only values that name their offset: see parseDatetime).
 */
export function* articleSteps(root: Document, base: string): Steps<ExtractedItem | null> {
  const found = yield* gather(root);
  const ld = ldArticle(found.jsonLd);
  const ogArticle = (found.meta.get('og:type') ?? '').toLowerCase() === 'article';
  if (ld === null && !ogArticle && !found.meta.has('article:published_time')) return null;
  // A site's logo is often an <h1> too: the one inside the article or main content is the headline.
  const h1 = found.h1.find((h) => storyRoot(h, root) !== root) ?? found.h1[0];
  const headline = (h1 ? yield* joinedLineSteps([h1]) : null) ?? ld?.headline ?? null;
  const storyRootNode = storyRoot(h1, root);
  const body = yield* paragraphSteps(storyRootNode);
  if (headline === null || body.length === 0) return null;
  const time = found.times.find((t) => storyRootNode === root || isInside(t, storyRootNode)) ?? found.times[0];
  const datetime =
    parseDatetime(ld?.datePublished ?? undefined) ??
    parseDatetime(found.meta.get('article:published_time')) ??
    (time ? parseDatetime(attr(time, 'datetime')) : null);
  const metaAuthor = found.meta.get('author') ?? found.meta.get('article:author') ?? null;
  // `article:author` is often the author's profile URL, which names no one.
  const author = ld?.author ?? (metaAuthor !== null && !/^https?:\/\//i.test(metaAuthor.trim()) ? asText(metaAuthor) : null);
  const image = resolveLink(ld?.image ?? found.meta.get('og:image'), base) ?? (yield* firstImageSteps(storyRootNode, base));
  const link = resolveLink(found.canonical ?? found.meta.get('og:url') ?? ld?.url ?? base, base);
  return { headline, body, ageText: null, link, datetime, author, image };
}

function isInside(node: AnyNode, ancestor: AnyNode): boolean {
  for (let n = node.parent; n !== null; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** The first picture of the story's root, outside chrome; the chrome state carried down the walk. */
function* firstImageSteps(node: AnyNode, base: string): Steps<string | null> {
  const stack: [AnyNode, boolean][] = [[node, false]];
  let visited = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++visited % NODES_PER_STEP === 0) yield;
    const [n, inChrome] = item;
    if (n.type !== 'tag') continue;
    const chrome = inChrome || (n !== node && DROP.has(n.name));
    if (n.name === 'img' && !chrome) {
      const url = imageUrl(n.attribs, base);
      if (url !== null) return url;
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i] as AnyNode, chrome]);
  }
  return null;
}
