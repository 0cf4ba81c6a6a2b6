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

/** One call of an action: its file and places from the command line, the config when it needs one. */
interface Call {
  file: string | undefined;
  from: StatePlace | undefined;
  to: StatePlace | undefined;
  config(): Promise<LoadedConfig>;
  io: Io;
}

async function backupState({ file, config, io }: Call): Promise<number> {
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

/** Exit 0 when the state is sound, 1 when not. */
async function checkState({ config: loaded, io }: Call): Promise<number> {
  const config = await loaded();
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
      // Every count in one query; a source with bookkeeping and no stories shows 0.
      Object.assign(counts, await store.counts());
      for (const id of Object.keys(await store.sources())) counts[id] ??= 0;
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

async function exportState({ from, config, io }: Call): Promise<number> {
  const store = await openSource(from ?? (await config()).state);
  try {
    for await (const line of readState(store)) io.stdout(`${JSON.stringify(line)}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

async function importState({ file, to, config, io }: Call): Promise<number> {
  const [name, bytes] = file === '-' ? ['stdin', await io.stdin()] : [file!, await readFile(file!)];
  checkLines(bytes, name);
  const store = await openTarget(to ?? (await config()).state);
  try {
    io.stdout(`imported ${await writeState(store, linesOf(bytes, name))} stories into ${store.location}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

async function copyState({ from, to, config, io }: Call): Promise<number> {
  const source = await openSource(from!);
  try {
    const target = await openTarget(to ?? (await config()).state);
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

type Rule = 'no' | 'may' | 'must';

/** Each action: whether it takes a file, `--from` and `--to`, and what it does. */
const ACTIONS: Record<string, { file: boolean; from: Rule; to: Rule; run: (call: Call) => Promise<number> }> = {
  backup: { file: true, from: 'no', to: 'no', run: backupState },
  export: { file: false, from: 'may', to: 'no', run: exportState },
  import: { file: true, from: 'no', to: 'may', run: importState },
  copy: { file: false, from: 'must', to: 'may', run: copyState },
  check: { file: false, from: 'no', to: 'no', run: checkState },
};

function allowed(rule: Rule, value: string | undefined): boolean {
  return rule === 'may' || (rule === 'must') === (value !== undefined);
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
  const rule = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
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
  const config = () => loadConfig(values.config ?? DEFAULT_CONFIG, io.env);
  try {
    return await rule.run({ file, from: places.from, to: places.to, config, io });
  } catch (err) {
    io.stderr(`wirefeed state ${action}: ${describeError(err)}\n`);
    return 1;
  }
}
