/**
 * WebSub publishing: tells the hub that a feed URL has new content (`hub.mode=publish`,
 * one form-encoded POST per URL, as the PubSubHubbub 0.4 publishers do), retrying with backoff.
 * Runs entirely in the background: serving never waits on the hub.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, WirefeedError } from '../errors.js';
import type { Logger } from '../log.js';

export interface Publisher {
  /** Queue a publish notification for each URL; a URL already being notified is not queued twice. */
  publish(urls: readonly string[]): void;
  /** Cancel pending retries and requests in flight. */
  close(): void;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30_000];
const HUB_TIMEOUT_MS = 10_000;

export function createPublisher(hub: string, log: Logger, retryDelaysMs: readonly number[]): Publisher {
  const abort = new AbortController();
  // The hub fetches the feed when it handles the notification, so a notification still being
  // retried also covers a later change of the same URL.
  const pending = new Set<string>();

  const postOnce = async (url: string): Promise<void> => {
    const body = new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }).toString();
    // Loaded on the first notification, as fetch does: most daemons have no hub, and undici is
    // the largest module of all (it would be loaded and resident from the start).
    const { request } = await import('undici');
    const res = await request(hub, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: abort.signal,
      headersTimeout: HUB_TIMEOUT_MS,
      bodyTimeout: HUB_TIMEOUT_MS,
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new WirefeedError('serve', 'E_WEBSUB_STATUS', `${hub}: hub answered ${res.statusCode}`);
    }
  };

  const notify = async (url: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await postOnce(url);
        log.debug('websub: hub notified', { hub, url, attempt: attempt + 1 });
        return;
      } catch (err) {
        if (abort.signal.aborted) return;
        const delay = retryDelaysMs[attempt];
        if (delay === undefined) {
          log.error('websub: giving up notifying hub', { hub, url, attempts: attempt + 1, error: describeError(err) });
          return;
        }
        log.warn('websub: hub notification failed, retrying', { hub, url, attempt: attempt + 1, retryInMs: delay, error: describeError(err) });
        try {
          await sleep(delay, undefined, { signal: abort.signal });
        } catch (abortErr) {
          log.debug('websub: retry cancelled by shutdown', { hub, url, reason: describeError(abortErr) });
          return;
        }
      }
    }
  };

  return {
    publish(urls) {
      if (abort.signal.aborted) return;
      for (const url of urls) {
        if (pending.has(url)) continue;
        pending.add(url);
        void notify(url).finally(() => pending.delete(url));
      }
    },
    close() {
      abort.abort();
    },
  };
}
