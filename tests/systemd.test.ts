/**
 * wirefeed as systemd runs it (issue 5). No systemd runs as PID 1 here or in CI, so the unit is
 * checked with systemd-analyze, and the daemon is started the way the unit starts it: the unit's
 * own ExecStart (node and code paths pointed at this checkout, the config at a temp file), its
 * Environment=, systemd's PATH, $STATE_DIRECTORY, and $NOTIFY_SOCKET on a datagram socket that
 * tests/fixtures/systemd/notify-listener.py holds for the test. Child processes run dist/
 * (`npm test` builds it first).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, chmod, chown, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/store/schema.js';
import { waitFor } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const UNIT = join(ROOT, 'systemd/wirefeed.service');
const DROP_IN = join(ROOT, 'systemd/wirefeed.service.d/postgres.conf');
const INSTALL = join(ROOT, 'systemd/install.sh');
const LISTENER = join(ROOT, 'tests/fixtures/systemd/notify-listener.py');
const STATE_V1 = join(ROOT, 'tests/fixtures/systemd/state-v1.json');
const SAMPLE = join(ROOT, 'config/samples/nl-buitenland.txt');
/** What systemd gives a service as PATH on Debian 12: nothing from the test's own PATH. */
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SOURCE = 'anp-buitenland';
/** The static group the service runs as, which alone may read the config (its tokens). */
const CONFIG_GROUP = 'wirefeed-config';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Lines of a child's output as they come, and a way to wait for one. */
class Lines {
  readonly all: string[] = [];
  private partial = new Map<NodeJS.ReadableStream, string>();
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  feed(stream: NodeJS.ReadableStream): void {
    stream.on('data', (chunk: Buffer) => {
      const text = (this.partial.get(stream) ?? '') + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial.set(stream, parts.pop()!);
      for (const line of parts) this.push(line);
    });
  }

  private push(line: string): void {
    this.all.push(line);
    for (const w of this.waiters.filter((w) => w.match(line))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(line);
    }
  }

