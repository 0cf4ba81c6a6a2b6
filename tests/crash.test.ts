/**
 * Crash safety of the state: SIGKILL at random moments during ingest and commits, a corrupt
 * database at start (refuse, then --recover), a full disk and a read-only state directory under
 * a running daemon, and the state directory removed under it.
 * Child processes run the built dist/ (`npm run build`, which `npm test` does first).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/index.js';
import { startDaemon, startDaemonProcess, waitFor } from './helpers/daemon.js';
import { between, seeded, startFaultSite, textPage, wireHeadlines, wirePage } from './helpers/faults.js';
import { storiesOf } from './helpers/state.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const WRITER = join(import.meta.dirname, 'fixtures/faults/crash-writer.mjs');
const BIN = join(import.meta.dirname, '../bin/wirefeed.js');
const SOURCES = ['alfa', 'bravo', 'charlie'];

interface Writer {
  /** Imports done; the state is not touched yet. */
  loaded: Promise<void>;
  /** Let it open the state; resolves once it has. */
  go(): Promise<void>;
  /** SIGKILL; resolves to the highest count it printed after a commit (-1: none). */
  kill(): Promise<number>;
}

/** A writer child, started ahead so its start-up overlaps the previous one's run. */
function spawnWriter(dir: string): Writer {
  const child = spawn(process.execPath, [WRITER, dir, '10'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve(): void }[] = [];
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  });
  // The writer never exits by itself: any exit before our SIGKILL is a failure.
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.includes(text)) return resolve();
      waiters.push({ text, resolve });
      void exited.then((how) => reject(new Error(`writer exited (${String(how)}) before "${text}":\n${err}`)));
    });
  const loaded = printed('loaded\n');
  // The spare writer is killed before it ever loads; whoever awaits `loaded` still sees the rejection.
  loaded.catch(() => undefined);
  return {
    loaded,
    go() {
      child.stdin.write('go\n');
      return printed('ready ');
    },
    async kill() {
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const counts = [...out.matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1]));
      return counts.at(-1) ?? -1;
    },
  };
}

/** Kill rounds in one state directory; returns how many stories it held at the end. */
async function killLoop(dir: string, seed: number, rounds: number): Promise<{ held: number; afterWrite: number }> {
  const rnd = seeded(seed);
  let mustHold = 0;
  let afterWrite = 0;
  let next = spawnWriter(dir);
  for (let round = 0; round < rounds; round++) {
    const writer = next;
    await writer.loaded;
    await writer.go();
    next = spawnWriter(dir);
    await new Promise((r) => setTimeout(r, between(rnd, 5, 150)));
    const printed = await writer.kill();
    mustHold = Math.max(mustHold, printed);
    const store = await openStore(dir, { lock: false }).catch((e: unknown) => {
      throw new Error(`seed ${seed}, round ${round}: state does not load: ${String(e)}`);
    });
    const held = new Set<string>();
    const noBody: string[] = [];
    for (const s of SOURCES) {
      for (const story of await storiesOf(store, s)) {
        held.add(story.headline);
        // Every story held has its body too.
        const n = story.headline.split(' ')[1];
        if (story.body[0] !== `DEN HAAG (ANP) - ${story.headline} is gebeurd op tijdstip ${n}.`) noBody.push(story.headline);
      }
    }
    expect(noBody, `seed ${seed}, round ${round}: stories without their body`).toEqual([]);
    const missing = Array.from({ length: mustHold }, (_, i) => `Verhaal ${i}`).filter((h) => !held.has(h));
    expect(missing, `seed ${seed}, round ${round}`).toEqual([]);
    // Every story is listed once under its one source.
    expect(await store.size(), `seed ${seed}, round ${round}`).toBe(held.size);
    await store.close();
    expect(integrity(dir), `seed ${seed}, round ${round}`).toBe('ok');
    if (held.size > mustHold) afterWrite++;
    mustHold = Math.max(mustHold, held.size);
  }
  await next.kill();
  return { held: mustHold, afterWrite };
}

