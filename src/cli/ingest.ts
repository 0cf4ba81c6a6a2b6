/**
 * `wirefeed ingest <file> --source ID [--at ISO] [--config PATH]`: a saved page into the state,
 * as if fetched at --at (default: the file's modification time). Refuses while a daemon holds
 * the state. Prints {"new":N,"updated":N,"unchanged":N}.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sourceScopes } from '../app.js';
import { loadConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import { userAgent } from '../fetch/index.js';
import { separateScopes } from '../ingest/index.js';
import { refreshSource } from '../refresh.js';
import { openStore } from '../store/index.js';
import { DEFAULT_CONFIG, packageVersion, type Io } from './io.js';

const USAGE = 'usage: wirefeed ingest <file> --source ID [--at ISO] [--config PATH]\n';

export async function ingestCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { source: { type: 'string' }, at: { type: 'string' }, config: { type: 'string' } },
    });
  } catch (err) {
    io.stderr(`wirefeed ingest: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (file === undefined || positionals.length > 1 || values.source === undefined) {
    io.stderr(USAGE);
    return 2;
  }
  try {
    const config = await loadConfig(values.config ?? DEFAULT_CONFIG, io.env);
    const source = config.sources.find((s) => s.id === values.source);
    if (source === undefined) {
      io.stderr(`wirefeed ingest: no source "${values.source}" in ${config.file} (sources: ${config.sources.map((s) => s.id).join(', ')})\n`);
      return 1;
    }
    const path = resolve(file);
    let at: Date;
    if (values.at !== undefined) {
      at = new Date(values.at);
      if (Number.isNaN(at.getTime())) {
        io.stderr(`wirefeed ingest: --at "${values.at}" is not an ISO 8601 time\n`);
        return 2;
      }
    } else {
      at = (await stat(path)).mtime;
    }
    const store = await openStore(config.state);
    try {
      const scopeOf = sourceScopes(config.sources);
      await separateScopes(store, config.sources.map((s) => s.id), scopeOf);
      const r = await refreshSource(
        source,
        {
          store,
          scopeOf,
          fetch: { now: at, userAgent: userAgent(await packageVersion(), config.server.baseUrl), http: config.http, allowPrivateRedirects: false },
          intervalMs: 0,
        },
        { file: { path, spoolEntry: false }, force: true },
      );
      if (r.outcome === 'error') throw r.error;
      for (const w of r.warnings) io.stderr(`warning: ${w}\n`);
      const n = r.ingest ?? { new: 0, updated: 0, unchanged: 0 };
      io.stdout(`${JSON.stringify({ new: n.new, updated: n.updated, unchanged: n.unchanged })}\n`);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    io.stderr(`wirefeed ingest: ${describeError(err)}\n`);
    return 1;
  }
}