  /** The first line (seen already or still to come) that matches. */
  next(match: (line: string) => boolean, what: string, ms = 20_000): Promise<string> {
    const seen = this.all.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; lines:\n${this.all.join('\n')}`)), ms);
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }
}

interface Notify {
  socket: string;
  /** Every line of every datagram received, in order. */
  lines: Lines;
}

/** The stand-in for systemd's notify socket, bound before this returns. */
async function listenNotify(dir: string, opts: { holdAfterStopping?: boolean } = {}): Promise<Notify> {
  const socket = join(dir, 'notify');
  const child = spawn('/usr/bin/python3', [LISTENER, socket, ...(opts.holdAfterStopping ? ['--hold-after-stopping'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const status = new Lines();
  status.feed(child.stderr);
  const lines = new Lines();
  lines.feed(child.stdout);
  await status.next((l) => l === 'listening', 'the notify listener');
  return { socket, lines };
}

/** The unit's ExecStart and Environment=, read from the shipped unit. */
async function unitCommand(): Promise<{ argv: string[]; env: Record<string, string> }> {
  const text = await readFile(UNIT, 'utf8');
  const exec = /^ExecStart=(.+)$/m.exec(text)![1]!.split(' ');
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^Environment=(\w+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
  return { argv: exec, env };
}

interface Daemon {
  pid: number;
  lines: Lines;
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * `/usr/bin/node /opt/wirefeed/bin/wirefeed.js run --config /etc/wirefeed/wirefeed.yaml` from the
 * unit, with this node, this checkout and `config`; `env` on top of the unit's Environment=.
 */
async function startAsUnit(config: string, env: Record<string, string>, extraArgs: string[] = []): Promise<Daemon> {
  const unit = await unitCommand();
  const argv = unit.argv.map((a) => (a === '/usr/bin/node' ? process.execPath : a.replace(/^\/opt\/wirefeed\//, `${ROOT}/`).replace(/^\/etc\/wirefeed\/wirefeed\.yaml$/, config)));
  expect(argv.slice(1)).toEqual(['--max-semi-space-size=2', '--heap-growing-percent=20', `${ROOT}/bin/wirefeed.js`, 'run', '--config', config]);
  const child = spawn(argv[0]!, [...argv.slice(1), ...extraArgs], { env: { PATH: SYSTEMD_PATH, ...unit.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = new Lines();
  lines.feed(child.stdout);
  lines.feed(child.stderr);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid!, lines, exit, kill: (signal) => void child.kill(signal) };
}

/** A config for the temp dir `dir`: one watched file source (the shipped sample), port 0. */
async function writeSetup(dir: string, source = `path: nl-buitenland.txt`): Promise<string> {
  await copyFile(SAMPLE, join(dir, 'nl-buitenland.txt'));
  const config = join(dir, 'wirefeed.yaml');
  await writeFile(
    config,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      'state: { dir: ./not-used }   # $STATE_DIRECTORY wins',
      'sources:',
      `  - id: ${SOURCE}`,
      '    title: ANP Buitenland',
      `    ${source}`,
      '    format: text',
      '    lang: nl',
      '    timezone: Europe/Amsterdam',
      '',
    ].join('\n'),
  );
  return config;
}

interface Health {
  status: string;
  sources: Record<string, { stories: number; lastSuccess: string | null }>;
}

async function health(url: string): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

/** READY=1 arrived; the STATUS= that comes with it names the URL. */
async function readyUrl(notify: Notify): Promise<string> {
  await notify.lines.next((l) => l === 'READY=1', 'READY=1');
  const status = await notify.lines.next((l) => l.startsWith('STATUS=serving '), 'STATUS=serving');
  return status.slice('STATUS=serving '.length);
}

/** The stored stories' ids, read back by `wirefeed stories` (a separate process, a fresh load). */
async function storedIds(config: string, stateDir: string): Promise<string[]> {
  const r = await runTool(process.execPath, [join(ROOT, 'bin/wirefeed.js'), 'stories', '--config', config, '--format', 'json'], { PATH: SYSTEMD_PATH, STATE_DIRECTORY: stateDir });
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { id: string }[]).map((s) => s.id).sort();
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe('the unit', () => {
  it('passes systemd-analyze verify without a word', async () => {
    // verify checks that ExecStart's program exists; node is not /usr/bin/node on every machine
    // (CI may use another), so the copy verified names the node running this test instead.
    const dir = await tempDir();
    const text = await readFile(UNIT, 'utf8');
    const copy = text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `);
    expect(copy.split('\n').filter((l, i) => l !== text.split('\n')[i]).length).toBe(process.execPath === '/usr/bin/node' ? 0 : 1);
    await writeFile(join(dir, 'wirefeed.service'), copy);
    const r = await runTool('systemd-analyze', ['verify', join(dir, 'wirefeed.service')]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('with the PostgreSQL drop-in: verify reads it and says nothing; the URL comes from a root-only file, not from a unit', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'wirefeed.service'), (await readFile(UNIT, 'utf8')).replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
    await mkdir(join(dir, 'wirefeed.service.d'));
    const dropIn = await readFile(DROP_IN, 'utf8');
    const copy = join(dir, 'wirefeed.service.d', 'postgres.conf');
    // verify reads drop-ins from beside the unit: a wrong key in one is reported.
    await writeFile(copy, `${dropIn}Bogus=1\n`);
    const broken = await runTool('systemd-analyze', ['verify', join(dir, 'wirefeed.service')]);
    expect(broken.stderr).toBe(`${copy}:${dropIn.split('\n').length}: Unknown key 'Bogus' in section [Service], ignoring.\n`);
    await writeFile(copy, dropIn);
    expect(await runTool('systemd-analyze', ['verify', join(dir, 'wirefeed.service')])).toEqual({ code: 0, stdout: '', stderr: '' });
    const settings = dropIn.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(settings).toEqual(['[Unit]', 'After=postgresql.service', '[Service]', 'EnvironmentFile=/etc/wirefeed/database.env']);
    for (const text of [dropIn, await readFile(UNIT, 'utf8')]) expect(text).not.toMatch(/^Environment=.*DATABASE_URL/m);
  });

  it('rates 1.5 or lower ("OK") in systemd-analyze security --offline', async () => {
    const r = await runTool('systemd-analyze', ['security', '--offline=true', UNIT]);
    expect(r.code).toBe(0);
    const last = r.stdout.trim().split('\n').at(-1)!;
    const m = /^→ Overall exposure level for wirefeed\.service: (\d+\.\d) (\w+) /.exec(last);
    expect(m, last).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(1.5);
    expect(m![2]).toBe('OK');
  });

  it('denies the cloud metadata addresses and runs with the group that may read the config', async () => {
    const lines = (await readFile(UNIT, 'utf8')).split('\n');
    expect(lines.filter((l) => /^(IPAddress\w+|Group|User|DynamicUser|SupplementaryGroups)=/.test(l))).toEqual([
      'DynamicUser=yes',
      `Group=${CONFIG_GROUP}`,
      'IPAddressDeny=169.254.169.254 100.100.100.200 fd00:ec2::254',
    ]);
  });

  it('leaves MemoryDenyWriteExecute off (V8 JIT) and says why', async () => {
    const text = await readFile(UNIT, 'utf8');
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=/m);
    expect(text).toMatch(/^# Hardening\. Not MemoryDenyWriteExecute=yes: V8's JIT/m);
  });

  it('gives node the same options and malloc settings as npm start, so both run the daemon alike', async () => {
    const { argv, env } = await unitCommand();
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    const options = argv.slice(1, argv.indexOf('/opt/wirefeed/bin/wirefeed.js'));
    expect(options).toEqual(['--max-semi-space-size=2', '--heap-growing-percent=20']);
    const malloc = Object.entries(env).filter(([name]) => name.startsWith('MALLOC_'));
    expect(malloc).toEqual([['MALLOC_ARENA_MAX', '2']]);
    expect(pkg.scripts.start).toBe(`MALLOC_ARENA_MAX=2 node ${options.join(' ')} bin/wirefeed.js run`);
  });
});

