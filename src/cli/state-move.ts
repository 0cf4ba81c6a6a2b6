/**
 * Moving a state between SQLite directories and PostgreSQL databases, in either direction: the
 * JSON Lines of `wirefeed state export` / `import`, and `state copy`, which is the same without the
 * text in between. Export and copy read through `readState`; import and copy write through
 * `writeState`.
 *
 * The lines: each source's bookkeeping, `{"kind":"source","id":…}` with its SourceState, then one
 * story a line, `{"kind":"story",…}`, in id order, with its origin, its full text and the full-text
 * step's bookkeeping (`fullTextTried`) where it has them: feeds served from the moved state are
 * the same bytes, and no article is fetched again.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WirefeedError } from '../errors.js';
import type { SourceState } from '../model.js';
import { DB_FILE, openStore, type ExportedStory, type StatePlace, type Store } from '../store/index.js';

/** One line of an export. */
export type Line = ({ kind: 'source'; id: string } & SourceState) | ({ kind: 'story' } & ExportedStory);

/** Stories read or written per query or transaction. */
const BATCH = 5000;

/** `sqlite:<dir>` or a `postgres://` (`postgresql://`) URL, as `--from` and `--to` take them; null for anything else. */
export function parsePlace(text: string): StatePlace | null {
  if (text.startsWith('sqlite:')) {
    const dir = text.slice('sqlite:'.length);
    return dir === '' ? null : { dir };
  }
  return /^postgres(ql)?:\/\//.test(text) ? { dir: '', url: text } : null;
}

/**
 * Open a state to read from. A SQLite directory must hold a database already (a mistyped path
 * would otherwise be created, empty); it is read without the directory lock, beside a daemon.
 */
export async function openSource(place: StatePlace): Promise<Store> {
  if (place.url === undefined) {
    const file = join(place.dir, DB_FILE);
    try {
      await stat(file);
    } catch (err) {
      throw new WirefeedError('store', 'E_NO_STATE', `no database ${file} to read`, { cause: err });
    }
  }
  return openStore(place, { lock: false });
}

/** Open a state to write into: a SQLite directory is created when absent and locked (refused while a daemon holds it); it must be empty. */
export async function openTarget(place: StatePlace): Promise<Store> {
  const store = await openStore(place);
  try {
    const stories = await store.size();
    const sources = Object.keys(await store.sources()).length;
    if (stories > 0 || sources > 0) {
      throw new WirefeedError(
        'cli',
        'E_NOT_EMPTY',
        `${store.location} holds ${stories} stories and the bookkeeping of ${sources} sources already; ` +
          `a state moves into an empty one only (a new database, or a directory without ${DB_FILE}); nothing was written`,
      );
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Every line of the state in `store`. Not a snapshot: stop the daemon for a consistent move. */
export async function* readState(store: Store): AsyncGenerator<Line> {
  for (const [id, state] of Object.entries(await store.sources())) yield { kind: 'source', id, ...state };
  for (let after: string | null = null; ; ) {
    const page = await store.page(after, BATCH);
    for (const story of page) yield { kind: 'story', ...story };
    if (page.length < BATCH) return;
    after = page.at(-1)!.id;
  }
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
}

/**
 * The lines of an export; a line that is not one (named `name:line`) throws E_IMPORT. Bytes, cut
 * at newlines and decoded a line at a time: the export of a few hundred thousand stories is more
 * text than one JavaScript string may hold (about 512 MB).
 */
export function* linesOf(bytes: Uint8Array, name: string): Generator<Line> {
  const decoder = new TextDecoder();
  let lineNo = 0;
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const raw = decoder.decode(bytes.subarray(start, end));
    start = end + 1;
    lineNo++;
    if (raw.trim() === '') continue;
    const bad = (why: string, cause?: unknown) => new WirefeedError('cli', 'E_IMPORT', `${name}:${lineNo}: ${why}`, { cause });
    let line: Partial<Line> & Record<string, unknown>;
    try {
      line = JSON.parse(raw) as typeof line;
    } catch (err) {
      throw bad('not JSON', err);
    }
    if (line.kind === 'source') {
      if (typeof line.id !== 'string') throw bad('a source without an id');
    } else if (line.kind === 'story') {
      if (typeof line.id !== 'string' || typeof line.origin !== 'string' || !isStringList(line.sources)) throw bad('a story without an id, origin or sources');
      // Without the entry version it was fetched for, the step would fetch the article again and date the story anew.
      if (line.fullText !== undefined && line.fullTextTried === undefined) throw bad('a story with fullText but no fullTextTried');
    } else {
      throw bad('neither a source nor a story');
    }
    yield line as Line;
  }
}

/** Read every line once, writing nothing: a truncated or garbled export is refused before it changes anything. */
export function checkLines(bytes: Uint8Array, name: string): void {
  for (const _line of linesOf(bytes, name)) continue;
}

/**
 * Write `lines` into the empty `target`: stories in transactions of BATCH, the sources'
 * bookkeeping with the last one, so that a move that stops half-way never leaves a validator
 * (ETag, page hash) for stories that did not arrive. Returns the stories written.
 */
export async function writeState(target: Store, lines: Iterable<Line> | AsyncIterable<Line>): Promise<number> {
  const sources: Record<string, SourceState> = {};
  let batch: ExportedStory[] = [];
  let written = 0;
  const flush = async (last: boolean) => {
    const put = batch;
    batch = [];
    const origins = Object.fromEntries(put.filter((s) => s.origin !== s.sources[0]).map((s) => [s.id, s.origin]));
    await target.commit({ put, origins, ...(last ? { sources } : {}) });
    written += put.length;
    for (const s of put) {
      if (s.fullTextTried === undefined) continue;
      // At the story's own `updated`: the stored article does not date it anew.
      await target.putFullText(s.id, { ...s.fullTextTried, html: s.fullText ?? null, at: s.updated });
    }
  };
  try {
    for await (const line of lines) {
      if (line.kind === 'source') {
        const { kind: _kind, id, ...state } = line;
        sources[id] = state;
        continue;
      }
      const { kind: _kind, ...story } = line;
      batch.push(story);
      if (batch.length === BATCH) await flush(false);
    }
    await flush(true);
  } catch (err) {
    if (written === 0) throw err;
    throw new WirefeedError('cli', 'E_PARTIAL', `stopped after ${written} stories were written into ${target.location}; empty it before trying again`, { cause: err });
  }
  return written;
}
