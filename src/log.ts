/**
 * Plain line logger. Under systemd ($JOURNAL_STREAM set) each line gets a syslog priority
 * prefix such as `<4>` and no timestamp (the journal adds its own); elsewhere a line reads
 * `2026-11-28T12:00:00.000Z warn  message key=value`.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
/** syslog(3) priorities: err=3, warning=4, info=6, debug=7. */
const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** true: syslog priority prefixes, no timestamps (journald). */
  journal?: boolean;
  write?: (line: string, level: LogLevel) => void;
  clock?: () => Date;
}

export function isLogLevel(s: string): s is LogLevel {
  return Object.hasOwn(RANK, s);
}

/**
 * Characters no log line may carry raw, whatever a source put in a value (a page's
 * `<meta charset>` reaches a warning): C0 and C1 controls and DEL, which terminals execute as
 * escape sequences and which forge line breaks; line and paragraph separators; and the
 * bidirectional controls that make a line read differently from what it holds.
 */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Unsafe characters as JSON-style escapes (`\n`, `\u001b`), so the line shows what was there. */
function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function formatValue(v: string | number | boolean | null): string {
  const s = String(v);
  if (/^[^\s"=]+$/.test(s) && s === escapeUnsafe(s)) return s;
  // JSON.stringify escapes C0 controls and quotes, but leaves DEL, C1 and the rest raw.
  return escapeUnsafe(JSON.stringify(s));
}

export function formatLine(level: LogLevel, msg: string, fields: LogFields | undefined, journal: boolean, now: Date): string {
  // One event, one line: every field is escaped, so no value can forge a second line.
  const text = escapeUnsafe(msg);
  let line = journal ? `<${PRIORITY[level]}>${text}` : `${now.toISOString()} ${level.padEnd(5)} ${text}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) line += ` ${escapeUnsafe(k)}=${formatValue(v)}`;
    }
  }
  return line;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const max = RANK[opts.level ?? 'info'];
  const journal = opts.journal ?? false;
  const clock = opts.clock ?? (() => new Date());
  const write =
    opts.write ??
    ((line: string, level: LogLevel) => {
      (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
    });
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] <= max) write(formatLine(level, msg, fields, journal, clock()), level);
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

/** A logger that keeps lines in memory, for tests and for `wirefeed parse` warnings. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l), clock: () => new Date(0) });
  return Object.assign(logger, { lines });
}
