/**
 * `wirefeed state backup|export|import|check`: a backup taken while the daemon ingests opens and
 * passes integrity_check; export then import into an empty state serves the same feeds byte for
 * byte; check reports the integrity and the stories per source.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import type { Io } from '../src/cli/io.js';
import { openStore } from '../src/store/index.js';
import { startDaemon, startSite } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const V4 = join(import.meta.dirname, 'fixtures/state/v4');
const FEEDS: Record<string, string> = {
  alfa: '',
  bravo: '',
  alles: '',
  geheim: '?token=fixture-token-0123456789abcdef',
  prive: '?token=fixture-token-feed-0123456789ab',
};

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdin: async () => new Uint8Array(),
    env: {},
    now: () => new Date('2026-11-28T14:00:00Z'),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** The v4 fixture's config with its state in `state`; returns the config's path. */
async function fixtureConfig(dir: string, state: string): Promise<string> {
  const file = join(dir, 'wirefeed.yaml');
  await writeFile(file, (await readFile(join(V4, 'wirefeed.yaml'), 'utf8')).replace('dir: STATE_DIR', `dir: ${state}`));
  return file;
}

describe('wirefeed state', () => {
  it('export, then import into an empty state: the same feeds byte for byte; check says ok and counts per source', async () => {
    const from = await tempDir();
    await cp(join(V4, 'state'), join(from, 'state'), { recursive: true });
    const fromConfig = await fixtureConfig(from, join(from, 'state'));
    // The first open (with the lock, as the daemon's) imports the JSON fixture.
    await (await openStore(join(from, 'state'))).close();
    const checked = await cli(['state', 'check', '--config', fromConfig]);
    expect(checked).toEqual({ code: 0, stdout: 'integrity_check: ok\nalfa: 5 stories\nbravo: 9 stories\ngeheim: 8 stories\ntotal: 17 stories\n', stderr: '' });
    const exported = await cli(['state', 'export', '--config', fromConfig]);
    expect([exported.code, exported.stderr]).toEqual([0, '']);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(lines.map((l) => l.kind)).toEqual([...Array<string>(3).fill('source'), ...Array<string>(17).fill('story')]);

    const to = await tempDir();
    await writeFile(join(to, 'export.jsonl'), exported.stdout);
    const toConfig = await fixtureConfig(to, join(to, 'state'));
    expect(await cli(['state', 'import', join(to, 'export.jsonl'), '--config', toConfig])).toEqual({ code: 0, stdout: `imported 17 stories into ${join(to, 'state')}\n`, stderr: '' });
    // Into an empty state only.
    expect((await cli(['state', 'import', join(to, 'export.jsonl'), '--config', toConfig])).stderr).toContain('E_NOT_EMPTY');
    expect((await cli(['state', 'export', '--config', toConfig])).stdout).toBe(exported.stdout);

    const d = await startDaemon(to, (await readFile(toConfig, 'utf8')));
    afterThisTest(() => d.app.stop());
    await d.app.settled;
    for (const [feed, token] of Object.entries(FEEDS)) {
      for (const ext of ['atom', 'rss', 'json']) {
        const res = await fetch(`${d.app.url}/feeds/${feed}.${ext}${token}`);
        expect(await res.text(), `${feed}.${ext}`).toBe(await readFile(join(V4, 'expected', `${feed}.${ext}`), 'utf8'));
      }
    }
  });

  it('backup while the daemon ingests: every copy opens, passes integrity_check and holds what was committed before it began', async () => {
    let n = 0;
    const page = () => Array.from({ length: 5 }, (_, i) => `Bericht ${n}-${i} over de zaak\nGENT (ANP) - Bericht ${n}-${i} is gebeurd in de stad.\n`).join('\n');
    const site = await startSite({ '/p': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(page()) });
    afterThisTest(() => site.close());
    const dir = await tempDir();
    const yaml = `server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: p, title: P, url: ${site.url}/p, lang: nl, schedule: "0 0 1 1 *" }\n`;
    const d = await startDaemon(dir, yaml);
    afterThisTest(() => d.app.stop());
    await d.app.settled;
    const config = join(dir, 'wirefeed.yaml');
    for (let round = 0; round < 5; round++) {
      const before = await d.app.store.countOf('p');
      // Pages land while the backup runs.
      n++;
      const polling = (async () => {
        for (let i = 0; i < 5; i++, n++) await d.app.pollNow('p');
      })();
      const file = join(dir, `backup-${round}.db`);
      expect(await cli(['state', 'backup', file, '--config', config])).toEqual({ code: 0, stdout: `backed up ${join(dir, 'state')} into ${file}\n`, stderr: '' });
      await polling;
      const db = new Database(file, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((db.prepare('SELECT count(*) AS n FROM listings WHERE source_id = ?').get('p') as { n: number }).n).toBeGreaterThanOrEqual(before);
      db.close();
    }
    expect(await d.app.store.countOf('p')).toBeGreaterThan(25);
  });
});

describe('wirefeed state with a PostgreSQL state it cannot reach', () => {
  it('says so with the cause and the password redacted, and never falls back to the state directory', async () => {
    const dir = await tempDir();
    const file = join(dir, 'wirefeed.yaml');
    await writeFile(file, 'state: { dir: ./state, url: "postgres://wf:geheim@127.0.0.1:1/wirefeed" }\nsources:\n  - { id: a, title: A, path: a.txt }\n');
    await writeFile(join(dir, 'x.ndjson'), '{"kind":"source","id":"a","etag":null}\n');
    const where = 'postgres://wf:***@127.0.0.1:1/wirefeed';
    const expected: Record<string, string> = {
      backup: `store: this config keeps its state in PostgreSQL (${where}), which pg_dump backs up`,
      export: `store: opening ${where} failed (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1`,
      import: `store: opening ${where} failed (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1`,
      check: `store: cannot reach ${where} (E_DB_UNREACHABLE): caused by connect ECONNREFUSED 127.0.0.1:1`,
    };
    for (const argv of [['backup', join(dir, 'b.db')], ['export'], ['import', join(dir, 'x.ndjson')], ['check']]) {
      const r = await cli(['state', ...argv, '--config', file]);
      expect([r.code, r.stdout, r.stderr.startsWith(`wirefeed state ${argv[0]}: ${expected[argv[0]!]}`), r.stderr.includes('geheim')], r.stderr).toEqual([1, '', true, false]);
    }
    await expect(readFile(join(dir, 'state', 'wirefeed.db'))).rejects.toThrow('ENOENT');
  });
});
