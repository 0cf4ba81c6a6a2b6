/**
 * `wirefeed check [--config PATH]`: validate a config file, and log in to its PostgreSQL state
 * (state.url or $DATABASE_URL) when it names one, and say so. Exit 0 when valid (with
 * warnings on stderr, if any); 1 with every problem on stderr (one `file:line:col path: message`
 * per line) when not, or with the cause when the database cannot be reached; 2 on a usage error.
 */
import { ConfigError, formatProblem, loadConfig } from '../config/load.js';
import { describeError, WirefeedError } from '../errors.js';
import { probePostgres } from '../store/index.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_CONFIG } from './io.js';

export interface CheckIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: NodeJS.ProcessEnv;
}

const USAGE = 'usage: wirefeed check [--config PATH]\n';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `--config PATH` or `--config=PATH`; null on anything else. */
function configPath(argv: string[]): string | null {
  let file = DEFAULT_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
    else if (arg === '--config' && argv[i + 1] !== undefined) file = argv[++i] ?? file;
    else return null;
  }
  return file === '' ? null : file;
}

/** A valid config that probably does not do what its author meant. */
export function configWarnings(config: Pick<Config, 'sources' | 'feeds'>): string[] {
  const privateIds = new Set(config.sources.filter((s) => s.token !== undefined).map((s) => s.id));
  return config.feeds
    .filter((f) => f.token === undefined)
    .flatMap((f) =>
      f.sources
        .filter((id) => privateIds.has(id))
        .map((id) => `feed '${f.id}' is public but lists private source '${id}': its stories are left out of it (give the feed a token to include them)`),
    );
}

export async function checkCommand(argv: string[], io: CheckIo): Promise<number> {
  const file = configPath(argv);
  if (file === null) {
    io.stderr(USAGE);
    return 2;
  }
  try {
    const config = await loadConfig(file, io.env);
    if (config.state.url !== undefined) await probePostgres(config.state.url);
    io.stdout(`${file}: ok (${plural(config.sources.length, 'source')}, ${plural(config.feeds.length, 'feed')})\n`);
    for (const warning of configWarnings(config)) io.stderr(`${file}: warning: ${warning}\n`);
    return 0;
  } catch (err) {
    if (err instanceof WirefeedError && err.code === 'E_DB_UNREACHABLE') {
      io.stderr(`${file}: state.url: ${describeError(err)}\n`);
      return 1;
    }
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(err.problems.map((p) => `${formatProblem(p)}\n`).join(''));
    return 1;
  }
}
