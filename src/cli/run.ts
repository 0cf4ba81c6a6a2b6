/**
 * `wirefeed run [--config PATH] [--log-level LEVEL] [--recover]`: the daemon as a process.
 * SIGTERM/SIGINT stop it gracefully (a second one exits at once: every state write is atomic,
 * so that never corrupts the state); SIGHUP reloads the config, keeping the old one when the
 * new one is broken.
 */
import { parseArgs } from 'node:util';
import { startApp, type App } from '../app.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import { createLogger, isLogLevel, type Logger } from '../log.js';
import { recoverState } from '../store/recover.js';
import { DEFAULT_CONFIG, packageVersion, type Io } from './io.js';
import { createNotifier } from './notify.js';

const USAGE = 'usage: wirefeed run [--config PATH] [--log-level error|warn|info|debug] [--recover]\n';

function logConfigError(log: Logger, err: unknown): void {
  if (err instanceof ConfigError) for (const p of err.problems) log.error(`config: ${p.message}`, { at: `${p.file}:${p.line}:${p.col}`, key: p.path });
  else log.error(describeError(err));
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, 'log-level': { type: 'string' }, recover: { type: 'boolean' } },
    }));
  } catch (err) {
    io.stderr(`wirefeed run: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const level = values['log-level'] ?? io.env['LOG_LEVEL'] ?? 'info';
  if (!isLogLevel(level)) {
    io.stderr(`wirefeed run: unknown log level "${level}" (error, warn, info, debug)\n`);
    return 2;
  }
  // Under systemd, stdout/stderr go to the journal: priority prefixes, no timestamps of our own.
  const log = createLogger({ level, journal: (io.env['JOURNAL_STREAM'] ?? '') !== '' });
  const configPath = values.config ?? DEFAULT_CONFIG;
  const notifier = createNotifier(io.env, log);

  let app: App;
  try {
    const config = await loadConfig(configPath, io.env);
    if (values.recover) {
      for (const moved of await recoverState(config.state.dir, io.now())) log.warn('recover: moved a broken state file aside', { file: moved });
    }
    app = await startApp({ config, log, version: await packageVersion(), accessLog: level === 'debug' });
  } catch (err) {
    logConfigError(log, err);
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    let watchdog: NodeJS.Timeout | null = null;
    // Reloads run one after another: two quick SIGHUPs must not rewire the app concurrently.
    let reloading = Promise.resolve();
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again: exiting at once`);
        process.exit(1);
      }
      stopping = true;
      log.info(`${signal}: stopping`);
      if (watchdog) clearInterval(watchdog);
      void notifier
        .send('STOPPING=1')
        .then(() => reloading) // a reload in progress finishes first; later ones are ignored
        .then(() => app.stop())
        .then(
          () => {
            log.info('stopped; state written');
            resolve(0);
          },
          (err: unknown) => {
            log.error('stop failed', { error: describeError(err) });
            resolve(1);
          },
        )
        .finally(() => {
          process.off('SIGTERM', onTerm).off('SIGINT', onInt).off('SIGHUP', onHup);
        });
    };
    const reload = async () => {
      // A reload that lands during shutdown would start schedules on a closed store.
      if (stopping) return;
      log.info('SIGHUP: reloading config', { config: configPath });
      await notifier.send('RELOADING=1');
      try {
        await app.reload(await loadConfig(configPath, io.env));
      } catch (err) {
        log.error('config reload failed; the old config keeps running');
        logConfigError(log, err);
      }
      await notifier.send('READY=1');
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    const onHup = () => {
      reloading = reloading.then(reload);
    };
    process.on('SIGTERM', onTerm).on('SIGINT', onInt).on('SIGHUP', onHup);
    // READY only now: systemd may send SIGTERM or SIGHUP as soon as it has it, and both must find
    // their handlers (the default action of either kills the process).
    void notifier.send('READY=1', `STATUS=serving ${app.url}`).then(() => {
      if (!stopping && notifier.watchdogMs !== null) watchdog = setInterval(() => void notifier.send('WATCHDOG=1'), notifier.watchdogMs);
    });
  });
}
