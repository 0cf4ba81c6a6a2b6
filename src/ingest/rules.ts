/**
 * The rules a page's story is written by (see the top of index.ts): a new story made, a held one
 * merged — body, headline, publication interval, sources, byline and image.
 */
import type { StoryKeys } from '../identity/index.js';
import type { DatedStory, StoredStory } from '../model.js';
import type { IngestOptions } from './index.js';

const iso = (d: Date): string => d.toISOString();
function squash(body: readonly string[]): string {
  return body.join(' ').replace(/\s+/g, ' ').trim();
}

/** True when `part` is the beginning of `whole` (a lead-only listing of a longer story). */
export function isBeginningOf(part: readonly string[], whole: readonly string[]): boolean {
  const a = squash(part);
  const b = squash(whole);
  return a.length > 0 && a.length < b.length && b.startsWith(a);
}

export function newStory(d: DatedStory, keys: StoryKeys, hash: string, opts: IngestOptions, id: string): StoredStory {
  const at = iso(opts.at);
  return {
    id,
    keys: [keys.storyKey],
    leadKey: keys.leadKey,
    sources: [opts.sourceId],
    headline: d.headline,
    headlineDerived: d.headlineDerived,
    place: d.place,
    agencies: [...d.agencies],
    section: d.section,
    body: [...d.body],
    bodyHash: hash,
    link: d.link,
    author: d.author,
    image: d.image,
    lang: opts.lang,
    firstSeen: at,
    lastSeen: at,
    publishedEarliest: d.publishedEarliest === null ? null : iso(d.publishedEarliest),
    publishedLatest: iso(d.publishedLatest),
    updated: at,
  };
}

/** Narrow the held interval to its intersection with the new one; 'disjoint' keeps the held one. */
export function narrow(held: StoredStory, d: DatedStory): 'same' | 'narrowed' | 'disjoint' {
  const oldE = held.publishedEarliest === null ? -Infinity : Date.parse(held.publishedEarliest);
  const oldL = Date.parse(held.publishedLatest);
  const newE = d.publishedEarliest === null ? -Infinity : d.publishedEarliest.getTime();
  const newL = d.publishedLatest.getTime();
  const e = Math.max(oldE, newE);
  const l = Math.min(oldL, newL);
  if (e > l) return 'disjoint';
  if (e === oldE && l === oldL) return 'same';
  held.publishedEarliest = e === -Infinity ? null : new Date(e).toISOString();
  held.publishedLatest = new Date(l).toISOString();
  return 'narrowed';
}

/** Merge one dated story into a held one (in place); returns whether the body/headline changed and whether feeds see a change. */
export function merge(
  held: StoredStory,
  d: DatedStory,
  keys: StoryKeys,
  hash: () => string,
  opts: IngestOptions & { atIso: string },
  warnings: string[],
  repeat: boolean,
): { updated: boolean; visible: boolean; quiet: boolean } {
  let updated = false;
  let visible = false;
  // A change no feed shows, beyond lastSeen: the row is written whole, not only its lastSeen.
  let quiet = false;
  const at = opts.atIso;

  if (!held.keys.includes(keys.storyKey)) {
    held.keys = [...held.keys, keys.storyKey];
    visible = true;
  }
  if (held.leadKey === null && keys.leadKey !== null) {
    held.leadKey = keys.leadKey;
    visible = true;
  }

  if (!repeat && !d.headlineDerived && d.headline !== held.headline) {
    // A real headline beats a derived one; a changed real headline is an edit.
    if (!held.headlineDerived) updated = true;
    held.headline = d.headline;
    held.headlineDerived = false;
    visible = true;
  }

  if (!repeat && d.body.length > 0) {
    const h = hash();
    if (h !== held.bodyHash && !isBeginningOf(d.body, held.body)) {
      held.body = [...d.body];
      held.bodyHash = h;
      updated = true;
      visible = true;
    }
  }

  if (held.place === null && d.place !== null) {
    held.place = d.place;
    quiet = true;
  }
  if (held.agencies.length === 0 && d.agencies.length > 0) {
    held.agencies = [...d.agencies];
    quiet = true;
  }
  if (held.section === null && d.section !== null) {
    held.section = d.section;
    quiet = true;
  }
  if (held.link === null && d.link !== null) {
    held.link = d.link;
    visible = true;
  }
  for (const field of ['author', 'image'] as const) {
    const value = d[field];
    if (value !== null && value !== held[field]) {
      held[field] = value;
      visible = true;
    }
  }
  if (!held.sources.includes(opts.sourceId)) {
    held.sources = [...held.sources, opts.sourceId];
    visible = true;
  }

  const latest = held.publishedLatest;
  const dated = narrow(held, d);
  // Feeds show an interval's latest moment only (select: published = publishedLatest). A story
  // seen again later mostly narrows the earliest bound: stored, but not a change feeds show, or
  // every poll (and every restart) of a live page would announce unchanged feeds to the hub.
  if (dated === 'narrowed') {
    if (held.publishedLatest !== latest) visible = true;
    else quiet = true;
  }
  if (dated === 'disjoint') {
    warnings.push(
      `store: story ${held.id} ("${held.headline.slice(0, 60)}") on ${opts.sourceId}: age ${d.ageText ?? '(none)'} ` +
        `does not fit the held interval ${held.publishedEarliest ?? '…'} – ${held.publishedLatest}; kept the held one`,
    );
  }

  if (updated) held.updated = at;
  held.lastSeen = at;
  return { updated, visible, quiet };
}

/**
 * Put one fetch's stories into the store, in one transaction with `opts.source` and what
 * `opts.retention` lets go. Idempotent: the same stories at the same time change nothing.
 */
