/**
 * What one instance knows of its sources between queries: each configured source's bookkeeping
 * and story count (read by /healthz, the scheduler's backoff and the index page on every call),
 * and a revision per source that changes whenever a story listed under it changes (feed caches).
 * One entry per source: flat in history. Kept as committed, or as meant when a write failed
 * (backoff holds either way), or as another instance committed it (issue 17: re-read on notice).
 */
import type { SourceState } from '../model.js';
import type { Metrics } from '../serve/index.js';
import { emptySourceState, type Store } from '../store/index.js';

const EMPTY = emptySourceState();

export class SourceBook {
  private readonly states = new Map<string, SourceState>();
  private readonly counts = new Map<string, number>();
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly metrics: Metrics,
  ) {}

  stateOf(id: string): SourceState {
    return this.states.get(id) ?? EMPTY;
  }

  set(id: string, state: SourceState): void {
    this.states.set(id, state);
  }

  countOf(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  /** Stories listed per source, summed (the start-up log line). */
  listed(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Stories listed under these sources changed: feeds over them render anew. */
  changed(touched: Iterable<string>): void {
    for (const s of touched) this.revisions.set(s, (this.revisions.get(s) ?? 0) + 1);
  }

  /** A number that changes whenever a story listed under any of `sourceIds` changes. */
  revision(sourceIds: readonly string[]): number {
    let rev = 0;
    for (const s of sourceIds) rev += this.revisions.get(s) ?? 0;
    return rev;
  }

  async recount(ids: Iterable<string>): Promise<void> {
    for (const id of ids) {
      const n = await this.store.countOf(id);
      this.counts.set(id, n);
      this.metrics.storiesStored.set({ source: id }, n);
    }
  }

  /**
   * Read the bookkeeping and counts of `ids` from the store. `fresh`: every one as stored (another
   * instance may have written it); else only sources not known yet (a reload's new ones).
   */
  async learn(ids: readonly string[], fresh: boolean): Promise<void> {
    const states = await this.store.sources();
    // Every source's count in one query, not one per source.
    const stored = await this.store.counts();
    for (const id of ids) {
      if (fresh || !this.states.has(id)) this.states.set(id, states[id] ?? emptySourceState());
      const n = stored[id] ?? 0;
      this.counts.set(id, n);
      this.metrics.storiesStored.set({ source: id }, n);
    }
  }

  /** Forget sources that left the config. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.states.keys()) if (!ids.has(id)) this.states.delete(id);
  }
}
