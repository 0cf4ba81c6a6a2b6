/**
 * `wirefeed stories [--source ID] [--config PATH] [--format json|text]`: the stored stories,
 * newest first, for operators and tests. Reads the state without taking its lock.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import type { StoredStory } from '../model.js';
import { openStore } from '../store/index.js';
import { DEFAULT_CONFIG, type Io } from './io.js';

const USAGE = 'usage: wirefeed stories [--source ID] [--config PATH] [--format json|text]\n';

function row(s: StoredStory) {
  return {
    id: s.id,
    headline: s.headline,
    sources: s.sources,
    published: s.publishedLatest,
    publishedEarliest: s.publishedEarliest,
    publishedLatest: s.publishedLatest,
    firstSeen: s.firstSeen,
    updated: s.updated,
  };
}

export async function storiesCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { source: { type: 'string' }, config: { type: 'string' }, format: { type: 'string', default: 'text' } },
    }));
  } catch (err) {
    io.stderr(`wirefeed stories: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.format !== 'json' && values.format !== 'text') {
    io.stderr(`wirefeed stories: --format must be json or text\n`);
    return 2;
  }
  try {
    const config = await loadConfig(values.config ?? DEFAULT_CONFIG, io.env);
    if (values.source !== undefined && !config.sources.some((s) => s.id === values.source)) {
      io.stderr(`wirefeed stories: no source "${values.source}" in ${config.file} (sources: ${config.sources.map((s) => s.id).join(', ')})\n`);
      return 2;
    }
    const store = await openStore(config.state, { lock: false });
    const ids = values.source !== undefined ? [values.source] : config.sources.map((s) => s.id);
    let total = 0;
    for (const id of ids) total += await store.countOf(id);
    const rows = (await store.feed({ sourceIds: ids, limit: total })).map(row);
    await store.close();
    if (values.format === 'json') io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else for (const r of rows) io.stdout(`${r.published}  ${r.id.slice(0, 12)}  [${r.sources.join(',')}]  ${r.headline}\n`);
    return 0;
  } catch (err) {
    io.stderr(`wirefeed stories: ${describeError(err)}\n`);
    return 1;
  }
}
