/**
 * http.maxConcurrent: url sources due at the same moment are fetched a few at a time, not all at
 * once — counted on the site's side as requests in flight — and every one of them still gets its
 * fetch; a poll still waiting for its turn when the daemon stops does not start.
 */
import { expect, it } from 'vitest';
import { startDaemon, startSite, waitFor, type Route } from './helpers/daemon.js';
import { wirePage } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const SOURCES = 12;

/** A site whose pages answer after `delayMs`, counting the requests in flight at once. */
async function slowSite(ids: readonly string[], delayMs: number) {
  let inFlight = 0;
  let most = 0;
  const routes: Record<string, Route> = {};
  for (const id of ids) {
    routes[`/${id}`] = (_req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(wirePage(id));
      }, delayMs);
    };
  }
  const site = await startSite(routes);
  afterThisTest(() => site.close());
  return { site, most: () => most };
}

function config(url: string, ids: readonly string[], http: string): string {
  return [
    'server: { port: 0 }',
    'state: { dir: ./state }',
    ...(http === '' ? [] : [`http: { ${http} }`]),
    'sources:',
    // Due once a year: the only fetch is the one at start, all at the same moment.
    ...ids.map((id) => `  - { id: ${id}, title: Bron ${id}, url: ${url}/${id}, lang: nl, schedule: "0 0 1 1 *" }`),
  ].join('\n');
}

const ids = Array.from({ length: SOURCES }, (_, i) => `bron-${i}`);

it.each([
  ['http: { maxConcurrent: 3 }', 'maxConcurrent: 3', 3],
  ['the default', '', 8],
])(`%s: ${SOURCES} sources due at once are fetched at most that many at a time, each once`, async (_name, http, limit) => {
  const { site, most } = await slowSite(ids, 150);
  const { app } = await startDaemon(await tempDir(), config(site.url, ids, http));
  afterThisTest(() => app.stop());
  await app.settled;
  expect(most()).toBe(limit);
  expect(site.hits.map((h) => h.path).sort()).toEqual(ids.map((id) => `/${id}`).sort());
  for (const id of ids) expect(await app.store.countOf(id)).toBe(3);
});

it('a poll still waiting for its turn when the daemon stops is not started', async () => {
  const { site, most } = await slowSite(ids, 400);
  const { app } = await startDaemon(await tempDir(), config(site.url, ids, 'maxConcurrent: 2'));
  await waitFor('the first two fetches', () => site.hits.length === 2);
  await app.stop();
  // The two in flight finished (stop waits for them); none of the ten waiting was asked for.
  expect(site.hits).toHaveLength(2);
  expect(most()).toBe(2);
});
