/** Pieces the daemon tests share: a news site on loopback, a config on disk, an in-process daemon. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { memoryLogger } from '../../src/log.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface Site {
  url: string;
  /** Requests per path, in arrival order, with the headers that matter here and when they came (performance.now()). */
  hits: { path: string; ifNoneMatch: string | undefined; userAgent: string | undefined; at: number }[];
  close(): Promise<void>;
}

/** A news site on 127.0.0.1 with one handler per path. */
export async function startSite(routes: Record<string, Route>): Promise<Site> {
  const hits: Site['hits'] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push({ path, ifNoneMatch: req.headers['if-none-match'], userAgent: req.headers['user-agent'], at: performance.now() });
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404).end('not here');
      return;
    }
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Write `yaml` as wirefeed.yaml in `dir` and load it. */
export async function writeConfig(dir: string, yaml: string) {
  const file = join(dir, 'wirefeed.yaml');
  await writeFile(file, yaml);
  return loadConfig(file, {});
}

export interface TestDaemon {
  app: App;
  lines: string[];
}

/** The daemon in-process on an ephemeral port, logging into memory. */
export async function startDaemon(dir: string, yaml: string, over: Partial<AppOptions> = {}): Promise<TestDaemon> {
  const config = await writeConfig(dir, yaml);
  const log = memoryLogger();
  const app = await startApp({ config, log, version: '0.0.0-test', port: 0, scheduler: { debounceMs: 100 }, ...over });
  return { app, lines: log.lines };
}

/** Wait until `check` holds, polling every 50 ms; fails with `what` after `ms`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface DaemonProcess {
  url: string;
  pid: number;
  /** stdout and stderr lines so far. */
  lines: string[];
  /** Send a signal and wait for the exit code. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** False once the process has exited. */
  alive(): boolean;
}

const BIN = new URL('../../bin/wirefeed.js', import.meta.url).pathname;

/** `wirefeed run --config FILE` as a child process (the built dist/), once it listens. */
export async function startDaemonProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, 'run', ...args], { env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${lines.join('\n')}`)), 15_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        const m = / url=(http:\/\/\S+)/.exec(line);
        if (line.includes('wirefeed listening') && m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code}:\n${lines.join('\n')}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    lines,
    kill: (signal) => {
      child.kill(signal);
      return exited;
    },
    alive: () => running,
  };
}
