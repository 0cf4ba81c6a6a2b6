/**
 * The index page through the daemon: every finished poll lands in its source's chart (ok,
 * not modified, failed), in the hour it ran.
 */
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { startDaemon, startSite } from './helpers/daemon.js';
import { wirePage } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const NOW = new Date('2026-12-07T14:05:00Z');

describe('the index page charts', () => {
  it("count each poll's result in the current hour of its source", async () => {
    const site = await startSite({
      '/web': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
        else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', etag: '"v1"' }).end(wirePage('Gouda'));
      },
    });
    afterThisTest(() => site.close());
    const dir = await tempDir();
    const yaml = `state: { dir: ./state }
sources:
  - { id: web, title: Goudse Post, url: "${site.url}/web", lang: nl }
  - { id: down, title: Weg, url: "${site.url}/gone", lang: nl }
`;
    const { app } = await startDaemon(dir, yaml, { now: () => NOW });
    afterThisTest(() => app.stop(1000));
    await app.settled;
    await app.pollNow('web');
    await app.pollNow('down');

    const lastHour = async () => {
      const $ = load(await (await fetch(`${app.url}/`)).text());
      return $('section.feed')
        .toArray()
        .map((el) => {
          const g = $(el).find('svg g').last();
          return [$(el).attr('data-feed'), g.find('title').text(), g.find('rect:not(.hit):not(.bar)').attr('class'), $(el).find('.error').text()];
        });
    };
    expect(await lastHour()).toEqual([
      ['web', 'Mon 15:00: 3 stories; fetches: 1 ok, 1 not modified, 0 failed', 'ok', ''],
      ['down', 'Mon 15:00: 0 stories; fetches: 0 ok, 0 not modified, 2 failed', 'fail', `fetch: E_HTTP_STATUS: GET ${site.url}/gone: 404 Not Found`],
    ]);
  });
});
