/**
 * A tiny Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4. Series are keyed by their label values joined with NUL (a byte that
 * a label value from config cannot usefully hold), so an increment costs one Map lookup.
 */

export type Labels<L extends string> = Readonly<Record<L, string>>;

/** Drops a series from `/metrics` when it returns true for one of its labels (private feeds). */
export type LabelFilter = (name: string, value: string) => boolean;

interface Series {
  values: readonly string[];
}

abstract class Metric<L extends string, S extends Series> {
  protected readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {}

  protected abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected abstract create(values: readonly string[]): S;
  protected abstract lines(s: S, labels: string): string[];

  protected get(labels: Labels<L>): S {
    const values = this.labelNames.map((n) => labels[n]);
    const key = values.join('\0');
    let s = this.series.get(key);
    if (!s) {
      s = this.create(values);
      this.series.set(key, s);
    }
    return s;
  }

  render(hide: LabelFilter): string {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    // A metric without labels shows 0 before its first increment, as Prometheus clients do.
    if (this.labelNames.length === 0) this.get({} as Labels<L>);
    for (const s of this.series.values()) {
      if (this.labelNames.some((n, i) => hide(n, s.values[i] ?? ''))) continue;
      out.push(...this.lines(s, this.labelNames.map((n, i) => `${n}="${escapeLabel(s.values[i] ?? '')}"`).join(',')));
    }
    return out.join('\n') + '\n';
  }
}

interface ValueSeries extends Series {
  value: number;
}

abstract class ValueMetric<L extends string> extends Metric<L, ValueSeries> {
  protected create(values: readonly string[]): ValueSeries {
    return { values, value: 0 };
  }

  protected lines(s: ValueSeries, labels: string): string[] {
    return [`${this.name}${labels ? `{${labels}}` : ''} ${formatNumber(s.value)}`];
  }

  /** The current value (tests, health). */
  value(labels: Labels<L>): number {
    return this.get(labels).value;
  }
}

export class Counter<L extends string = never> extends ValueMetric<L> {
  protected readonly type = 'counter';

  inc(labels: Labels<L>, by = 1): void {
    this.get(labels).value += by;
  }

  /** A handle for one label set, for hot paths: `inc()` then costs no lookup at all. */
  child(labels: Labels<L>): { inc(by?: number): void } {
    const s = this.get(labels);
    return {
      inc: (by = 1) => {
        s.value += by;
      },
    };
  }
}

export class Gauge<L extends string = never> extends ValueMetric<L> {
  protected readonly type = 'gauge';

  set(labels: Labels<L>, value: number): void {
    this.get(labels).value = value;
  }
}

