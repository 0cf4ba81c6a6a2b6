/**
 * `wirefeed state backup|export|import|check [--config PATH]`: the state as an operator handles it.
 *
 *   backup <file>   SQLite's online backup: a consistent copy, safe while the daemon runs
 *   export          JSON Lines on stdout: each source's bookkeeping ({"kind":"source",…}), then
 *                   one story a line ({"kind":"story",…}, with its origin), in id order
 *   import <file>   the lines of an export into an empty state (refused while a daemon holds it)
 *   check           PRAGMA integrity_check and the stories per source; exit 1 unless ok
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { describeError, WirefeedError } from '../errors.js';
import type { SourceState } from '../model.js';
import { backupDatabase, integrityCheck, openStore, redactUrl, type ListedStory, type Store } from '../store/index.js';
import { DEFAULT_CONFIG, type Io } from './io.js';

const USAGE = 'usage: wirefeed state backup <file> | export | import <file> | check  [--config PATH]\n';

/** Stories read or written per query or transaction. */
const BATCH = 5000;

type Line = ({ kind: 'source'; id: string } & SourceState) | ({ kind: 'story' } & ListedStory);

async function exportState(store: Store, io: Io): Promise<void> {
  for (const [id, state] of Object.entries(await store.sources())) io.stdout(`${JSON.stringify({ kind: 'source', id, ...state })}\n`);
  let after: string | null = null;
  for (;;) {
    const page = await store.page(after, BATCH);
    for (const story of page) io.stdout(`${JSON.stringify({ kind: 'story', ...story })}\n`);
    if (page.length < BATCH) return;
    after = page.at(-1)!.id;
  }
}

async function importState(store: Store, file: string): Promise<number> {
  if ((await store.size()) > 0) throw new WirefeedError('cli', 'E_NOT_EMPTY', 'the state holds stories already: import goes into an empty state only');
  const text = await readFile(file, 'utf8');
  const sources: Record<string, SourceState> = {};
  let put: ListedStory[] = [];
  let origins: Record<string, string> = {};
  let n = 0;
  const flush = async () => {
    await store.commit({ put, origins, ...(n === 0 ? { sources } : {}) });
    n += put.length;
    put = [];
    origins = {};
  };
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    if (raw.trim() === '') continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch (err) {
      throw new WirefeedError('cli', 'E_IMPORT', `${file}:${lineNo}: not JSON`, { cause: err });
    }
    if (line.kind === 'source') {
      const { kind: _kind, id, ...state } = line;
      sources[id] = state;
    } else if (line.kind === 'story') {
      const { kind: _kind, origin, ...story } = line;
      put.push({ ...story, origin });
      if (origin !== story.sources[0]) origins[story.id] = origin;
      if (put.length === BATCH) await flush();
    } else {
      throw new WirefeedError('cli', 'E_IMPORT', `${file}:${lineNo}: neither a source nor a story`);
    }
  }
  if (put.length > 0 || n === 0) await flush();
  return n;
}

export async function stateCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string' } } });
  } catch (err) {
    io.stderr(`wirefeed state: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [action, file, ...extra] = parsed.positionals;
  const needsFile = action === 'backup' || action === 'import';
  if (!['backup', 'export', 'import', 'check'].includes(action ?? '') || (needsFile ? file === undefined : file !== undefined) || extra.length > 0) {
    io.stderr(USAGE);
    return 2;
  }
  try {
    const config = await loadConfig(parsed.values.config ?? DEFAULT_CONFIG, io.env);
    if (config.state.url !== undefined) {
      throw new WirefeedError(
        'store',
        'E_STATE_URL',
        `this config keeps its state in PostgreSQL (${redactUrl(config.state.url)}); wirefeed state works on a SQLite state directory only, for now`,
      );
    }
    const dir = config.state.dir;
    if (action === 'backup') {
      await backupDatabase(dir, file!);
      io.stdout(`backed up ${dir} into ${file}\n`);
      return 0;
    }
    if (action === 'check') {
      const result = await integrityCheck(dir);
      io.stdout(`integrity_check: ${result}\n`);
      const store = await openStore(dir, { lock: false });
      try {
        const ids = new Set([...config.sources.map((s) => s.id), ...Object.keys(await store.sources())]);
        for (const id of [...ids].sort()) io.stdout(`${id}: ${await store.countOf(id)} stories\n`);
        io.stdout(`total: ${await store.size()} stories\n`);
      } finally {
        await store.close();
      }
      return result === 'ok' ? 0 : 1;
    }
    // Export reads beside a running daemon; import writes, so it takes the lock.
    const store = await openStore(dir, { lock: action === 'import' });
    try {
      if (action === 'export') await exportState(store, io);
      else io.stdout(`imported ${await importState(store, file!)} stories into ${dir}\n`);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    io.stderr(`wirefeed state ${action}: ${describeError(err)}\n`);
    return 1;
  }
}
