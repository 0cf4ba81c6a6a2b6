/**
 * Crash safety of the state: SIGKILL at random moments during ingest and writes, a corrupt
 * state file at start (refuse, then --recover), and a full disk under a running daemon.
 * Child processes run the built dist/ (`npm run build`, which `npm test` does first).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { STORY_COLUMNS } from '../src/store/story-file.js';
import { startDaemon, startDaemonProcess, waitFor } from './helpers/daemon.js';
import { between, seeded, startFaultSite, textPage, wireHeadlines, wirePage } from './helpers/faults.js';
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
  /** SIGKILL; resolves to the highest count it printed after a completed flush (-1: none). */
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
      const counts = [...out.matchAll(/^flushed (\d+)$/gm)].map((m) => Number(m[1]));
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
      for (const story of store.ofSource(s)) {
        held.add(story.headline);
        // Bodies live in their own files: every story held has its body too.
        const n = story.headline.split(' ')[1];
        if (story.body[0] !== `DEN HAAG (ANP) - ${story.headline} is gebeurd op tijdstip ${n}.`) noBody.push(story.headline);
      }
    }
    expect(noBody, `seed ${seed}, round ${round}: stories without their body`).toEqual([]);
    const missing = Array.from({ length: mustHold }, (_, i) => `Verhaal ${i}`).filter((h) => !held.has(h));
    expect(missing, `seed ${seed}, round ${round}`).toEqual([]);
    // Every story is listed once under its one source.
    expect(store.size(), `seed ${seed}, round ${round}`).toBe(held.size);
    if (held.size > mustHold) afterWrite++;
    mustHold = Math.max(mustHold, held.size);
  }
  await next.kill();
  return { held: mustHold, afterWrite };
}

describe('SIGKILL during ingest and state writes', () => {
  it('100 random kills (two state dirs side by side): the state always loads and holds every story of every completed write', async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? 20261128);
    const dirs = [await tempDir(), await tempDir()];
    const results = await Promise.all(dirs.map((dir, lane) => killLoop(dir, seed + lane, 50)));
    // Temp files of killed writers are removed once a store opens the directory with its lock.
    for (const dir of dirs) {
      const store = await openStore(dir);
      await store.close();
      const leftovers = [...(await readdir(dir)), ...(await readdir(join(dir, 'stories'))), ...(await readdir(join(dir, 'bodies')))].filter((n) => n.endsWith('.tmp'));
      expect(leftovers).toEqual([]);
    }
    console.log(
      `crash: seeds ${seed}, ${seed + 1}: 2 × 50 SIGKILLs; stories held at the end: ${results.map((r) => r.held).join(', ')}; ` +
        `kills that fell between a completed write and its print: ${results.map((r) => r.afterWrite).join(', ')}`,
    );
  });
});

