/**
 * Rows and text as PostgreSQL holds them: a row → a story or a source's bookkeeping. Text:
 * its text type cannot hold U+0000, which stories may carry: text columns hold it escaped (U+0000 → U+0001 '0', U+0001 → U+0001 U+0001), exact both ways and
 * keeping equality; JSON columns hold it as JSON's own `\u0000`.
 */
import type { Lang, SourceState } from '../model.js';
import { wellFormed, type ListedStory } from './index.js';
import type { SourceRow, StoryRow as Row } from './rows.js';

export type StoryRow = Row<boolean>;

/** Text as a text column holds it (see the top of this file). */
export function esc<T extends string | null>(t: T): T {
  return (t === null ? t : wellFormed(t).replace(/[\u0000\u0001]/g, (c) => (c === '\u0000' ? '\u00010' : '\u0001\u0001'))) as T;
}

export function unesc<T extends string | null>(t: T): T {
  return (t === null ? t : t.replace(/\u0001([\u00010])/g, (_, c: string) => (c === '0' ? '\u0000' : '\u0001'))) as T;
}

export function toStory(r: StoryRow): ListedStory {
  const sources = JSON.parse(r.sources) as string[];
  return {
    id: unesc(r.id),
    keys: JSON.parse(r.keys) as string[],
    leadKey: unesc(r.lead_key),
    sources,
    headline: unesc(r.headline),
    headlineDerived: r.headline_derived,
    place: unesc(r.place),
    agencies: JSON.parse(r.agencies) as string[],
    section: unesc(r.section),
    body: JSON.parse(r.body) as string[],
    bodyHash: unesc(r.body_hash),
    link: unesc(r.link),
    author: unesc(r.author),
    image: unesc(r.image),
    lang: unesc(r.lang) as Lang,
    firstSeen: unesc(r.first_seen),
    lastSeen: unesc(r.last_seen),
    publishedEarliest: unesc(r.published_earliest),
    publishedLatest: unesc(r.published_latest),
    updated: unesc(r.updated),
    origin: r.origin === null ? sources[0]! : unesc(r.origin),
    ...(r.full_text === null ? {} : { fullText: unesc(r.full_text) }),
  };
}

export function toSource(r: SourceRow): SourceState {
  return {
    etag: unesc(r.etag),
    lastModified: unesc(r.last_modified),
    lastAttempt: unesc(r.last_attempt),
    lastSuccess: unesc(r.last_success),
    lastError: unesc(r.last_error),
    consecutiveFailures: r.consecutive_failures,
    nextAttemptAfter: unesc(r.next_attempt_after),
    contentHash: unesc(r.content_hash),
    lastPageAt: unesc(r.last_page_at),
  };
}
