/**
 * Moving a state between SQLite and PostgreSQL (issue 17): a SQLite state built by `wirefeed
 * ingest` from fixture pages (three sources, one private, a story shared by two, retention having
 * dropped some, one story with its full text) is served by the daemon; exported and imported into
 * a real PostgreSQL cluster, copied there directly, and piped from one process into another, it is
 * served again with the same config and clock: every feed in every format the same bytes and ETag.
 * And back from PostgreSQL into SQLite; a target that is not empty is refused and left as it was.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../src/app.js';
import { runCli } from '../src/cli/index.js';
import type { Io } from '../src/cli/io.js';
import { loadConfig } from '../src/config/load.js';
import { memoryLogger } from '../src/log.js';
import { openStore } from '../src/store/index.js';
import { startPgCluster, type PgCluster } from './helpers/postgres.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIX = join(ROOT, 'tests/fixtures/move');
const NOW = new Date('2026-11-28T12:00:00Z');
const SOURCE_TOKEN = 'fixture-token-move-geheim-0123';
const FEED_TOKEN = 'fixture-token-move-prive-45678';
/** Every feed of the config, with the query a reader needs for it. */
const FEEDS: Record<string, string> = { alfa: '', bravo: '', geheim: `?token=${SOURCE_TOKEN}`, alles: '', prive: `?token=${FEED_TOKEN}` };
const FULL_TEXT = '<p>KAMPEN (ANP) - Het hele artikel over de dijk, met <a href="https://waterschap.example/dijk">de plannen</a>.</p>';

/** The config every daemon here runs: sources on a closed port (their polls fail, which no feed shows), `state` as given. */
function configYaml(state: string): string {
  return `server: { port: 0, baseUrl: "http://wirefeed.test" }
state: ${state}
sources:
  - { id: alfa, title: Alfa Binnenland, url: "http://127.0.0.1:9/alfa", schedule: "0 0 1 1 *", lang: nl, keep: 5 }
  - { id: bravo, title: Bravo Economie, url: "http://127.0.0.1:9/bravo", schedule: "0 0 1 1 *", lang: nl }
  - { id: geheim, title: Geheime Regio, url: "http://127.0.0.1:9/geheim", schedule: "0 0 1 1 *", lang: nl, token: "${SOURCE_TOKEN}" }
feeds:
  - { id: alles, title: Alles, sources: [alfa, bravo] }
  - { id: prive, title: Prive, sources: [geheim, alfa], token: "${FEED_TOKEN}" }
`;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], stdin = ''): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdin: async () => new TextEncoder().encode(stdin),
    env: {},
    now: () => NOW,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

interface Served {
  status: number;
  etag: string | null;
  lastModified: string | null;
  body: string;
}

