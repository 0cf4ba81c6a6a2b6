/**
 * A time on a page that does not resolve is a visible fact (issue 14.5): the daemon logs it as a
 * warning with its source and text, and dates the story without inventing an earliest moment.
 */
import { expect, test } from 'vitest';
import { startDaemon, startSite } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';
import { storiesOf } from './helpers/state.js';

const PAGE = [
  'Kabinet presenteert plan',
  'DEN HAAG (ANP) - Het kabinet heeft een plan gepresenteerd.',
  'zaterdag 18:45',
  'UTRECHT (ANP) - In Utrecht is een flat afgebrand.',
  '3 jaar geleden',
  'ARNHEM (ANP) - In Arnhem is een brug geopend.',
  'Mar 32, 2026',
  '',
].join('\n');

test('the daemon logs every time that does not resolve, with its source and text', async () => {
  const site = await startSite({ '/nieuws': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(PAGE) });
  afterThisTest(() => site.close());
  const dir = await tempDir();
  const d = await startDaemon(dir, `state: { dir: ./state }\nsources:\n  - { id: anp, title: ANP, url: ${site.url}/nieuws, lang: nl }\n`, {
    now: () => new Date('2026-12-07T14:30:00Z'),
  });
  afterThisTest(() => d.app.stop(1000));
  await d.app.settled;

  expect(d.lines.filter((l) => l.includes(' warn '))).toEqual([
    '1970-01-01T00:00:00.000Z warn  ages: not an age: "3 jaar geleden" (story "In Utrecht is een flat afgebrand.") source=anp',
    '1970-01-01T00:00:00.000Z warn  ages: not an age: "Mar 32, 2026" (story "In Arnhem is een brug geopend.") source=anp',
  ]);
  const stories = (await storiesOf(d.app.store, 'anp')).map((s) => [s.place, s.publishedEarliest, s.publishedLatest]);
  expect(stories.sort()).toEqual([
    ['ARNHEM', null, '2026-12-07T14:30:00.000Z'],
    ['DEN HAAG', '2026-12-05T17:45:00.000Z', '2026-12-05T17:45:59.999Z'],
    ['UTRECHT', null, '2026-12-07T14:30:00.000Z'],
  ]);
});
