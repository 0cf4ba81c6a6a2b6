/**
 * Issue 19.5: a public combined feed that lists a private source. The private source's error
 * names its URL (with an API key in it) and its id: neither may reach anyone without its token
 * (`/`, `/feeds.opml`, `/healthz`, `/metrics`); `wirefeed check` warns about such a config.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { publicError } from '../src/app.js';
import { checkCommand } from '../src/cli/check.js';
import { startDaemon } from './helpers/daemon.js';
import { startFaultSite, textPage, wirePage } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const API_KEY = 'PARTNER-API-KEY-123';
const TOKEN = 'Partner-token_0123456789abcdef';

const config = (site: string) => `state: { dir: ./state }
sources:
  - { id: open, title: Open bron, url: ${site}/open, lang: nl }
  - { id: partner, title: Partner desk, url: "${site}/nothere?apikey=${API_KEY}", lang: nl, token: ${TOKEN} }
feeds:
  - { id: alles, title: Alles, sources: [open, partner] }
`;

describe('a private source in a public combined feed', () => {
  it('shows on /, /feeds.opml, /healthz and /metrics without its id, URL or error', async () => {
    const site = await startFaultSite({ open: textPage(wirePage('open')) });
    afterThisTest(() => site.close());
    const { app } = await startDaemon(await tempDir(), config(site.url));
    afterThisTest(() => app.stop(1000));
    await app.settled;
    // The leak needs the error to exist: the private source did fail, with its URL in the error.
    expect((await app.store.source('partner')).lastError).toContain(`nothere?apikey=${API_KEY}: 404`);

    const bodies: Record<string, string> = {};
    for (const path of ['/', '/feeds.opml', '/healthz', '/metrics']) bodies[path] = await (await fetch(`${app.url}${path}`)).text();
    for (const [path, body] of Object.entries(bodies)) {
      for (const secret of [API_KEY, 'nothere', 'partner', 'Partner desk', TOKEN]) {
        expect(body.toLowerCase(), `${path} shows ${secret}`).not.toContain(secret.toLowerCase());
      }
    }
    const $ = load(bodies['/']!);
    expect($('section.feed').toArray().map((el) => $(el).attr('data-feed'))).toEqual(['open', 'alles']);
    // The public combined feed leaves the private source out, its failure included.
    expect($('section[data-feed="alles"] .error').length).toBe(0);
    expect($('section[data-feed="open"] dd').eq(1).text()).toBe('none');
    const health = JSON.parse(bodies['/healthz']!) as { sources: Record<string, { lastError: string | null }> };
    expect(Object.fromEntries(Object.entries(health.sources).map(([k, v]) => [k, v.lastError]))).toEqual({ open: null, 'private-1': 'failing' });
  });
});

describe('a working private source in a public combined feed', () => {
  it('adds none of its stories to the public feed; a combined feed with a token shows them', async () => {
    const site = await startFaultSite({ open: textPage(wirePage('open')), partner: textPage(wirePage('intern')) });
    afterThisTest(() => site.close());
    const yaml = `state: { dir: ./state }
sources:
  - { id: open, title: Open bron, url: ${site.url}/open, lang: nl }
  - { id: partner, title: Partner desk, url: "${site.url}/partner", lang: nl, token: ${TOKEN} }
feeds:
  - { id: alles, title: Alles, sources: [open, partner] }
  - { id: binnen, title: Binnen, sources: [open, partner], token: ${TOKEN} }
`;
    const { app } = await startDaemon(await tempDir(), yaml);
    afterThisTest(() => app.stop(1000));
    await app.settled;
    const titles = async (path: string) =>
      ((await (await fetch(`${app.url}${path}`)).json()) as { items: { title: string }[] }).items.map((i) => i.title).sort();
    const open = ['De gemeente open opent een nieuwe brug over het IJ.', 'Het spoor bij open is weer vrij na een storing.', 'Storm open treft kust van Zeeland'];
    expect(await titles('/feeds/open.json')).toEqual(open);
    expect(await titles('/feeds/alles.json')).toEqual(open);
    const both = await titles(`/feeds/binnen.json?token=${TOKEN}`);
    expect(both).toHaveLength(6);
    expect(both.filter((t) => t.includes('intern'))).toHaveLength(3);
  });
});

describe('publicError', () => {
  it('shows public errors as they are and private ones only as a count', () => {
    expect(publicError([])).toBeNull();
    expect(publicError([{ private: true, error: null }, { private: false, error: null }])).toBeNull();
    expect(publicError([{ private: false, error: 'fetch: E_HTTP_STATUS: 503' }])).toBe('fetch: E_HTTP_STATUS: 503');
    expect(
      publicError([
        { private: true, error: 'fetch: GET http://x/?apikey=1: 404' },
        { private: false, error: 'parse: E_NO_STORIES' },
        { private: true, error: 'fetch: GET http://y/?apikey=2: 404' },
      ]),
    ).toBe('parse: E_NO_STORIES; 2 private sources failing');
  });
});

describe('wirefeed check', () => {
  it('warns (exit 0) when a public combined feed lists a private source, and not when the feed is private', async () => {
    const dir = await tempDir();
    const file = join(dir, 'wirefeed.yaml');
    const run = async (yaml: string) => {
      await writeFile(file, yaml);
      const out = { stdout: '', stderr: '' };
      const code = await checkCommand(['--config', file], { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), env: {} });
      return { code, ...out };
    };
    expect(await run(config('http://127.0.0.1:9'))).toEqual({
      code: 0,
      stdout: `${file}: ok (2 sources, 1 feed)\n`,
      stderr: `${file}: warning: feed 'alles' is public but lists private source 'partner': its stories are left out of it (give the feed a token to include them)\n`,
    });
    const privateFeed = config('http://127.0.0.1:9').replace('sources: [open, partner] }', `sources: [open, partner], token: ${TOKEN} }`);
    expect(await run(privateFeed)).toEqual({ code: 0, stdout: `${file}: ok (2 sources, 1 feed)\n`, stderr: '' });
  });
});
