/**
 * What a source did over the last hours, for the index page's charts: stories first seen per
 * hour (from the store) and fetch results per hour (a bounded record in memory, fed by each
 * finished poll). The fetch record starts empty with the process; hours before it began are
 * "not recorded", not "no fetch".
 */
import type { Activity, HourFetches } from '../render/index.js';

/** Hours a chart covers: the current (partial) hour and the 47 before it. */
export const HOURS = 48;
const HOUR_MS = 3_600_000;

/** How a poll ended, as `poll` logs it (`fetch ${result}`). */
export type FetchOutcome = 'ok' | 'unchanged-page' | 'not-modified' | 'error';

interface Bucket extends HourFetches {
  /** Hours since the epoch this bucket counts; a slot holding an older hour is stale. */
  hour: number;
}

const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);

/** Fetch results per source and hour: HOURS slots per source, reused round-robin. */
export class FetchHistory {
  private readonly bySource = new Map<string, Bucket[]>();

  /** `since`: when recording began (the daemon's start). */
  constructor(readonly since: Date) {}

  record(sourceId: string, outcome: FetchOutcome, at: Date): void {
    const hour = hourOf(at.getTime());
    let slots = this.bySource.get(sourceId);
    if (slots === undefined) this.bySource.set(sourceId, (slots = []));
    const i = hour % HOURS;
    let b = slots[i];
    if (b === undefined || b.hour !== hour) slots[i] = b = { hour, ok: 0, notModified: 0, error: 0 };
    // An identical page is a 200 that taught nothing new: as healthy as any other ok.
    if (outcome === 'not-modified') b.notModified += 1;
    else if (outcome === 'error') b.error += 1;
    else b.ok += 1;
  }

  /** The HOURS hours up to `now`, oldest first; null for an hour that ended before `since`. */
  hours(sourceId: string, now: Date): (HourFetches | null)[] {
    const last = hourOf(now.getTime());
    const first = last - HOURS + 1;
    const slots = this.bySource.get(sourceId) ?? [];
    const sinceMs = this.since.getTime();
    return Array.from({ length: HOURS }, (_, k) => {
      const hour = first + k;
      if ((hour + 1) * HOUR_MS <= sinceMs) return null;
      const b = slots[hour % HOURS];
      return b !== undefined && b.hour === hour ? { ok: b.ok, notModified: b.notModified, error: b.error } : { ok: 0, notModified: 0, error: 0 };
    });
  }

  /** Drops the record of every source not in `ids` (it left the config). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.bySource.keys()) if (!ids.has(id)) this.bySource.delete(id);
  }
}

/** Stories per hour over the HOURS hours up to `now`, oldest first, by first-seen time (ISO 8601 UTC). */
export function storiesPerHour(firstSeen: Iterable<string>, now: Date): number[] {
  const last = hourOf(now.getTime());
  const first = last - HOURS + 1;
  // ISO 8601 UTC strings sort by time: most stories are older than the window and cost one comparison.
  const from = new Date(first * HOUR_MS).toISOString();
  const counts = new Array<number>(HOURS).fill(0);
  for (const seen of firstSeen) {
    if (seen < from) continue;
    const k = hourOf(Date.parse(seen)) - first;
    if (k < HOURS) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** One source's chart data: its stories' first-seen times and its fetch record. */
export function sourceActivity(sourceId: string, firstSeen: Iterable<string>, history: FetchHistory, now: Date): Activity {
  const from = (hourOf(now.getTime()) - HOURS + 1) * HOUR_MS;
  return {
    from: new Date(from).toISOString(),
    recordedSince: history.since.toISOString(),
    stories: storiesPerHour(firstSeen, now),
    fetches: history.hours(sourceId, now),
  };
}