describe('the daemon as the unit starts it', () => {
  it('sends READY=1 once /healthz answers and STOPPING=1 on SIGTERM; the state it writes loads again', async () => {
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    const config = await writeSetup(dir);
    const notify = await listenNotify(dir);
    const d = await startAsUnit(config, { STATE_DIRECTORY: stateDir, NOTIFY_SOCKET: notify.socket });

    const url = await readyUrl(notify);
    // Asked the moment READY=1 arrived: it must answer.
    const first = await health(url);
    expect(first.status).toBe(200);
    await waitFor('the first poll', async () => (await health(url)).body.sources[SOURCE]!.lastSuccess !== null);
    const count = (await health(url)).body.sources[SOURCE]!.stories;
    expect(count).toBeGreaterThan(0);

    d.kill('SIGTERM');
    expect(await d.exit).toBe(0);
    expect(notify.lines.all.filter((l) => l !== 'BARRIER=1')).toEqual([
      `MAINPID=${d.pid}`,
      'READY=1',
      `STATUS=serving ${url}`,
      `MAINPID=${d.pid}`,
      'STOPPING=1',
    ]);
    expect(d.lines.all.filter((l) => / (info |warn |error)/.test(l) && !l.includes(' fetch ')).map((l) => l.slice(25).replace(/ url=\S+/, ''))).toEqual([
      `info  wirefeed listening sources=1 stories=0 state=${stateDir}`,
      'info  SIGTERM: stopping',
      'info  stopped; state written',
    ]);

    // Written into $STATE_DIRECTORY, not into the config's state.dir.
    expect(await exists(join(stateDir, 'wirefeed.db'))).toBe(true);
    expect(await exists(join(dir, 'not-used'))).toBe(false);
    const ids = await storedIds(config, stateDir);
    expect(ids.length).toBe(count);

    // A second start loads them before its first poll.
    const notify2 = await listenNotify(await tempDir());
    const d2 = await startAsUnit(config, { STATE_DIRECTORY: stateDir, NOTIFY_SOCKET: notify2.socket });
    await readyUrl(notify2);
    expect(await d2.lines.next((l) => l.includes('wirefeed listening'), 'listening')).toContain(` stories=${count} `);
    d2.kill('SIGTERM');
    expect(await d2.exit).toBe(0);
    expect(await storedIds(config, stateDir)).toEqual(ids);
  });

  it('a second SIGTERM during shutdown exits at once, and the state still loads', async () => {
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    const config = await writeSetup(dir);
    // Holding STOPPING=1's barrier keeps the daemon inside its shutdown until the second signal.
    const notify = await listenNotify(dir, { holdAfterStopping: true });
    const d = await startAsUnit(config, { STATE_DIRECTORY: stateDir, NOTIFY_SOCKET: notify.socket });
    const url = await readyUrl(notify);
    await waitFor('the first poll', async () => (await health(url)).body.sources[SOURCE]!.lastSuccess !== null);
    const count = (await health(url)).body.sources[SOURCE]!.stories;
    // Stories are committed before /healthz counts them: nothing is waiting to be written.

    d.kill('SIGTERM');
    await notify.lines.next((l) => l === 'STOPPING=1', 'STOPPING=1');
    d.kill('SIGTERM');
    expect(await d.exit).toBe(1);
    expect(d.lines.all.filter((l) => l.includes('SIGTERM')).map((l) => l.slice(25))).toEqual(['info  SIGTERM: stopping', 'warn  SIGTERM again: exiting at once']);
    expect(d.lines.all.some((l) => l.includes('stopped; state written'))).toBe(false);

    expect((await storedIds(config, stateDir)).length).toBe(count);
    const notify2 = await listenNotify(await tempDir());
    const d2 = await startAsUnit(config, { STATE_DIRECTORY: stateDir, NOTIFY_SOCKET: notify2.socket });
    await readyUrl(notify2);
    expect(await d2.lines.next((l) => l.includes('wirefeed listening'), 'listening')).toContain(` stories=${count} `);
    d2.kill('SIGINT');
    expect(await d2.exit).toBe(0);
  });

  it('imports a version 1 state file in $STATE_DIRECTORY and keeps it in json-backup-<time>/', async () => {
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    await mkdir(stateDir);
    await mkdir(join(dir, 'spool'));
    // An empty spool: every story the daemon has comes from the old file.
    const config = await writeSetup(dir, 'dir: spool');
    const v1 = await readFile(STATE_V1);
    await writeFile(join(stateDir, 'wirefeed.json'), v1);
    const oldIds = (JSON.parse(v1.toString('utf8')) as { stories: { id: string }[] }).stories.map((s) => s.id).sort();

    const notify = await listenNotify(dir);
    const d = await startAsUnit(config, { STATE_DIRECTORY: stateDir, NOTIFY_SOCKET: notify.socket });
    const url = await readyUrl(notify);
    expect((await health(url)).body.sources[SOURCE]!.stories).toBe(oldIds.length);
    const line = await d.lines.next((l) => l.includes('state imported'), 'the import warning');
    expect(line).toMatch(new RegExp(`^\\S+ warn  state imported from JSON files stories=${oldIds.length} backup=${stateDir}/json-backup-\\d{8}T\\d{6}Z$`));
    d.kill('SIGTERM');
    expect(await d.exit).toBe(0);

    const backup = / backup=(\S+)$/.exec(line)![1]!;
    expect(await readFile(join(backup, 'wirefeed.json'))).toEqual(v1);
    expect((await readdir(stateDir)).filter((n) => n.startsWith('wirefeed.json'))).toEqual([]);
    expect(await storedIds(config, stateDir)).toEqual(oldIds);
  });

  it('refuses a database from a newer wirefeed, names it, and leaves it byte for byte', async () => {
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    await mkdir(stateDir);
    const config = await writeSetup(dir);
    const file = join(stateDir, 'wirefeed.db');
    const made = new Database(file);
    made.exec('CREATE TABLE something_new (x)');
    made.pragma('user_version = 99');
    made.close();
    const future = await readFile(file);

    const notify = await listenNotify(dir);
    const d = await startAsUnit(config, { STATE_DIRECTORY: stateDir, NOTIFY_SOCKET: notify.socket });
    expect(await d.exit).toBe(1);
    const errors = d.lines.all.filter((l) => / error /.test(l));
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain(`database ${file} was written by a newer wirefeed (schema version 99, this one knows ${SCHEMA_VERSION})`);
    expect(await readFile(file)).toEqual(future);
    const files = (await readdir(stateDir, { recursive: true, withFileTypes: true })).filter((e) => !e.isDirectory()).map((e) => e.name);
    expect(files).toEqual(['wirefeed.db']);
    expect(notify.lines.all).toEqual([]);
  });
});

