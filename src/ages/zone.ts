/**
 * Calendar days and wall-clock times in an IANA zone, computed with Intl.DateTimeFormat only:
 * no library, no host time zone. Instants are epoch milliseconds.
 */
import { WirefeedError } from '../errors.js';

const DAY_MS = 86_400_000;
/** en-US with hourCycle h23: `11/28/2026, 13:00:00`. Years 1000–9999 only (see index.ts). */
const WALL = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;
const OFFSET_CACHE = 4096;

/** A calendar date; month 1–12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export class Zone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  /** Throws RangeError for a zone Intl does not know. */
  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /**
   * Zone offset at `t` in ms (UTC+1 → 3 600 000): the wall clock read as if it were UTC, minus
   * `t`. Formatting drops milliseconds, so floor first. `format()` and a regex are several
   * times cheaper than `formatToParts()`; offsets are remembered (callers ask for the same
   * instants again and again: every story of a page shares one `now`).
   */
  offsetAt(t: number): number {
    const whole = Math.floor(t / 1000) * 1000;
    let offset = this.offsets.get(whole);
    if (offset === undefined) {
      const m = WALL.exec(this.fmt.format(whole));
      if (!m) throw new WirefeedError('ages', 'E_ZONE_FORMAT', `unexpected date format from Intl in ${this.name} at ${whole}`);
      const wall = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
      offset = wall - whole;
      if (this.offsets.size >= OFFSET_CACHE) this.offsets.clear();
      this.offsets.set(whole, offset);
    }
    return offset;
  }

  dateAt(t: number): CivilDate {
    const wall = new Date(t + this.offsetAt(t));
    return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
  }

  /**
   * Every instant whose wall clock reads `date hour:minute:00`, ascending: one normally, two
   * in a fall-back overlap, none in a spring-forward gap. The candidate offsets are those a day
   * either side, which covers any transition near the wall time.
   */
  instantsOf(date: CivilDate, hour: number, minute: number): number[] {
    const local = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
    const offsets = new Set([this.offsetAt(local - DAY_MS), this.offsetAt(local), this.offsetAt(local + DAY_MS)]);
    const found = [...offsets].map((o) => local - o).filter((t) => this.offsetAt(t) === local - t);
    return [...new Set(found)].sort((a, b) => a - b);
  }

  /**
   * First instant of `date`. When midnight falls in a gap (zones that spring forward at 00:00),
   * the offset before the gap maps midnight onto the transition, which is the day's first instant.
   */
  startOfDay(date: CivilDate): number {
    const found = this.instantsOf(date, 0, 0);
    if (found.length > 0) return found[0];
    const local = Date.UTC(date.year, date.month - 1, date.day);
    return local - this.offsetAt(local - DAY_MS);
  }
}


export function addDays(date: CivilDate, days: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 for Sunday to 6 for Saturday. */
export function weekdayOf(date: CivilDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function formatDate(date: CivilDate): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}
