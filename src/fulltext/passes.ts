/**
 * The daemon's full-text passes (issue 18): after a page's own commit, not in its way — feeds show
 * the teaser first. One pass per source at a time; one host gate for all sources, so a host shared
 * by two sources still gets one request at a time; one abort for all, so that stopping the daemon
 * ends the article in flight at once (it stays due for the next start). The extraction libraries
 * (readability, linkedom, sanitize-html) are loaded on first use: a large part of the bundle that
 * a daemon without full text never needs.
 */
import type { SourceConfig } from '../config/schema.js';
import type { FetchContext } from '../fetch/index.js';
import type { Store } from '../store/index.js';
import type { FullTextRun, HostGate } from './index.js';

export interface FullTextPasses {
  /**
   * Start a pass for `source` unless one runs or the passes stopped; the pass, or null when none
   * started. `pageFetched`: the source's page was just fetched from its URL (a poll; not a saved
   * page ingested), so its host's first article keeps the gap to that request.
   */
  start(source: SourceConfig, opts: { fetch: FetchContext; intervalMs: number; pageFetched: boolean }): Promise<FullTextRun> | null;
  /** Cancel every pass (the article in flight too) and wait for them to end. */
  stop(): Promise<void>;
}

export function fullTextPasses(deps: { store: Store; now: () => Date; clock: () => number }): FullTextPasses {
  let gate: HostGate | null = null;
  const abort = new AbortController();
  const running = new Map<string, Promise<FullTextRun>>();
  return {
    start(source, { pageFetched, ...opts }) {
      if (source.fullText === null || abort.signal.aborted || running.has(source.id)) return null;
      const pass = import('./index.js')
        .then(({ fetchFullTexts, hostGate, HOST_GAP_MS }) => {
          gate ??= hostGate(HOST_GAP_MS, deps.clock);
          if (pageFetched && source.url !== undefined) gate.noteRequest(new URL(source.url).host);
          return fetchFullTexts(source, { ...deps, ...opts, gate, signal: abort.signal });
        })
        .finally(() => running.delete(source.id));
      running.set(source.id, pass);
      return pass;
    },
    async stop() {
      abort.abort();
      await Promise.allSettled(running.values());
    },
  };
}