async function runWirefeed(args: string[]): Promise<{ code: number; out: string }> {
  return run(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

describe('a corrupt state file at start', () => {
  it('run refuses naming the file and --recover; run --recover moves it aside and starts; nothing is overwritten', async () => {
    const dir = await tempDir();
    const config = join(dir, 'wirefeed.yaml');
    await writeFile(config, `server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, path: ./alfa.txt }\n`);
    await writeFile(join(dir, 'alfa.txt'), wirePage('alfa'));
    await mkdir(join(dir, 'state/stories'), { recursive: true });
    const broken = join(dir, 'state/stories/alfa.json');
    const bytes = '{"version":2,"stories":[{"id":"abc","keys":["abc"],"headl';
    await writeFile(broken, bytes);

    const refused = await runWirefeed(['run', '--config', config]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`state file ${broken} is corrupt`);
    expect(refused.out).toContain('wirefeed run --recover');
    expect(await readFile(broken, 'utf8')).toBe(bytes);

    const d = await startDaemonProcess(['--config', config, '--recover']);
    afterThisTest(async () => void (await d.kill('SIGKILL')));
    const aside = (await readdir(join(dir, 'state/stories'))).filter((n) => n.startsWith('alfa.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^alfa\.json\.corrupt-\d{8}T\d{6}Z$/);
    expect(await readFile(join(dir, 'state/stories', aside[0]!), 'utf8')).toBe(bytes);
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

/** Mount a tiny tmpfs on `dir`, or make `dir` immutable when mounting is not permitted. */
async function shrinkDisk(dir: string): Promise<{ how: string; fill(): Promise<void>; free(): Promise<void>; undo(): Promise<void> }> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    const filler = join(dir, 'filler');
    return {
      how: 'tmpfs of 256 KB, filled to ENOSPC',
      async fill() {
        // dd stops with ENOSPC when the file system is full; that is the point.
        await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k']).catch((e: { stderr: string }) => expect(e.stderr).toContain('No space left on device'));
      },
      free: () => rm(filler),
      undo: async () => void (await run('umount', [dir])),
    };
  } catch (mountErr) {
    // Root ignores chmod, but not the immutable flag: no file can be created or renamed in dir.
    const dirs = [dir, join(dir, 'stories')];
    return {
      how: `chattr +i on the state directories (mount refused: ${String(mountErr).split('\n')[0]})`,
      async fill() {
        for (const d of dirs) await run('chattr', ['+i', d]);
      },
      async free() {
        for (const d of dirs) await run('chattr', ['-i', d]);
      },
      async undo() {
        for (const d of dirs) await run('chattr', ['-i', d]).catch(() => undefined);
      },
    };
  }
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of ['wirefeed.json', 'stories/alfa.json', 'bodies/alfa.json']) files.set(name, await readFile(join(dir, name), 'utf8'));
  return files;
}

describe('a full disk under the daemon', () => {
  it('logs the failed write, serves from memory, leaves the files on disk as they were, and writes once space is back', async () => {
    let page = wirePage('alfa');
    const site = await startFaultSite({ alfa: (q, r, s) => textPage(page)(q, r, s) });
    afterThisTest(() => site.close());
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    await mkdir(stateDir);
    const disk = await shrinkDisk(stateDir);
    afterThisTest(() => disk.undo());
    const { app, lines } = await startDaemon(dir, `state: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, url: ${site.url}/alfa, lang: nl, schedule: "0 * * * *" }\n`, {
      flushEveryMs: 100,
    });
    afterThisTest(() => app.stop(1000).catch(() => undefined));
    await app.settled;
    await waitFor('the first state write', async () => (await stat(join(stateDir, 'stories/alfa.json')).catch(() => null)) !== null && !app.store.dirty());
    const before = await snapshot(stateDir);

    await disk.fill();
    page = wirePage('bravo');
    await app.pollNow('alfa');
    await waitFor('the failed write to be logged', () => lines.some((l) => l.includes('error state write failed; will retry')));
    const failure = lines.find((l) => l.includes('state write failed'))!;
    expect(failure).toContain(`dir=${stateDir}`);
    expect(failure).toMatch(/error="store: cannot write \S+: (ENOSPC|EPERM)\b.*\(E_WRITE\)/);
    // Serving goes on from memory: the new stories are in the feed.
    const feed = (await (await fetch(`${app.url}/feeds/alfa.json`)).json()) as { items: { title: string }[] };
    expect(new Set(feed.items.map((i) => i.title))).toEqual(new Set([...wireHeadlines('alfa'), ...wireHeadlines('bravo')]));
    // A few more failed retries leave the bytes on disk exactly as they were, and no temp file.
    await new Promise((r) => setTimeout(r, 500));
    expect(app.store.dirty()).toBe(true);
    expect(await snapshot(stateDir)).toEqual(before);
    expect((await readdir(join(stateDir, 'stories'))).filter((n) => n !== 'alfa.json')).toEqual([]);
    expect((await readdir(join(stateDir, 'bodies'))).filter((n) => n !== 'alfa.json')).toEqual([]);
    expect(lines.filter((l) => l.includes('state write failed'))).toHaveLength(1);

    await disk.free();
    await waitFor('the retried write', () => lines.some((l) => l.includes('info  state written again')));
    const written = JSON.parse(await readFile(join(stateDir, 'stories/alfa.json'), 'utf8')) as { stories: unknown[][] };
    const headline = STORY_COLUMNS.indexOf('headline');
    expect(new Set(written.stories.map((row) => row[headline]))).toEqual(new Set([...wireHeadlines('alfa'), ...wireHeadlines('bravo')]));
    console.log(`full disk simulated with: ${disk.how}`);
  });
});
