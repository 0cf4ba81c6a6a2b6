/**
 * The database file: a connection with the schema migrated, SQLite's online backup and its
 * integrity check, and the store's errors for what failed on it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WirefeedError } from '../errors.js';
import { exists } from './json-import.js';
import { migrate, SCHEMA_VERSION } from './schema.js';

export const DB_FILE = 'wirefeed.db';


/** Wrap a SQLite failure (SQLITE_FULL, SQLITE_READONLY, SQLITE_BUSY, SQLITE_IOERR…) with what was being done. */
export function storeError(what: string, file: string, err: unknown): WirefeedError {
  if (err instanceof WirefeedError) return err;
  const code = (err as { code?: unknown }).code;
  return new WirefeedError('store', 'E_DB', `${what} ${file} failed${typeof code === 'string' ? ` (${code})` : ''}`, { cause: err });
}

/** A schema migration of an existing database: from and to which version, and how long it took. */
export interface Migrated {
  from: number;
  to: number;
  seconds: number;
}

/**
 * A connection with the schema migrated; one from a newer wirefeed is refused untouched.
 * `onMigrated` hears of a migration of a database that had a schema (a new one is not news).
 */
export function connect(file: string, busyTimeoutMs: number, journal: 'wal' | 'delete', onMigrated?: (m: Migrated) => void): Database.Database {
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    const t0 = performance.now();
    const from = migrate(db, file);
    if (from > 0 && from < SCHEMA_VERSION) onMigrated?.({ from, to: SCHEMA_VERSION, seconds: (performance.now() - t0) / 1000 });
    // After the version check: a database from a newer wirefeed is not even switched to WAL.
    db.pragma(`journal_mode = ${journal}`);
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * SQLite's online backup of the database in `dir` into `file`: a consistent copy, safe while a
 * daemon writes (it restarts on a change made meanwhile). Reads without the directory lock.
 */
export async function backupDatabase(dir: string, file: string): Promise<void> {
  const source = join(dir, DB_FILE);
  if (!(await exists(source))) throw new WirefeedError('store', 'E_NO_STATE', `no database ${source} to back up`);
  const db = new Database(source, { fileMustExist: true, timeout: 5000 });
  try {
    await db.backup(file);
  } catch (err) {
    throw storeError(`backing up into ${file} from`, source, err);
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of the database in `dir`: 'ok', or SQLite's list of problems. */
export async function integrityCheck(dir: string): Promise<string> {
  const file = join(dir, DB_FILE);
  if (!(await exists(file))) throw new WirefeedError('store', 'E_NO_STATE', `no database ${file} to check`);
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
  } catch (err) {
    throw storeError('checking', file, err);
  } finally {
    db.close();
  }
}
