/**
 * The index page's per-source history: fetch results per hour kept in 48 slots per source, and
 * stories per hour counted from first-seen times. Time is a parameter: no clock is read.
 */
import { describe, expect, it } from 'vitest';
import { FetchHistory, HOURS, sourceActivity, storiesPerHour } from '../src/activity/index.js';

const NOW = new Date('2026-12-07T14:05:00Z');
const hoursBefore = (h: number, minute = 30) => new Date(Date.UTC(2026, 11, 7, 14 - h, minute));
const EMPTY = { ok: 0, notModified: 0, error: 0 };

describe('FetchHistory', () => {
  it('counts each outcome in its hour, an unchanged page as ok, and other sources apart', () => {
    const h = new FetchHistory(new Date('2026-12-01T00:00:00Z'));
    h.record('a', 'ok', hoursBefore(0, 1));
    h.record('a', 'unchanged-page', hoursBefore(0, 2));
    h.record('a', 'not-modified', hoursBefore(0, 3));
    h.record('a', 'error', hoursBefore(2));
    h.record('a', 'error', hoursBefore(2));
    h.record('b', 'ok', hoursBefore(1));
    const a = h.hours('a', NOW);
    expect(a).toHaveLength(HOURS);
    expect(a[47]).toEqual({ ok: 2, notModified: 1, error: 0 });
    expect(a[46]).toEqual(EMPTY);
    expect(a[45]).toEqual({ ok: 0, notModified: 0, error: 2 });
    expect(a.slice(0, 45).every((x) => x !== null && x.ok + x.notModified + x.error === 0)).toBe(true);
    expect(h.hours('b', NOW)[46]).toEqual({ ok: 1, notModified: 0, error: 0 });
    expect(h.hours('nobody', NOW).every((x) => x !== null && x.ok + x.error + x.notModified === 0)).toBe(true);
  });

  it('keeps 48 hours: a slot reused for a later hour starts from zero, and hours out of the window are gone', () => {
    const h = new FetchHistory(new Date('2026-12-01T00:00:00Z'));
    h.record('a', 'error', hoursBefore(48)); // same slot as the current hour, 48 hours earlier
    h.record('a', 'ok', hoursBefore(47));
    h.record('a', 'ok', hoursBefore(0));
    const a = h.hours('a', NOW);
    expect(a[0]).toEqual({ ok: 1, notModified: 0, error: 0 });
    expect(a[47]).toEqual({ ok: 1, notModified: 0, error: 0 });
    expect(a.reduce((n, x) => n + (x?.error ?? 0), 0)).toBe(0);
  });

  it('marks the hours that ended before recording began as not recorded', () => {
    const h = new FetchHistory(new Date('2026-12-07T11:20:00Z'));
    const a = h.hours('a', NOW);
    // 14:00 is index 47: 11:00–12:00 (index 44) began before the start but ended after it.
    expect(a.slice(0, 44).every((x) => x === null)).toBe(true);
    expect(a.slice(44)).toEqual([EMPTY, EMPTY, EMPTY, EMPTY]);
  });

  it('forgets sources that left', () => {
    const h = new FetchHistory(new Date('2026-12-01T00:00:00Z'));
    h.record('a', 'ok', NOW);
    h.record('b', 'ok', NOW);
    h.retain(new Set(['b']));
    expect(h.hours('a', NOW)[47]).toEqual(EMPTY);
    expect(h.hours('b', NOW)[47]).toEqual({ ok: 1, notModified: 0, error: 0 });
  });
});

describe('storiesPerHour', () => {
  it('counts first-seen times per hour over the last 48, ignoring older and future ones', () => {
    const counts = storiesPerHour(
      [
        '2026-12-07T14:04:59.000Z',
        '2026-12-07T14:00:00.000Z',
        '2026-12-07T13:59:59.999Z',
        '2026-12-05T15:00:00.000Z', // the oldest hour of the window
        '2026-12-05T14:59:59.999Z', // just before it
        '2026-11-01T00:00:00.000Z',
        '2026-12-07T15:00:00.000Z', // a clock ahead of ours
      ],
      NOW,
    );
    expect(counts).toHaveLength(HOURS);
    expect(counts[47]).toBe(2);
    expect(counts[46]).toBe(1);
    expect(counts[0]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
  });
});

describe('sourceActivity', () => {
  it('puts both series on the same 48 hours', () => {
    const h = new FetchHistory(new Date('2026-12-07T13:10:00Z'));
    h.record('a', 'ok', new Date('2026-12-07T13:10:00Z'));
    const act = sourceActivity('a', ['2026-12-07T13:10:00.000Z'], h, NOW);
    expect(act.from).toBe('2026-12-05T15:00:00.000Z');
    expect(act.recordedSince).toBe('2026-12-07T13:10:00.000Z');
    expect(act.stories[46]).toBe(1);
    expect(act.fetches[46]).toEqual({ ok: 1, notModified: 0, error: 0 });
    expect(act.fetches[45]).toBeNull();
  });
});
