/**
 * Issue 18: `wirefeed ingest` runs the full-text step for a source with `fullText`, as the daemon
 * does after a poll: the articles of a saved listing are fetched from a loopback site, stored or
 * counted by result, each once.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import type { Io } from '../src/cli/io.js';
import { loadConfig } from '../src/config/load.js';
import { openStore } from '../src/store/index.js';
import { startSite } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const PLAIN = readFileSync(new URL('./fixtures/fulltext/plain.html', import.meta.url), 'utf8');

function io(out: string[], err: string[]): Io {
  return { stdout: (s) => out.push(s), stderr: (s) => err.push(s), stdin: async () => new Uint8Array(), env: {}, now: () => new Date('2026-12-07T12:00:00Z') };
}

describe('wirefeed ingest with fullText', () => {
  it('fetches the articles of the saved page: one stored, one counted as http_error with a warning; a second ingest fetches none again; state export carries the article', async () => {
    const site = await startSite({ '/a': (_q, r) => void r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PLAIN) });
    const dir = await tempDir();
    try {
      const page = join(dir, 'dam.html');
      await writeFile(
        page,
        `<html><body><main>
<div><h2><a href="${site.url}/a">Dam weer open na herstel</a></h2><p>MILLFORD (ANP) - De dam is weer open.</p></div>
<div><h2><a href="${site.url}/b">Pagina verdwenen</a></h2><p>MILLFORD (ANP) - Deze pagina is weg.</p></div>
</main></body></html>`,
      );
      const cfg = join(dir, 'wirefeed.yaml');
      await writeFile(cfg, `state: { dir: ./state }\nsources:\n  - { id: dam, title: Dam, url: "${site.url}/", lang: nl, fullText: true }\n`);
      const args = ['ingest', page, '--source', 'dam', '--at', '2026-12-07T12:00:00Z', '--config', cfg];
      const out: string[] = [];
      const err: string[] = [];
      expect(await runCli(args, io(out, err))).toBe(0);
      expect(JSON.parse(out.pop()!)).toEqual({ new: 2, updated: 0, unchanged: 0, fullText: { stored: 1, http_error: 1 } });
      expect(err).toEqual([`warning: full text kept the teaser: fetch: E_HTTP_STATUS: GET ${site.url}/b: 404 Not Found\n`]);

      expect(await runCli(args, io(out, err))).toBe(0);
      expect(JSON.parse(out.pop()!)).toEqual({ new: 0, updated: 0, unchanged: 2, fullText: {} });
      expect(site.hits.map((h) => h.path).sort()).toEqual(['/a', '/b']);

      const store = await openStore((await loadConfig(cfg, {})).state);
      const stories = await store.feed({ sourceIds: ['dam'], limit: 10 });
      expect(stories.map((s) => [s.headline, s.fullText?.split('\n')[0] ?? null]).sort()).toEqual([
        ['Dam weer open na herstel', '<p>The river dam near Millford reopened on Monday after two years of repairs, the water board said.</p>'],
        ['Pagina verdwenen', null],
      ]);
      await store.close();

      // The full text goes with its story into `state export`.
      const exported: string[] = [];
      expect(await runCli(['state', 'export', '--config', cfg], io(exported, err))).toBe(0);
      const lines = exported.join('').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; headline?: string; fullText?: string });
      expect(lines.filter((l) => l.kind === 'story').map((l) => [l.headline, l.fullText === undefined ? null : l.fullText.split('\n').length]).sort()).toEqual([
        ['Dam weer open na herstel', 3],
        ['Pagina verdwenen', null],
      ]);
    } finally {
      await site.close();
    }
  }, 30_000);
});