/** Start the daemon on `config` (with `env`, e.g. DATABASE_URL) at NOW and read every feed in every format. */
async function serveAll(config: string, env: NodeJS.ProcessEnv = {}): Promise<Record<string, Served>> {
  const app = await startApp({ config: await loadConfig(config, env), log: memoryLogger(), version: '0.0.0-test', port: 0, now: () => NOW });
  try {
    await app.settled;
    const out: Record<string, Served> = {};
    for (const [feed, query] of Object.entries(FEEDS)) {
      for (const ext of ['atom', 'rss', 'json']) {
        const res = await fetch(`${app.url}/feeds/${feed}.${ext}${query}`);
        out[`${feed}.${ext}`] = { status: res.status, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'), body: await res.text() };
      }
    }
    return out;
  } finally {
    await app.stop();
  }
}

async function exportOf(place: string): Promise<string> {
  const r = await cli(['state', 'export', '--from', place]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return r.stdout;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

let cluster: PgCluster;
let work: string;
/** The SQLite state and its config, which every daemon here runs (with $DATABASE_URL set, on PostgreSQL). */
let sqliteDir: string;
let sqliteConfig: string;
/** What the daemon served from the SQLite state, and the state's export. */
let served: Record<string, Served>;
let exported: string;

beforeAll(async () => {
  cluster = await startPgCluster();
  work = await mkdtemp(join(tmpdir(), 'wirefeed-move-'));
  sqliteDir = join(work, 'state');
  sqliteConfig = join(work, 'sqlite.yaml');
  await writeFile(sqliteConfig, configYaml('{ dir: ./state }'));

  const pages: [string, string, string][] = [
    ['alfa-1.txt', 'alfa', '2026-11-28T10:00:00Z'],
    ['bravo-1.txt', 'bravo', '2026-11-28T10:30:00Z'],
    ['alfa-2.txt', 'alfa', '2026-11-28T11:00:00Z'],
    ['geheim-1.txt', 'geheim', '2026-11-28T11:00:00Z'],
  ];
  for (const [file, source, at] of pages) {
    const r = await cli(['ingest', join(FIX, file), '--source', source, '--at', at, '--config', sqliteConfig]);
    expect([r.code, r.stderr]).toEqual([0, '']);
  }
  const store = await openStore(sqliteDir);
  try {
    // Retention: alfa keeps 5 of the 8 stories its pages showed; bravo shares the Utrecht story.
    expect([await store.countOf('alfa'), await store.countOf('bravo'), await store.countOf('geheim'), await store.size()]).toEqual([5, 4, 3, 11]);
    const kampen = (await store.feed({ sourceIds: ['alfa'], limit: 10 })).find((s) => s.headline === 'Dijkversterking bij Kampen eerder klaar')!;
    await store.putFullText(kampen.id, { entry: 'https://alfa.example/kampen hash', html: FULL_TEXT, attempts: 1, after: null, at: '2026-11-28T11:10:00Z' });
  } finally {
    await store.close();
  }
  served = await serveAll(sqliteConfig);
  exported = await exportOf(`sqlite:${sqliteDir}`);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the SQLite state the moves start from', () => {
  it('serves every feed, the full text among them; its export has the sources, then the stories in id order', () => {
    for (const [name, s] of Object.entries(served)) expect([name, s.status, s.etag]).toEqual([name, 200, expect.stringMatching(/^"[^"]+"$/)]);
    expect(served['alfa.atom']!.body).toContain('Het hele artikel over de dijk');
    expect(served['alles.json']!.body).toContain('treinreizigers');
    expect(served['prive.rss']!.body).toContain('Vertrouwelijk: fusie van twee waterschappen voorbereid');
    const lines = exported.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; id: string; fullTextTried?: unknown });
    expect(lines.map((l) => (l.kind === 'source' ? l.id : 'story'))).toEqual(['alfa', 'bravo', 'geheim', ...Array<string>(11).fill('story')]);
    const ids = lines.filter((l) => l.kind === 'story').map((l) => l.id);
    expect(ids).toEqual([...ids].sort());
    expect(lines.filter((l) => l.fullTextTried !== undefined).map((l) => l.fullTextTried)).toEqual([{ entry: 'https://alfa.example/kampen hash', attempts: 1, after: null }]);
  });
});

describe('SQLite → PostgreSQL', () => {
  it('export, then import --to postgres://: the same export back, and the daemon serves the same bytes and ETags', async () => {
    const file = join(work, 'export.jsonl');
    await writeFile(file, exported);
    const url = await cluster.database();
    expect(await cli(['state', 'import', file, '--to', url])).toEqual({ code: 0, stdout: `imported 11 stories into ${url}\n`, stderr: '' });
    expect(await exportOf(url)).toBe(exported);
    expect(await serveAll(sqliteConfig, { DATABASE_URL: url })).toEqual(served);
  });

  it('state copy --from sqlite:… --to postgres://…: the same', async () => {
    const url = await cluster.database();
    expect(await cli(['state', 'copy', '--from', `sqlite:${sqliteDir}`, '--to', url])).toEqual({
      code: 0,
      stdout: `copied 11 stories from ${sqliteDir} to ${url}\n`,
      stderr: '',
    });
    expect(await exportOf(url)).toBe(exported);
    expect(await serveAll(sqliteConfig, { DATABASE_URL: url })).toEqual(served);
  });

  it('import and copy without --to go into the configured state (state.url here; $DATABASE_URL wins over it)', async () => {
    const url = await cluster.database();
    const config = join(work, 'with-url.yaml');
    await writeFile(config, configYaml(`{ dir: ./unused, url: "${url}" }`));
    expect(await cli(['state', 'import', '-', '--config', config], exported)).toEqual({ code: 0, stdout: `imported 11 stories into ${url}\n`, stderr: '' });
    expect(await exportOf(url)).toBe(exported);
    const other = await cluster.database();
    await writeFile(config, configYaml(`{ dir: ./unused, url: "${other}" }`));
    expect(await cli(['state', 'copy', '--from', `sqlite:${sqliteDir}`, '--config', config])).toEqual({ code: 0, stdout: `copied 11 stories from ${sqliteDir} to ${other}\n`, stderr: '' });
    expect(await exportOf(other)).toBe(exported);
  });

  it('through a pipe between two processes (stdin -), the built command as an operator runs it', async () => {
    const url = await cluster.database();
    const bin = join(ROOT, 'bin/wirefeed.js');
    const script = `"${process.execPath}" "${bin}" state export --from "sqlite:${sqliteDir}" | "${process.execPath}" "${bin}" state import - --to "${url}"`;
    // stdin not a socket: bash would take itself for an ssh session's shell and read ~/.bashrc.
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { env: { PATH: process.env['PATH'] }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `imported 11 stories into ${url}\n`, stderr: '' });
    expect(await exportOf(url)).toBe(exported);
  });
});

describe('PostgreSQL → SQLite', () => {
  it('state copy back into a new state directory: the daemon serves the same bytes and ETags', async () => {
    const url = await cluster.database();
    expect((await cli(['state', 'import', '-', '--to', url], exported)).code).toBe(0);
    // The PostgreSQL state has been served (and its polls recorded) before it moves back.
    expect(await serveAll(sqliteConfig, { DATABASE_URL: url })).toEqual(served);
    const back = await mkdtemp(join(tmpdir(), 'wirefeed-back-'));
    try {
      expect(await cli(['state', 'copy', '--from', url, '--to', `sqlite:${join(back, 'state')}`])).toEqual({
        code: 0,
        stdout: `copied 11 stories from ${url} to ${join(back, 'state')}\n`,
        stderr: '',
      });
      const config = join(back, 'wirefeed.yaml');
      await writeFile(config, configYaml('{ dir: ./state }'));
      expect(await serveAll(config)).toEqual(served);
      const lines = (await exportOf(`sqlite:${join(back, 'state')}`)).split('\n');
      expect(lines.filter((l) => l.startsWith('{"kind":"story"')).join('\n')).toBe(exported.split('\n').filter((l) => l.startsWith('{"kind":"story"')).join('\n'));
    } finally {
      await rm(back, { recursive: true, force: true });
    }
  });
});

describe('refusals', () => {
  it('into a target that is not empty: exit 1, the reason, and the target as it was (PostgreSQL and SQLite)', async () => {
    const url = await cluster.database();
    expect((await cli(['state', 'import', '-', '--to', url], exported)).code).toBe(0);
    const again = await cli(['state', 'import', '-', '--to', url], exported.replace(/"Dijkversterking/g, '"Andere kop'));
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `wirefeed state import: cli: ${url} holds 11 stories and the bookkeeping of 3 sources already; a state moves into an empty one only ` +
        `(a new database, or a directory without wirefeed.db); nothing was written (E_NOT_EMPTY)\n`,
    });
    expect(await exportOf(url)).toBe(exported);

    const copied = await cli(['state', 'copy', '--from', url, '--to', `sqlite:${sqliteDir}`]);
    expect([copied.code, copied.stdout, copied.stderr]).toEqual([1, '', expect.stringContaining(`${sqliteDir} holds 11 stories and the bookkeeping of 3 sources already`)]);
    expect(await exportOf(`sqlite:${sqliteDir}`)).toBe(exported);
  });

  it('a garbled export is refused whole before anything is written, also past the first transaction', async () => {
    const url = await cluster.database();
    const story = exported.split('\n').find((l) => l.startsWith('{"kind":"story"'))!;
    // 5,001 stories (more than one transaction's worth), then a line cut short.
    const many = Array.from({ length: 5001 }, (_, i) => story.replaceAll(/"id":"[0-9a-f]+"/g, `"id":"x${String(i).padStart(5, '0')}"`)).join('\n');
    const r = await cli(['state', 'import', '-', '--to', url], `${many}\n${story.slice(0, 40)}\n`);
    expect(r).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^wirefeed state import: cli: stdin:5002: not JSON \(E_IMPORT\): caused by .+\n$/) });
    expect(await query<{ n: string }>(url, 'SELECT count(*) AS n FROM stories').catch((err: Error) => err.message)).toBe('relation "stories" does not exist');
  });

  it('a move that fails half-way says how far it got and leaves no source bookkeeping (no validator without its stories)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wirefeed-half-'));
    try {
      const sources = exported.split('\n').filter((l) => l.startsWith('{"kind":"source"'));
      const story = exported.split('\n').find((l) => l.startsWith('{"kind":"story"'))!;
      const many = Array.from({ length: 5001 }, (_, i) => story.replaceAll(/"id":"[0-9a-f]+"/g, `"id":"x${String(i).padStart(5, '0')}"`));
      // The last story reads as a story but the database refuses it (a headline is NOT NULL): in the second transaction.
      many[5000] = many[5000]!.replace(/"headline":"[^"]*"/, '"headline":null');
      const r = await cli(['state', 'import', '-', '--to', `sqlite:${dir}`], [...sources, ...many, ''].join('\n'));
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(new RegExp(`^wirefeed state import: cli: stopped after 5000 stories were written into ${dir}; empty it before trying again \\(E_PARTIAL\\): caused by store: writing .*NOT NULL`)),
      });
      const store = await openStore(dir, { lock: false });
      try {
        expect([await store.size(), await store.sources()]).toEqual([5000, {}]);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a source directory without a database is not created; bad places, copy without --from and export --to are usage errors', async () => {
    const missing = join(work, 'no-such-state');
    expect(await cli(['state', 'copy', '--from', `sqlite:${missing}`, '--to', `sqlite:${join(work, 'x')}`])).toEqual({
      code: 1,
      stdout: '',
      stderr: `wirefeed state copy: store: no database ${missing}/wirefeed.db to read (E_NO_STATE): caused by ENOENT: no such file or directory, stat '${missing}/wirefeed.db'\n`,
    });
    const bad = await cli(['state', 'copy', '--from', `sqlite:${sqliteDir}`, '--to', 'mysql://wf:geheim@db/wirefeed']);
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([2, 'wirefeed state copy: --to takes sqlite:<dir> or a postgres:// URL']);
    expect(bad.stderr).not.toContain('geheim');
    expect((await cli(['state', 'copy', '--to', `sqlite:${sqliteDir}`])).code).toBe(2);
    expect((await cli(['state', 'export', '--to', `sqlite:${sqliteDir}`])).code).toBe(2);
  });

  it('an unreachable database: the stage, the code, the cause, and the password redacted', async () => {
    const r = await cli(['state', 'export', '--from', 'postgres://wf:geheim@127.0.0.1:1/wirefeed']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^wirefeed state export: store: opening postgres:\/\/wf:\*\*\*@127\.0\.0\.1:1\/wirefeed failed \(ECONNREFUSED\): .*connect ECONNREFUSED 127\.0\.0\.1:1/);
    expect(r.stderr).not.toContain('geheim');
  });
});

