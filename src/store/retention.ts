/**
 * Retention per source: keep the newest `keep` stories listed under it and none older than
 * `maxAgeDays` — but never drop a story that is on the source's page right now (seen in the
 * last ingested page), whatever its age or rank.
 */
import type { StoredStory } from '../model.js';
import type { Store } from './index.js';

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

  listed.sort((a, b) => b.publishedLatest.localeCompare(a.publishedLatest) || a.id.localeCompare(b.id));
  let dropped = 0;
  listed.forEach((story, rank) => {
    if (story.lastSeen === onPageAt) return;
    if (rank >= policy.keep || tooOld(story)) {
      store.unlist(story, sourceId);
      dropped += 1;
    }
  });
  return dropped;
}
