/**
 * `wirefeed ingest <file> --source ID [--at ISO] [--config PATH]`: a saved page into the state,
 * as if fetched at --at (default: the file's modification time). Refuses while a daemon holds
 * the state. Prints {"new":N,"updated":N,"unchanged":N}; for a source with `fullText`, the
 * articles due are then fetched as the daemon fetches them (one host gate, maxPerPoll, retries),
 * and `"fullText":{"<result>":N,…}` says what they came to.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sourceScopes } from '../app.js';
import { loadConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import { closeHttp, userAgent, type FetchContext } from '../fetch/index.js';
import { fullTextPasses } from '../fulltext/passes.js';
import { separateScopes } from '../ingest/index.js';
import { refreshSource } from '../refresh.js';
import type { SourceConfig } from '../config/schema.js';
import { openStore, type Store } from '../store/index.js';
import { DEFAULT_CONFIG, packageVersion, type Io } from './io.js';

const USAGE = 'usage: wirefeed ingest <file> --source ID [--at ISO] [--config PATH]\n';

/** The full-text step after the page, as the daemon runs it; attempts counted by result, failures as warnings. */
async function ingestFullTexts(source: SourceConfig, store: Store, fetch: FetchContext, io: Io): Promise<Record<string, number>> {
  const passes = fullTextPasses({ store, now: () => fetch.now, clock: () => performance.now() });
  try {
    const run = await passes.start(source, { fetch, intervalMs: 0, pageFetched: false });
    const counts: Record<string, number> = {};
    for (const a of run?.articles ?? []) {
      counts[a.result] = (counts[a.result] ?? 0) + 1;
      if (a.reason !== null) io.stderr(`warning: full text kept the teaser: ${a.reason}\n`);
    }
    return counts;
  } finally {
    await closeHttp();
  }
}

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
      const fetch = { now: at, userAgent: userAgent(await packageVersion(), config.server.baseUrl), http: config.http, allowPrivateRedirects: false };
      const r = await refreshSource(source, { store, scopeOf, fetch, intervalMs: 0 }, { file: { path, spoolEntry: false }, force: true });
      if (r.outcome === 'error') throw r.error;
      for (const w of r.warnings) io.stderr(`warning: ${w}\n`);
      const n = r.ingest ?? { new: 0, updated: 0, unchanged: 0 };
      const fullText = source.fullText === null ? {} : { fullText: await ingestFullTexts(source, store, { ...fetch, allowPrivateRedirects: source.allowPrivateRedirects }, io) };
      io.stdout(`${JSON.stringify({ new: n.new, updated: n.updated, unchanged: n.unchanged, ...fullText })}\n`);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    io.stderr(`wirefeed ingest: ${describeError(err)}\n`);
    return 1;
  }
}