describe('SIGKILL during ingest and commits', () => {
  it('100 random kills (two state dirs side by side): the state always opens, passes integrity_check and holds every story of every commit', async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? 20261128);
    const dirs = [await tempDir(), await tempDir()];
    const results = await Promise.all(dirs.map((dir, lane) => killLoop(dir, seed + lane, 50)));
    console.log(
      `crash: seeds ${seed}, ${seed + 1}: 2 × 50 SIGKILLs; stories held at the end: ${results.map((r) => r.held).join(', ')}; ` +
        `kills that fell between a commit and its print: ${results.map((r) => r.afterWrite).join(', ')}`,
    );
  }, 240_000);
});

/** SQLite's own check of the database in `dir`. */
function integrity(dir: string): string {
  const db = new Database(join(dir, 'wirefeed.db'), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

async function runWirefeed(args: string[]): Promise<{ code: number; out: string }> {
  return run(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

describe('a corrupt database at start', () => {
  it('run refuses naming the file and --recover; run --recover moves it aside and starts; nothing is overwritten', async () => {
    const dir = await tempDir();
    const config = join(dir, 'wirefeed.yaml');
    await writeFile(config, `server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, path: ./alfa.txt }\n`);
    await writeFile(join(dir, 'alfa.txt'), wirePage('alfa'));
    await mkdir(join(dir, 'state'), { recursive: true });
    const broken = join(dir, 'state/wirefeed.db');
    const bytes = 'SQLite format 3\u0000 but then a few words that are no database page at all'.repeat(100);
    await writeFile(broken, bytes);

    const refused = await runWirefeed(['run', '--config', config]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`database ${broken} is corrupt (SQLITE_NOTADB)`);
    expect(refused.out).toContain('wirefeed run --recover');
    expect(await readFile(broken, 'utf8')).toBe(bytes);

    const d = await startDaemonProcess(['--config', config, '--recover']);
    afterThisTest(async () => void (await d.kill('SIGKILL')));
    const aside = (await readdir(join(dir, 'state'))).filter((n) => n.startsWith('wirefeed.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^wirefeed\.db\.corrupt-\d{8}T\d{6}Z$/);
    expect(await readFile(join(dir, 'state', aside[0]!), 'utf8')).toBe(bytes);
    expect(d.lines.some((l) => l.includes('recover: moved a broken state file aside') && l.includes(aside[0]!))).toBe(true);
    // It started empty and ingests the watched file again.
    await waitFor('the watched file to be ingested', async () => {
      const res = await fetch(`${d.url}/feeds/alfa.json`);
      const feed = (await res.json()) as { items: { title: string }[] };
      return feed.items.length === 3;
    });
    expect(await d.kill('SIGTERM')).toBe(0);
  });
});

/** A way to make the disk under `dir` refuse writes, and to undo it. */
interface Fault {
  break(): Promise<void>;
  mend(): Promise<void>;
  undo(): Promise<void>;
}

/** A tmpfs of 256 KB mounted on `dir`, filled to ENOSPC (the tests run as root, as CI does). */
async function fullDisk(dir: string): Promise<Fault> {
  await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  return {
    async break() {
      // dd stops with ENOSPC when the file system is full; that is the point.
      await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k']).catch((e: { stderr: string }) => expect(e.stderr).toContain('No space left on device'));
    },
    mend: () => rm(filler),
    undo: async () => void (await run('umount', [dir])),
  };
}

/**
 * `dir` and its database files made immutable: every write is refused (EPERM), through open
 * descriptors too, as on a read-only mount (a remount read-only is refused while the database is
 * open for writing; root ignores permissions).
 */
async function readOnlyDir(dir: string): Promise<Fault> {
  const flag = async (how: '+i' | '-i') => {
    const names = (await readdir(dir)).filter((n) => n.startsWith('wirefeed.db'));
    for (const path of [dir, ...names.map((n) => join(dir, n))]) await run('chattr', [how, path]);
  };
  return { break: () => flag('+i'), mend: () => flag('-i'), undo: () => flag('-i') };
}

async function titles(url: string): Promise<Set<string>> {
  const feed = (await (await fetch(`${url}/feeds/alfa.json`)).json()) as { items: { title: string }[] };
  return new Set(feed.items.map((i) => i.title));
}

describe('a full disk or a read-only state directory under the daemon', () => {
  for (const fault of ['full', 'read-only'] as const) {
    it(`${fault}: the failed commit is logged with its cause, serving goes on from what is committed, nothing committed is lost, the next poll succeeds once the disk is back`, async () => {
      let page = wirePage('alfa');
      const site = await startFaultSite({ alfa: (q, r, s) => textPage(page)(q, r, s) });
      afterThisTest(() => site.close());
      const dir = await tempDir();
      const stateDir = join(dir, 'state');
      await mkdir(stateDir);
      const disk = fault === 'full' ? await fullDisk(stateDir) : await readOnlyDir(stateDir);
      afterThisTest(() => disk.undo());
      const { app, lines } = await startDaemon(dir, `state: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, url: ${site.url}/alfa, lang: nl, schedule: "0 * * * *" }\n`);
      afterThisTest(() => app.stop(1000).catch(() => undefined));
      await app.settled;
      expect(await titles(app.url)).toEqual(new Set(wireHeadlines('alfa')));

      await disk.break();
      page = wirePage('bravo');
      await app.pollNow('alfa');
      const failure = lines.find((l) => l.includes('error fetch error source=alfa'))!;
      const code = fault === 'full' ? 'SQLITE_FULL' : 'SQLITE_IOERR_WRITE';
      expect(failure).toContain(`error="store: writing ${join(stateDir, 'wirefeed.db')} failed (${code})`);
      // Serving goes on from what is committed: a feed never shows what is not on disk.
      expect(await titles(app.url)).toEqual(new Set(wireHeadlines('alfa')));

      await disk.mend();
      await app.pollNow('alfa');
      expect(lines.at(-1)).toMatch(/ info  fetch ok source=alfa new=3 /);
      expect(await titles(app.url)).toEqual(new Set([...wireHeadlines('alfa'), ...wireHeadlines('bravo')]));
      await app.stop(1000);
      expect(integrity(stateDir)).toBe('ok');
      const store = await openStore(stateDir);
      expect((await storiesOf(store, 'alfa')).map((s) => s.headline).sort()).toEqual([...wireHeadlines('alfa'), ...wireHeadlines('bravo')].sort());
      await store.close();
    });
  }
});

describe('the state directory removed under the daemon', () => {
  it('is found at the next poll: logged once, /healthz 503 naming it, nothing written again, nothing recreated', async () => {
    const site = await startFaultSite({ alfa: textPage(wirePage('alfa')), bravo: textPage(wirePage('bravo')) });
    afterThisTest(() => site.close());
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    const { app, lines } = await startDaemon(
      dir,
      `state: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, url: ${site.url}/alfa, lang: nl, schedule: "0 * * * *" }\n  - { id: bravo, title: Bravo, url: ${site.url}/bravo, lang: nl, schedule: "0 * * * *" }\n`,
    );
    afterThisTest(() => app.stop(1000).catch(() => undefined));
    await app.settled;
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

    await rm(stateDir, { recursive: true });
    await app.pollNow('alfa');
    await app.pollNow('bravo');
    const lost = lines.filter((l) => l.includes('state lost'));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain(`error state lost: nothing is written until it is back; restart wirefeed state=${stateDir} error="store: database ${join(stateDir, 'wirefeed.db')} is gone (state directory removed?); nothing more is written`);
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { state: string }).state).toContain('E_STATE_GONE');
    // Nothing went on being written anywhere: not into the deleted file, not into a new directory.
    expect(await stat(stateDir).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
    // The feeds are still served from the open database (its file is gone only from the directory).
    expect(await titles(app.url)).toEqual(new Set(wireHeadlines('alfa')));
  });
});
