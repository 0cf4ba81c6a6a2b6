/**
 * Calendar days and wall-clock times in an IANA zone, computed with Intl.DateTimeFormat only:
 * no library, no host time zone. Instants are epoch milliseconds.
 */

/** A calendar date; month 1–12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export class Zone {
  private readonly fmt: Intl.DateTimeFormat;

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

  /** The wall clock in this zone at `t`, read as if it were UTC (so offset = wall − t). */
  private wallMs(t: number): number {
    const p: Record<string, string> = {};
    for (const part of this.fmt.formatToParts(t)) p[part.type] = part.value;
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  }

  /** Zone offset at `t` in ms (UTC+1 → 3 600 000). Formatting drops milliseconds: floor first. */
  offsetAt(t: number): number {
    const whole = Math.floor(t / 1000) * 1000;
    return this.wallMs(whole) - whole;
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

const DAY_MS = 86_400_000;

export function addDays(date: CivilDate, days: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function formatDate(date: CivilDate): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}
