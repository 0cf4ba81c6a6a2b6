/**
 * Retention per source: keep the newest `keep` stories listed under it and none older than
 * `maxAgeDays` — but never drop a story that is on the source's page right now (seen in the
 * last ingested page) for its age or for older stories, only when the page itself shows more than
 * `keep` (ingest takes no more than `keep` from a page, so that is rare): `keep` holds after
 * every page. One pass: the stories to drop are collected and unlisted in one call.
 */
import type { StoredStory } from '../model.js';
import type { Store } from './index.js';

/** Newest first by publication; ties broken by id so the order is the same every time. */
export function newestFirst(a: StoredStory, b: StoredStory): number {
  // Code-unit order, not localeCompare: ISO 8601 UTC timestamps and hex ids sort right by it, and
  // it neither depends on the host's locale nor costs an ICU collation per comparison.
  return compare(b.publishedLatest, a.publishedLatest) || compare(a.id, b.id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RetentionPolicy {
  keep: number;
  maxAgeDays: number;
}

/** Unlists the stories the policy lets go; returns how many. */
export function applyRetention(store: Store, sourceId: string, policy: RetentionPolicy, now: Date): number {
  const onPageAt = store.source(sourceId).lastPageAt;
  const cutoff = now.getTime() - policy.maxAgeDays * 86_400_000;
  const listed = [...store.ofSource(sourceId)];
  const tooOld = (s: StoredStory) => Date.parse(s.publishedLatest) < cutoff;
  if (listed.length <= policy.keep && !listed.some(tooOld)) return 0;

  // Stories on the page take their places first; the newest of the rest fill what is left.
  const onPage: StoredStory[] = [];
  const rest: StoredStory[] = [];
  for (const story of listed) (story.lastSeen === onPageAt ? onPage : rest).push(story);
  const drop = onPage.length > policy.keep ? onPage.sort(newestFirst).slice(policy.keep) : [];
  let room = Math.max(0, policy.keep - onPage.length);
  for (const story of rest.sort(newestFirst)) {
    if (room > 0 && !tooOld(story)) {
      room -= 1;
      continue;
    }
    drop.push(story);
  }
  if (drop.length > 0) store.unlistAll(drop, sourceId);
  return drop.length;
}
