/**
 * sd_notify(3) for Type=notify units. Node has no AF_UNIX datagram sockets, so the message goes
 * through systemd's own `systemd-notify` binary; the unit therefore sets NotifyAccess=all (the
 * sender is a child process). Without $NOTIFY_SOCKET (not under systemd) this does nothing.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../log.js';

export interface Notifier {
  /** Send `READY=1`, `STOPPING=1`, `WATCHDOG=1`, `STATUS=…`; resolves when sent (or failed and logged). */
  send(...assignments: string[]): Promise<void>;
  /** Watchdog interval asked for by $WATCHDOG_USEC, halved; null when none. */
  readonly watchdogMs: number | null;
}

export function createNotifier(env: NodeJS.ProcessEnv, log: Logger): Notifier {
  const socket = env['NOTIFY_SOCKET'];
  const usec = Number(env['WATCHDOG_USEC']);
  // sd_watchdog_enabled(3): the watchdog is ours only when $WATCHDOG_PID is unset or names us
  // (a child that inherited the variables must not ping for its parent).
  const pid = env['WATCHDOG_PID'];
  const ours = pid === undefined || pid === '' || Number(pid) === process.pid;
  const watchdogMs = ours && Number.isFinite(usec) && usec > 0 ? Math.max(1000, Math.floor(usec / 2000)) : null;
  return {
    watchdogMs,
    send: (...assignments) =>
      socket === undefined || socket === ''
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            execFile('systemd-notify', [`--pid=${process.pid}`, ...assignments], { env: { ...env, NOTIFY_SOCKET: socket }, timeout: 5000 }, (err, _out, stderr) => {
              if (err) log.warn('sd_notify failed', { message: assignments.join(' '), error: `${err.message} ${stderr}`.trim() });
              resolve();
            });
          }),
  };
}
