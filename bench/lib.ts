/**
 * What the benchmark modules share: the figure type, fixtures, synthetic stories and states,
 * and child processes (the daemon, the 304 upstream, autocannon) with their CPU and memory read
 * from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatedStory } from '../src/model.js';
import { seeded as rng } from '../tests/helpers/random.js';

/** A deterministic pseudo-random generator (mulberry32): the same bench text every run. */
export { rng };

/** One measured figure and its target. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** `>= 50` or `<= 200`; null: reported for information only. */
  target: { op: '>=' | '<='; value: number } | null;
  note?: string;
}

export const atLeast = (value: number) => ({ op: '>=' as const, value });
export const atMost = (value: number) => ({ op: '<=' as const, value });

export function passes(f: Figure): boolean | null {
  if (f.target === null) return null;
  return f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value;
}

/** The repository root, from dist/bench/*.js or bench/*.ts alike. */
export const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'wirefeed.js');
/** Compiled bench helpers run as children (upstream server). */
export const DIST_BENCH = fileURLToPath(new URL('.', import.meta.url));

/** A test fixture (`parse/nl-buitenland.txt`): the bench builds its inputs from the same pages the tests check. */
export function fixture(name: string): Promise<string> {
  return readFile(join(ROOT, 'tests', 'fixtures', name), 'utf8');
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `wirefeed-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Median of several runs after warm-up: one GC pause must not be the figure. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---- synthetic stories ------------------------------------------------------------------

const PLACES = ['WASHINGTON', 'TEL AVIV', 'SEOUL', 'TOKIO', 'SAO PAULO', 'GELIDA', 'BERLIJN', 'PARIJS', 'KYIV', 'NEW DELHI'];
const AGENCIES = [['ANP', 'AFP'], ['ANP', 'RTR'], ['ANP'], ['ANP', 'DPA']];
const WORDS = (
  'de het een regering minister president parlement leger stad land week jaar dinsdag woensdag ' +
  'militairen bevolking verkiezingen akkoord rechtbank politie onderzoek besluit economie handel ' +
  'grens vrede overleg oppositie premier burgemeester woordvoerder verklaring maatregelen steun'
).split(' ');

function sentence(r: () => number, n: number): string {
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(r() * WORDS.length)]!);
  const s = w.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + '.';
}

/** Body paragraphs of about `chars` characters, the lead opening with a dateline. */
export function syntheticBody(r: () => number, tag: string, chars: number): { place: string; agencies: string[]; body: string[] } {
  const place = PLACES[Math.floor(r() * PLACES.length)]!;
  const agencies = AGENCIES[Math.floor(r() * AGENCIES.length)]!;
  const lead = `${place} (${agencies.join('/')}) - ${sentence(r, 12)} Zaak ${tag} ${sentence(r, 14)}`;
  const body = [lead];
  let len = lead.length;
  while (len < chars) {
    const p = sentence(r, 14) + ' ' + sentence(r, 12);
    body.push(p);
    len += p.length;
  }
  return { place, agencies, body };
}

/** A dated story as resolve hands it to ingest: realistic body of ~`chars` characters. */
export function datedStory(r: () => number, tag: string, at: Date, chars = 600): DatedStory {
  const { place, agencies, body } = syntheticBody(r, tag, chars);
  const latest = new Date(at.getTime() - Math.floor(r() * 48) * 3600_000);
  return {
    headline: `${sentence(r, 7).slice(0, -1)} (${tag})`,
    headlineDerived: false,
    place,
    agencies: [...agencies],
    section: 'Buitenland',
    body,
    ageText: null,
    leadSentence: body[0]!.slice(body[0]!.indexOf(' - ') + 3).split('.')[0]!,
    link: null,
    author: null,
    image: null,
    datetime: null,
    publishedEarliest: new Date(latest.getTime() - 3600_000),
    publishedLatest: latest,
  };
}

// ---- child processes ---------------------------------------------------------------------

export interface Child {
  proc: ChildProcess;
  pid: number;
  lines: string[];
  /** Resolves with the first capture of `re` in the output. */
  waitLine(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

export function startChild(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Child {
  const proc = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', ...opts.env } });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve(m: RegExpExecArray): void }[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.on('exit', () => ((exited = true), resolve())));
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue;
      if (lines.length < 10_000) lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const m = waiters[i]!.re.exec(line);
        if (m) {
          waiters[i]!.resolve(m);
          waiters.splice(i, 1);
        }
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return {
    proc,
    pid: proc.pid!,
    lines,
    waitLine: (re, ms = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')}: no line ${re} in ${ms} ms:\n${lines.slice(-20).join('\n')}`)), ms);
        void exit.then(() => reject(new Error(`${cmd} exited:\n${lines.slice(-20).join('\n')}`)));
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      }),
    stop: async () => {
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // USER_HZ is 100 on Linux
}