describe('logs', () => {
  const ISO_START = /^(<\d>)?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

  it('under the journal ($JOURNAL_STREAM): a syslog priority on every line, no timestamps; SIGHUP reloads', async () => {
    const dir = await tempDir();
    const config = await writeSetup(dir);
    const notify = await listenNotify(dir);
    const d = await startAsUnit(config, { STATE_DIRECTORY: join(dir, 'state'), NOTIFY_SOCKET: notify.socket, JOURNAL_STREAM: '8:424242', LOG_LEVEL: 'debug' });
    const url = await readyUrl(notify);
    await health(url);
    await d.lines.next((l) => l.startsWith('<7>http '), 'the access log line');

    // A changed port: a warning (<4>), the rest of the config applies.
    const good = await readFile(config, 'utf8');
    await writeFile(config, good.replace('port: 0', 'port: 1'));
    d.kill('SIGHUP');
    await d.lines.next((l) => l.startsWith('<6>config reloaded'), 'the reload');
    // A broken config: errors (<3>), the old config keeps running.
    await writeFile(config, `${good}bogus: true\n`);
    d.kill('SIGHUP');
    await d.lines.next((l) => l.startsWith('<3>config reload failed'), 'the failed reload');
    await notify.lines.next((l) => l === 'READY=1' && notify.lines.all.filter((x) => x === 'READY=1').length === 3, 'READY=1 after the second reload');
    expect((await health(url)).status).toBe(200);
    d.kill('SIGTERM');
    expect(await d.exit).toBe(0);

    for (const line of d.lines.all) {
      expect(line).toMatch(/^<[3467]>\S/);
      expect(line).not.toMatch(ISO_START);
    }
    const bare = d.lines.all.map((l) => l.replace(/ (url|state|ms|bytes|config|at)=\S+/g, ''));
    expect(bare).toContain('<6>wirefeed listening sources=1 stories=0');
    expect(bare).toContain('<7>http method=GET path=/healthz status=200');
    expect(bare).toContain('<4>server.host/port changed: restart wirefeed to listen on the new address');
    expect(bare).toContain('<3>config reload failed; the old config keeps running');
    expect(bare).toContain('<3>config: unknown key "bogus" key=bogus');
    expect(notify.lines.all.filter((l) => l !== 'BARRIER=1' && !l.startsWith('MAINPID=') && !l.startsWith('STATUS='))).toEqual([
      'READY=1',
      'RELOADING=1',
      'READY=1',
      'RELOADING=1',
      'READY=1',
      'STOPPING=1',
    ]);
  });

  it('elsewhere: timestamped lines, no priority prefixes', async () => {
    const dir = await tempDir();
    const config = await writeSetup(dir);
    const notify = await listenNotify(dir);
    const d = await startAsUnit(config, { STATE_DIRECTORY: join(dir, 'state'), NOTIFY_SOCKET: notify.socket });
    await readyUrl(notify);
    d.kill('SIGTERM');
    expect(await d.exit).toBe(0);
    expect(d.lines.all.length).toBeGreaterThanOrEqual(3);
    for (const line of d.lines.all) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info |warn |error|debug) \S/);
  });

  it('LOG_LEVEL=debug shows debug lines; --log-level warn beats LOG_LEVEL and hides info', async () => {
    const dir = await tempDir();
    const config = await writeSetup(dir);
    const notify = await listenNotify(dir);
    // The watchdog rides along: WATCHDOG_USEC=2 s asks for a ping every second.
    const d = await startAsUnit(config, { STATE_DIRECTORY: join(dir, 'state'), NOTIFY_SOCKET: notify.socket, LOG_LEVEL: 'debug', WATCHDOG_USEC: '2000000' });
    const url = await readyUrl(notify);
    await health(url);
    await d.lines.next((l) => / debug http method=GET path=\/healthz status=200 /.test(l), 'a debug line');
    await notify.lines.next((l) => l === 'WATCHDOG=1', 'WATCHDOG=1');
    d.kill('SIGTERM');
    expect(await d.exit).toBe(0);

    const dir2 = await tempDir();
    const config2 = await writeSetup(dir2);
    const notify2 = await listenNotify(dir2);
    const q = await startAsUnit(config2, { STATE_DIRECTORY: join(dir2, 'state'), NOTIFY_SOCKET: notify2.socket, LOG_LEVEL: 'debug' }, ['--log-level', 'warn']);
    const url2 = await readyUrl(notify2);
    await health(url2);
    await writeFile(config2, (await readFile(config2, 'utf8')).replace('port: 0', 'port: 1'));
    q.kill('SIGHUP');
    await notify2.lines.next((l) => l === 'READY=1' && notify2.lines.all.filter((x) => x === 'READY=1').length === 2, 'READY=1 after the reload');
    q.kill('SIGTERM');
    expect(await q.exit).toBe(0);
    expect(q.lines.all.map((l) => l.slice(25))).toEqual(['warn  server.host/port changed: restart wirefeed to listen on the new address']);
  });
});

