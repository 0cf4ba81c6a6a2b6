/**
 * Retention per source: keep the newest `keep` stories listed under it and none older than
 * `maxAgeDays` — but never drop a story that is on the source's page right now (seen in the
 * last ingested page) for its age or for older stories, only when the page itself shows more than
 * `keep` (ingest takes no more than `keep` from a page, so that is rare): `keep` holds after
 * every page. Decided here over the listing as it will be after the page; the store drops the
 * listings in the page's own transaction.
 */
import { newestFirst, type StoryStamp } from '../store/index.js';

export interface RetentionPolicy {
  keep: number;
  maxAgeDays: number;
}

/** The ids the policy lets go of `listed` (every story listed under the source); `onPageAt`: the page's fetch time. */
export function retentionDrops(listed: readonly StoryStamp[], onPageAt: string | null, policy: RetentionPolicy, now: Date): string[] {
  const cutoff = now.getTime() - policy.maxAgeDays * 86_400_000;
  const tooOld = (s: StoryStamp) => Date.parse(s.publishedLatest) < cutoff;
  if (listed.length <= policy.keep && !listed.some(tooOld)) return [];

  // Stories on the page take their places first; the newest of the rest fill what is left.
  const onPage: StoryStamp[] = [];
  const rest: StoryStamp[] = [];
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
  return drop.map((s) => s.id);
}