interface HistogramSeries extends Series {
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram<L extends string = never> extends Metric<L, HistogramSeries> {
  protected readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    /** Upper bounds, ascending. */
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(labels: Labels<L>, value: number): void {
    const s = this.get(labels);
    let i = this.buckets.findIndex((b) => value <= b);
    if (i < 0) i = this.buckets.length;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  protected create(values: readonly string[]): HistogramSeries {
    return { values, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected lines(s: HistogramSeries, labels: string): string[] {
    const sep = labels ? ',' : '';
    const out: string[] = [];
    let cumulative = 0;
    [...this.buckets, Infinity].forEach((bound, i) => {
      cumulative += s.counts[i] ?? 0;
      out.push(`${this.name}_bucket{${labels}${sep}le="${formatNumber(bound)}"} ${cumulative}`);
    });
    const plain = labels ? `{${labels}}` : '';
    out.push(`${this.name}_sum${plain} ${formatNumber(s.sum)}`, `${this.name}_count${plain} ${s.count}`);
    return out;
  }
}

/** Label values escape `\`, `"` and newline (exposition format 0.0.4). */
function escapeLabel(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatNumber(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isNaN(n) ? 'NaN' : String(n);
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** The series wirefeed exposes. The daemon feeds the fetch ones; the server the request ones. */
export interface Metrics {
  fetches: Counter<'source' | 'result'>;
  fetchDuration: Histogram<'source'>;
  storiesStored: Gauge<'source'>;
  /** Article fetches of the full-text step (issue 18) by result: stored, not_modified, kept_teaser, http_error, … */
  fullTextFetches: Counter<'source' | 'result'>;
  /** Time readability and sanitize-html take per article page. */
  fullTextExtract: Histogram<'source'>;
  feedRequests: Counter<'status'>;
  notModified: Counter;
  /** Feed requests answered from cached bytes or validators, with nothing rendered or compressed. */
  feedCacheHits: Counter;
  /** Feed requests that had to build their bytes (render, or derive one coding from another). */
  feedCacheMisses: Counter;
  /** 1 while this instance runs the scheduler (fetches the sources), 0 while it stands by (issue 17). */
  schedulerLeader: Gauge;
  /** Set by the server before each scrape. */
  feedCacheBytes: Gauge;
  feedCacheEntries: Gauge;
  /** Read from the process at each scrape (the names prom-client's default metrics use). */
  residentMemory: Gauge;
  heapUsed: Gauge;
  heapTotal: Gauge;
  externalMemory: Gauge;
  /** Prometheus text of every metric, leaving out series with a hidden label value. */
  render(hide?: LabelFilter): string;
}

export function createMetrics(): Metrics {
  const m = {
    fetches: new Counter('wirefeed_fetches_total', 'Source fetches by result.', ['source', 'result'] as const),
    fetchDuration: new Histogram(
      'wirefeed_fetch_duration_seconds',
      'Time to fetch a source, in seconds.',
      ['source'] as const,
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
    storiesStored: new Gauge('wirefeed_stories_stored', 'Stories kept per source.', ['source'] as const),
    fullTextFetches: new Counter('wirefeed_fulltext_fetches_total', 'Full-text article fetches by result.', ['source', 'result'] as const),
    fullTextExtract: new Histogram(
      'wirefeed_fulltext_extract_seconds',
      'Time to extract and sanitize one article page, in seconds.',
      ['source'] as const,
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    feedRequests: new Counter('wirefeed_feed_requests_total', 'Requests for /feeds/ URLs by HTTP status.', ['status'] as const),
    notModified: new Counter('wirefeed_not_modified_total', 'Responses answered 304 Not Modified.', [] as const),
    feedCacheHits: new Counter('wirefeed_feed_cache_hits_total', 'Feed requests answered from the rendered-feed cache.', [] as const),
    feedCacheMisses: new Counter('wirefeed_feed_cache_misses_total', 'Feed requests that rendered or compressed their bytes.', [] as const),
    schedulerLeader: new Gauge('wirefeed_scheduler_leader', 'Whether this instance runs the scheduler and fetches the sources (1) or stands by (0).', [] as const),
    feedCacheBytes: new Gauge('wirefeed_feed_cache_bytes', 'Bytes of rendered feeds held in memory, every content coding counted.', [] as const),
    feedCacheEntries: new Gauge('wirefeed_feed_cache_entries', 'Rendered feed bodies held in memory (one per feed, format, limit and coding).', [] as const),
    residentMemory: new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [] as const),
    heapUsed: new Gauge('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.', [] as const),
    heapTotal: new Gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes.', [] as const),
    externalMemory: new Gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript (Buffers among them), in bytes.', [] as const),
  };
  const all: AnyMetric[] = Object.values(m);
  return {
    ...m,
    render: (hide = () => false) => {
      const mem = process.memoryUsage();
      m.residentMemory.set({}, mem.rss);
      m.heapUsed.set({}, mem.heapUsed);
      m.heapTotal.set({}, mem.heapTotal);
      m.externalMemory.set({}, mem.external);
      return all.map((metric) => metric.render(hide)).join('');
    },
  };
}
