/**
 * A real PostgreSQL cluster for a test file: Debian's PostgreSQL 15 binaries, a fresh data
 * directory in a temp dir, a free port on 127.0.0.1, trust auth. The server refuses to run as
 * root, so when the tests run as root (CI) every command runs as the `postgres` user
 * (runuser) in a directory that user owns; fsync is off, as the cluster is thrown away at the
 * end. Start one per test file (beforeAll), not per test:
 * initdb takes seconds.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  port: number;
  /** A URL for a new, empty database in the cluster. */
  database(): Promise<string>;
  /** Stop the server (fast shutdown: sessions are ended), keeping its data; `start` brings it back on the same port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A port the kernel has just handed out, free again once its listener closed. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `uid`/`gid` of the postgres user, via id(1). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPgCluster(): Promise<PgCluster> {
  const root = await mkdtemp(join(tmpdir(), 'wirefeed-pg-'));
  const asRoot = userInfo().uid === 0;
  // Run a PostgreSQL binary, as the postgres user when we are root.
  const pg = (bin: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args]) : run(join(BIN, bin), args);
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(root, uid, gid);
  }
  await chmod(root, 0o700);
  const data = join(root, 'data');
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  // Test files start clusters in parallel: a port found free may be taken before the server binds it.
  let port = 0;
  for (let attempt = 1; port === 0; attempt++) {
    const candidate = await freePort();
    try {
      await pg('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-w', '-o', `-p ${candidate} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off`, 'start']);
      port = candidate;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
  let n = 0;
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off`;
  return {
    port,
    async database() {
      const name = `wirefeed_${++n}`;
      await pg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async halt() {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async start() {
      await pg('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-w', '-o', options, 'start']);
    },
    async stop() {
      try {
        await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}

