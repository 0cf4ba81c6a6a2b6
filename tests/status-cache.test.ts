/**
 * The index page's per-source figures (the chart's first-seen times, the stored full texts) are
 * asked of the store once per change of the source and hour of the chart, not on every GET /:
 * counted on a real SQLite store that tallies the calls it answers.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FetchHistory } from '../src/activity/index.js';
import { SourceBook } from '../src/app/book.js';
import { createStatus } from '../src/app/status.js';
import { wire } from '../src/app/wiring.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { createMetrics } from '../src/serve/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { writeConfig } from './helpers/daemon.js';
import { datedStory } from './helpers/stories.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

/** `store`, counting the calls of each method made through it. */
function tallied(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

it('GET / asks the store for a source’s chart and full-text count again only after a change or when the hour moves on', async () => {
  const dir = await tempDir();
  const config = await writeConfig(
    dir,
    `state: { dir: ./state }
sources:
  - { id: web, title: Goudse Post, url: "http://127.0.0.1:9/web", lang: nl, fullText: true }
`,
  );
  const real = await openStore(join(dir, 'state'));
  afterThisTest(() => real.close());
  const { store, calls } = tallied(real);
  let now = new Date('2026-12-07T14:05:00Z');
  const book = new SourceBook(store, createMetrics());
  const w = wire(config, 'http://127.0.0.1:8080');
  const status = createStatus({
    store,
    book,
    history: new FetchHistory(now),
    wiring: () => w,
    now: () => now,
    startedAt: now,
    stateError: () => null,
    role: () => 'scheduler',
  });
  const asked = () => [calls.get('firstSeenSince') ?? 0, calls.get('fullTextCount') ?? 0];
  const ingest = async (tag: string) => {
    const r = await ingestPage(store, [datedStory({ headline: `Bericht ${tag} uit Gouda`, publishedLatest: now })], { sourceId: 'web', at: now, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    book.changed(r.touched);
    await book.learn(['web'], false);
  };

  await ingest('een');
  const first = await status.feedStatus('web');
  expect(first.fullText).toEqual({ stored: 0, of: 1 });
  expect(asked()).toEqual([1, 1]);

  // Nothing changed, same hour: answered from what was asked.
  now = new Date('2026-12-07T14:45:00Z');
  expect(await status.feedStatus('web')).toEqual(first);
  expect(asked()).toEqual([1, 1]);

  // A new story: asked again, and the chart counts it.
  await ingest('twee');
  const second = await status.feedStatus('web');
  expect(asked()).toEqual([2, 2]);
  expect(second.fullText).toEqual({ stored: 0, of: 2 });
  expect(second.activity?.stories.at(-1)).toBe(2);

  // The next hour: the chart's window moved, asked again; the stories are in the hour before now.
  now = new Date('2026-12-07T15:01:00Z');
  const third = await status.feedStatus('web');
  expect(asked()).toEqual([3, 3]);
  expect(third.activity?.stories.at(-2)).toBe(2);
  expect(third.activity?.stories.at(-1)).toBe(0);
});
