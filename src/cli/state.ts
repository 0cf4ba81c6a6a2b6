/**
 * `wirefeed state …`: the state as an operator handles it, SQLite or PostgreSQL.
 *
 *   backup <file>              SQLite's online backup: a consistent copy, safe while the daemon
 *                              runs (PostgreSQL: pg_dump, said so)
 *   export [--from PLACE]      JSON Lines on stdout (state-move.ts)
 *   import <file|-> [--to PLACE]  an export into an empty state (refused while a daemon holds a
 *                              SQLite directory); the whole input is checked before a line is written
 *   copy --from PLACE [--to PLACE]  one state straight into another, empty one
 *   check                      SQLite: PRAGMA integrity_check; PostgreSQL: connection, schema and
 *                              counts (postgres-check.ts); then the stories per source; exit 1 unless ok
 *
 * PLACE is `sqlite:<dir>` or a `postgres://` URL; without it, the config's state (state.dir or
 * $STATE_DIRECTORY, state.url or $DATABASE_URL).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { describeError, WirefeedError } from '../errors.js';
import { backupDatabase, checkPostgres, integrityCheck, openStore, redactUrl, type StatePlace } from '../store/index.js';
import { DEFAULT_CONFIG, type Io } from './io.js';
import { checkLines, linesOf, openSource, openTarget, parsePlace, readState, writeState } from './state-move.js';

const USAGE = `usage: wirefeed state backup <file> [--config PATH]
       wirefeed state export [--from PLACE] [--config PATH]
       wirefeed state import <file|-> [--to PLACE] [--config PATH]
       wirefeed state copy --from PLACE [--to PLACE] [--config PATH]
       wirefeed state check [--config PATH]
PLACE: sqlite:<dir> or postgres://user@host:5432/db (default: the config's state)
`;

/** Which positional file and which places each action takes. */
const ACTIONS: Record<string, { file: boolean; from: 'no' | 'may' | 'must'; to: 'no' | 'may' | 'must' }> = {
  backup: { file: true, from: 'no', to: 'no' },
  export: { file: false, from: 'may', to: 'no' },
  import: { file: true, from: 'no', to: 'may' },
  copy: { file: false, from: 'must', to: 'may' },
  check: { file: false, from: 'no', to: 'no' },
};

function allowed(rule: 'no' | 'may' | 'must', value: string | undefined): boolean {
  return rule === 'may' || (rule === 'must') === (value !== undefined);
}

/** `wirefeed state check`: exit 0 when the state is sound, 1 when not. */
async function check(config: LoadedConfig, io: Io): Promise<number> {
  const counts: Record<string, number> = {};
  let total: number;
  let ok: boolean;
  if (config.state.url !== undefined) {
    const found = await checkPostgres(config.state.url);
    io.stdout(`database: ${redactUrl(config.state.url)} (PostgreSQL ${found.server})\nschema: version ${found.schemaVersion}\n`);
    for (const problem of found.problems.length === 0 ? ['ok'] : found.problems) io.stdout(`check: ${problem}\n`);
    if (found.counts === null) return 1;
    ok = found.problems.length === 0;
    Object.assign(counts, found.counts.sources);
    total = found.counts.total;
  } else {
    const result = await integrityCheck(config.state.dir);
    io.stdout(`integrity_check: ${result}\n`);
    ok = result === 'ok';
    const store = await openStore(config.state.dir, { lock: false });
    try {
      for (const id of Object.keys(await store.sources())) counts[id] = await store.countOf(id);
      for (const s of config.sources) counts[s.id] = await store.countOf(s.id);
      total = await store.size();
    } finally {
      await store.close();
    }
  }
  for (const s of config.sources) counts[s.id] ??= 0;
  for (const id of Object.keys(counts).sort()) io.stdout(`${id}: ${counts[id]} stories\n`);
  io.stdout(`total: ${total} stories\n`);
  return ok ? 0 : 1;
}

async function run(action: string, file: string | undefined, places: { from?: StatePlace; to?: StatePlace }, configFile: string, io: Io): Promise<number> {
  const config = () => loadConfig(configFile, io.env);
  if (action === 'backup') {
    const { state } = await config();
    if (state.url !== undefined) {
      throw new WirefeedError(
        'store',
        'E_STATE_URL',
        `this config keeps its state in PostgreSQL (${redactUrl(state.url)}), which pg_dump backs up ` +
          `(pg_dump --format=custom --file=wirefeed.dump "$DATABASE_URL"); wirefeed state export gives a portable copy`,
      );
    }
    await backupDatabase(state.dir, file!);
    io.stdout(`backed up ${state.dir} into ${file}\n`);
    return 0;
  }
  if (action === 'check') return check(await config(), io);
  if (action === 'export') {
    const store = await openSource(places.from ?? (await config()).state);
    try {
      for await (const line of readState(store)) io.stdout(`${JSON.stringify(line)}\n`);
    } finally {
      await store.close();
    }
    return 0;
  }
  if (action === 'import') {
    const [name, text] = file === '-' ? ['stdin', new TextDecoder().decode(await io.stdin())] : [file!, await readFile(file!, 'utf8')];
    checkLines(text, name);
    const store = await openTarget(places.to ?? (await config()).state);
    try {
      io.stdout(`imported ${await writeState(store, linesOf(text, name))} stories into ${store.location}\n`);
    } finally {
      await store.close();
    }
    return 0;
  }
  const source = await openSource(places.from!);
  try {
    const target = await openTarget(places.to ?? (await config()).state);
    try {
      io.stdout(`copied ${await writeState(target, readState(source))} stories from ${source.location} to ${target.location}\n`);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
  return 0;
}

export async function stateCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
  } catch (err) {
    io.stderr(`wirefeed state: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [action = '', file, ...extra] = positionals;
  const rule = ACTIONS[action];
  if (rule === undefined || rule.file !== (file !== undefined) || extra.length > 0 || !allowed(rule.from, values.from) || !allowed(rule.to, values.to)) {
    io.stderr(USAGE);
    return 2;
  }
  const places: { from?: StatePlace; to?: StatePlace } = {};
  for (const key of ['from', 'to'] as const) {
    const text = values[key];
    if (text === undefined) continue;
    const place = parsePlace(text);
    if (place === null) {
      // Not echoed: a mistyped URL may still carry a password.
      io.stderr(`wirefeed state ${action}: --${key} takes sqlite:<dir> or a postgres:// URL\n${USAGE}`);
      return 2;
    }
    places[key] = place;
  }
  try {
    return await run(action, file, places, values.config ?? DEFAULT_CONFIG, io);
  } catch (err) {
    io.stderr(`wirefeed state ${action}: ${describeError(err)}\n`);
    return 1;
  }
}