/** Resident set size in MB, from /proc/<pid>/status. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

/** The 304 upstream (bench/upstream.ts) in its own process; resolves with its base URL. */
export async function startUpstream(): Promise<Child & { url: string; count(): Promise<number> }> {
  const child = startChild(process.execPath, [join(DIST_BENCH, 'upstream.js')]);
  const m = await child.waitLine(/listening (http:\/\/\S+)/);
  const url = m[1]!;
  return {
    ...child,
    url,
    count: async () => Number(await (await fetch(`${url}/_count`)).text()),
  };
}

export interface DaemonSource {
  id: string;
  url: string;
  schedule?: string;
}

/** A wirefeed config with url sources; returns its path. */
export async function writeDaemonConfig(dir: string, stateDir: string, sources: readonly DaemonSource[], port = 0): Promise<string> {
  const yaml = [
    'server:',
    '  host: 127.0.0.1',
    `  port: ${port}`,
    '  baseUrl: http://127.0.0.1:8080',
    'state:',
    `  dir: ${JSON.stringify(stateDir)}`,
    'sources:',
    ...sources.flatMap((s) => [
      `  - id: ${s.id}`,
      `    title: Bench ${s.id}`,
      `    url: ${s.url}`,
      '    format: text',
      '    lang: nl',
      `    schedule: ${JSON.stringify(s.schedule ?? '0 0 1 1 *')}`,
      '    keep: 1000',
      '    maxAgeDays: 3650',
    ]),
  ].join('\n');
  const file = join(dir, 'wirefeed.yaml');
  await writeFile(file, yaml + '\n');
  return file;
}

export interface Daemon extends Child {
  url: string;
  /** ms from spawn to the "listening" line. */
  listeningMs: number;
}

/**
 * Node's options in the shipped unit's ExecStart (between node and bin/wirefeed.js), and the
 * environment the unit gives: HOME and its Environment= lines (MALLOC_ARENA_MAX, LOG_LEVEL).
 * startChild adds PATH and nothing else of the bench's own environment.
 */
export async function unitNodeOptions(): Promise<{ options: string[]; env: Record<string, string> }> {
  const unit = await readFile(join(ROOT, 'systemd', 'wirefeed.service'), 'utf8');
  const exec = /^ExecStart=(.+)$/m.exec(unit)?.[1]?.split(' ') ?? [];
  const bin = exec.findIndex((a) => a.endsWith('/bin/wirefeed.js'));
  if (bin < 1) throw new Error('bench: no node … bin/wirefeed.js in the unit\'s ExecStart');
  const env: Record<string, string> = { HOME: process.env['HOME'] ?? '/' };
  for (const m of unit.matchAll(/^Environment=(\w+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
  return { options: exec.slice(1, bin), env };
}

/**
 * `wirefeed run --config FILE` as a separate process, run as the systemd unit runs it, once it
 * listens: the unit's node options and environment, not the bench's. A sandbox's
 * NODE_EXTRA_CA_CERTS, say, makes node parse a CA bundle at boot (60–80 ms of the start).
 */
export async function startDaemon(config: string, logLevel = 'warn'): Promise<Daemon> {
  const { options, env } = await unitNodeOptions();
  const t0 = performance.now();
  // info level is needed for the "listening" line that carries the URL; the rest is quiet.
  const child = startChild(process.execPath, [...options, BIN, 'run', '--config', config, '--log-level', logLevel === 'warn' ? 'info' : logLevel], { env });
  const m = await child.waitLine(/wirefeed listening .*url=(http:\/\/\S+)/, 30_000);
  return { ...child, url: m[1]!, listeningMs: performance.now() - t0 };
}

/** Run autocannon in its own process (the server must keep its core); returns its JSON summary. */
export async function autocannon(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<AutocannonResult> {
  const args = [join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'), '-j', '-c', String(opts.connections), '-d', String(opts.seconds)];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(url);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited ${code}: ${err.slice(-2000)}`);
  return JSON.parse(out) as AutocannonResult;
}

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