describe('state check and backup on PostgreSQL', () => {
  it('check: the server, the schema, ok, and the stories per source; a drifted count and an empty database fail it', async () => {
    const url = await cluster.database();
    const config = join(work, 'check.yaml');
    await writeFile(config, configYaml(`{ dir: ./unused, url: "${url}" }`));
    const empty = await cli(['state', 'check', '--config', config]);
    expect(empty).toEqual({
      code: 1,
      stdout: expect.stringMatching(/^database: postgres:\/\/postgres@127\.0\.0\.1:\d+\/wirefeed_\d+ \(PostgreSQL 15\.[^\n]+\)\nschema: version 0\ncheck: no wirefeed tables: an empty database \(wirefeed creates them at its first start\)\n$/),
      stderr: '',
    });
    expect((await cli(['state', 'import', '-', '--config', config], exported)).code).toBe(0);
    const ok = await cli(['state', 'check', '--config', config]);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout.split('\n').slice(1)).toEqual(['schema: version 4', 'check: ok', 'alfa: 5 stories', 'bravo: 4 stories', 'geheim: 3 stories', 'total: 11 stories', '']);
    await query(url, `UPDATE source_counts SET stories = 9 WHERE source_id = 'bravo'`);
    const drifted = await cli(['state', 'check', '--config', config]);
    expect([drifted.code, drifted.stdout.split('\n').slice(2, 4)]).toEqual([1, ['check: source bravo: 9 stories counted, 4 listed', 'alfa: 5 stories']]);
  });

  it('backup names pg_dump, with the password redacted', async () => {
    const config = join(work, 'backup.yaml');
    await writeFile(config, configYaml('{ dir: ./unused, url: "postgres://wf:geheim@127.0.0.1:1/wirefeed" }'));
    expect(await cli(['state', 'backup', join(work, 'b.db'), '--config', config])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'wirefeed state backup: store: this config keeps its state in PostgreSQL (postgres://wf:***@127.0.0.1:1/wirefeed), which pg_dump backs up ' +
        '(pg_dump --format=custom --file=wirefeed.dump "$DATABASE_URL"); wirefeed state export gives a portable copy (E_STATE_URL)\n',
    });
    expect(await readFile(join(work, 'b.db')).catch((err: NodeJS.ErrnoException) => err.code)).toBe('ENOENT');
  });
});
