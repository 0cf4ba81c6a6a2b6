/**
 * Several wirefeed instances on one PostgreSQL database (issue 17): each keeps one session of its
 * own, apart from the pool, on which it LISTENs for what the others commit and tries, every
 * `retryMs`, to take the scheduler's session advisory lock. The one that holds it schedules for
 * as long as its session lives: when its process dies the server ends the session and frees the
 * lock (SIGKILL closes the socket at once; a vanished host is found by the TCP keepalives set
 * below), and the next standby to try takes it. A leader that loses its session, or whose session
 * stops answering, is told at once to stop fetching: it can no longer know that it holds the lock.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describeError } from '../errors.js';
import { pgDriver } from './pg-driver.js';
import type { ChangeNotice, Coordination, CoordinationEvents, CoordinationOptions } from './index.js';

/** The scheduler's advisory lock key (one more than the migrations' "wirefee"). */
const SCHEDULER_LOCK = 0x77697265666566;
/** The channel every commit notifies (payload: ChangeNotice and the committing store's instance id as JSON). */
export const CHANGES_CHANNEL = 'wirefeed_changes';
/** NOTIFY refuses payloads of 8000 bytes or more: past this, the notice says "anything may have changed". */
const MAX_PAYLOAD = 7900;

/** An opened store's id in the notices it sends, so that its own coordination skips them. */
export function instanceId(): string {
  return randomUUID();
}

/** The NOTIFY payload for a commit; null when nothing changed that another instance shows. */
export function changePayload(instance: string, touched: readonly string[], sources: readonly string[]): string | null {
  if (touched.length === 0 && sources.length === 0) return null;
  const payload = JSON.stringify({ i: instance, touched, sources });
  return payload.length <= MAX_PAYLOAD ? payload : JSON.stringify({ i: instance, all: true });
}

/** A notice from another instance (null: anything may have changed), or undefined for one of this instance's own. */
function readNotice(instance: string, payload: string | undefined): ChangeNotice | null | undefined {
  const p = JSON.parse(payload ?? '{}') as { i?: string; all?: boolean; touched?: string[]; sources?: string[] };
  if (p.i === instance) return undefined;
  if (p.all === true || !Array.isArray(p.touched) || !Array.isArray(p.sources)) return null;
  return { touched: p.touched, sources: p.sources };
}

export async function startPgCoordination(url: string, instance: string, events: CoordinationEvents, opts: CoordinationOptions): Promise<Coordination> {
  const { log } = opts;
  const closeQuietly = (client: pg.Client): Promise<void> =>
    client.end().catch((err: unknown) => log.debug('database session: closing a broken connection failed', { error: describeError(err) }));
  // A session that does not answer within this is as good as lost.
  const timeoutMs = Math.max(2000, opts.retryMs);
  let session: pg.Client | null = null;
  let leading = false;
  let unreachable: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client, why: string): void => {
    if (session !== client) return;
    session = null;
    void closeQuietly(client);
    if (leading) {
      leading = false;
      events.standby(why);
    }
    if (!stopped && unreachable === null) {
      unreachable = why;
      events.unreachable(why);
    }
  };

  const connect = async (): Promise<pg.Client> => {
    const client = new (await pgDriver()).Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
    client.on('error', (err) => lost(client, `database session lost: ${describeError(err)}`));
    client.on('end', () => lost(client, 'database session closed'));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGES_CHANNEL || session !== client) return;
      let notice: ChangeNotice | null | undefined;
      try {
        notice = readNotice(instance, msg.payload);
      } catch (err) {
        // Not a notice this wirefeed can read (another version?): anything may have changed.
        log.warn('database notice unreadable: re-reading everything', { error: describeError(err) });
        notice = null;
      }
      if (notice !== undefined) events.changed(notice);
    });
    try {
      await client.connect();
      // The server's side of the session: a host that vanishes without closing its socket is
      // found dead within about 11 s, which ends its session and frees its lock.
      await client.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3');
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      await closeQuietly(client);
      throw err;
    }
    return client;
  };

  const attempt = async (): Promise<void> => {
    let client = session;
    try {
      if (client === null) {
        client = await connect();
        if (stopped) {
          await closeQuietly(client);
          return;
        }
        session = client;
        if (unreachable !== null) {
          unreachable = null;
          events.unreachable(null);
        }
        // Commits made while this instance did not listen were not heard.
        events.changed(null);
      }
      if (leading) {
        await client.query('SELECT 1');
        return;
      }
      const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1) AS held', [SCHEDULER_LOCK]);
      if (rows[0]?.held === true && session === client && !stopped) {
        leading = true;
        events.lead();
      }
    } catch (err) {
      const why = `database unreachable: ${describeError(err)}`;
      if (client !== null) lost(client, why);
      else if (unreachable !== why && !stopped) {
        // The latest cause is the one /healthz names (a session ended by a shutdown, then refused connections).
        unreachable = why;
        events.unreachable(why);
      }
    }
  };

  const loop = (): void => {
    timer = setTimeout(() => {
      void attempt().then(() => {
        if (!stopped) loop();
      });
    }, opts.retryMs);
  };

  await attempt();
  loop();
  return {
    shared: true,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const client = session;
      session = null;
      // The session's end frees the lock for a standby at once.
      if (client !== null) await client.end();
    },
  };
}