describe('systemd/install.sh', () => {
  /** Every file under `root`: path, mode and SHA-256 (symlinks by target). */
  async function listing(root: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        const mode = ((await stat(p)).mode & 0o7777).toString(8);
        if (e.isDirectory()) {
          out.push(`${p.slice(root.length)}/ ${mode}`);
          await walk(p);
        } else {
          out.push(`${p.slice(root.length)} ${mode} ${createHash('sha256').update(await readFile(p)).digest('hex')}`);
        }
      }
    };
    await walk(root);
    return out.sort();
  }

  const install = (root: string) => runTool('sh', [INSTALL, '--root', root, '--no-npm'], { PATH: process.env['PATH'] });

  it('run twice in a temp root leaves the same files and keeps an existing config and state', async () => {
    const root = await tempDir();
    const first = await install(root);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const config = join(root, 'etc/wirefeed/wirefeed.yaml');
    expect(first.stdout).toContain(`install.sh: config in ${config}`);
    expect(first.stdout).toContain('install.sh: --root given: not calling systemctl');

    // The installed config is valid as it stands, and points at the system places.
    const check = await runTool(process.execPath, [join(ROOT, 'bin/wirefeed.js'), 'check', '--config', config]);
    expect(check).toEqual({ code: 0, stdout: `${config}: ok (1 source, 1 feed)\n`, stderr: '' });
    const text = await readFile(config, 'utf8');
    expect(text).toMatch(/^ {2}dir: \/var\/lib\/wirefeed$/m);
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=/opt/wirefeed/config/wirefeed.schema.json');
    expect(await readFile(join(root, 'etc/wirefeed/samples/nl-buitenland.txt'))).toEqual(await readFile(SAMPLE));
    const unit = await readFile(join(root, 'etc/systemd/system/wirefeed.service'), 'utf8');
    const node = (await runTool('sh', ['-c', 'command -v node'], { PATH: process.env['PATH'] })).stdout.trim();
    expect(unit).toBe((await readFile(UNIT, 'utf8')).replace('ExecStart=/usr/bin/node ', `ExecStart=${node} `));
    expect(await readFile(join(root, 'opt/wirefeed/src/main.ts'))).toEqual(await readFile(join(ROOT, 'src/main.ts')));
    expect(await exists(join(root, 'opt/wirefeed/tests'))).toBe(false);
    // What `npm ci` there needs to build dist/ (the prepare script: tsc, then the bundle).
    for (const f of ['tsconfig.json', 'tsconfig.build.json', 'rolldown.config.mjs', 'package-lock.json']) {
      expect(await readFile(join(root, 'opt/wirefeed', f))).toEqual(await readFile(join(ROOT, f)));
    }

    const before = await listing(root);
    // The admin edits the config and the service has state; neither may change.
    await appendFile(config, '# edited by the admin\n');
    await mkdir(join(root, 'var/lib/wirefeed'), { recursive: true });
    await writeFile(join(root, 'var/lib/wirefeed/wirefeed.json'), '{"version":2,"sources":{}}');
    const edited = await listing(root);

    const second = await install(root);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`install.sh: kept the existing ${config}`);
    expect(await listing(root)).toEqual(edited);
    expect(edited.filter((l) => !before.includes(l)).map((l) => l.split(' ')[0])).toEqual([
      '/etc/wirefeed/wirefeed.yaml',
      '/var/',
      '/var/lib/',
      '/var/lib/wirefeed/',
      '/var/lib/wirefeed/wirefeed.json',
    ]);
    expect(await readFile(config, 'utf8')).toBe(`${text}# edited by the admin\n`);
    // Every file of ours that the build compiles is installed (a src file importing from tests/ would not be).
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const listed = await runTool(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--listFilesOnly']);
    expect(listed.code).toBe(0);
    const ours = listed.stdout.split('\n').filter((f) => f.startsWith(`${ROOT}/`) && !f.includes('/node_modules/'));
    expect(ours.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const f of ours) if (!(await exists(join(root, 'opt/wirefeed', f.slice(ROOT.length))))) missing.push(f);
    expect(missing).toEqual([]);
  });

  it('makes the config 0640, root and the service group, also one an older install left readable by all', async () => {
    const root = await tempDir();
    const first = await install(root);
    expect([first.code, first.stderr]).toEqual([0, '']);
    // The group, made by systemd-sysusers from the shipped sysusers.d file, inside the root.
    expect(await readFile(join(root, 'etc/sysusers.d/wirefeed.conf'), 'utf8')).toBe(await readFile(join(ROOT, 'systemd/wirefeed.sysusers'), 'utf8'));
    const line = (await readFile(join(root, 'etc/group'), 'utf8')).split('\n').find((l) => l.startsWith(`${CONFIG_GROUP}:`));
    expect(line).toMatch(new RegExp(`^${CONFIG_GROUP}:x:\\d+:$`));
    const gid = Number(line!.split(':')[2]);
    const config = join(root, 'etc/wirefeed/wirefeed.yaml');
    const owner = async () => {
      const st = await stat(config);
      return { mode: (st.mode & 0o7777).toString(8), uid: st.uid, gid: st.gid };
    };
    expect(await owner()).toEqual({ mode: '640', uid: 0, gid });
    expect(first.stdout).toContain(`install.sh: ${config}: mode 0640, group ${CONFIG_GROUP}`);

    // An install before this one left it 0644 in root's group: the next one closes it, content untouched.
    const text = `${await readFile(config, 'utf8')}# token: s3cret\n`;
    await writeFile(config, text);
    await chmod(config, 0o644);
    await chown(config, 0, 0);
    const again = await install(root);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(await owner()).toEqual({ mode: '640', uid: 0, gid });
    expect(await readFile(config, 'utf8')).toBe(text);
    expect((await readFile(join(root, 'etc/group'), 'utf8')).split('\n').filter((l) => l.startsWith(`${CONFIG_GROUP}:`))).toEqual([line]);
  });
});
