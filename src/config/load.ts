/**
 * Config file → validated config. Every problem is collected and thrown at once as a ConfigError
 * (YAML syntax first: a file that is not YAML has no keys to check).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { readPlainYaml } from './plain-yaml.js';
import { ConfigError, Locator, byPosition, issueMessage, issueProblems, type ConfigProblem } from './problems.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError, formatProblem, type ConfigProblem } from './problems.js';

/** A validated config whose relative paths are made absolute, and the file it came from. */
export type LoadedConfig = Config & {
  /** Absolute path of the config file. */
  file: string;
};

/** Reads and validates a config file; relative paths inside it are relative to the file. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const message = `cannot read config: ${err instanceof Error ? err.message : String(err)}`;
    throw new ConfigError(file, [{ file, line: null, col: null, path: '', message }], { cause: err });
  }
  return parseConfig(text, file, env);
}

/** Validates config text; `file` names it in messages and anchors its relative paths. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  // The fast path (plain-yaml.ts) for a file that is fine; any doubt or problem, and `yaml` reads
  // it again below to say where.
  const plain = readPlainYaml(text);
  if (plain !== undefined) {
    const result = configSchema.safeParse(withoutEmptyBlocks(plain), { error: issueMessage });
    if (result.success) return resolvePaths(result.data, path.resolve(file), env);
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const where = new Locator(doc, lines);

  const syntax = yamlProblems(file, text, [...doc.errors, ...doc.warnings], where);
  if (doc.errors.length > 0) throw new ConfigError(file, syntax.sort(byPosition));

  const result = configSchema.safeParse(withoutEmptyBlocks(doc.toJS()), { error: issueMessage });
  if (!result.success || syntax.length > 0) {
    const problems = [...syntax, ...(result.success ? [] : issueProblems(file, result.error.issues, where))];
    throw new ConfigError(file, problems.sort(byPosition));
  }
  return resolvePaths(result.data, path.resolve(file), env);
}

/** Optional top-level blocks whose YAML is only `key:` (entries all commented out). */
const OPTIONAL_BLOCKS = ['server', 'state', 'http', 'feeds'];

/** `feeds:` with every entry commented out is YAML null; it means "none", not a mistake. */
function withoutEmptyBlocks(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  return Object.fromEntries(
    Object.entries(data).filter(([key, value]) => !(value === null && OPTIONAL_BLOCKS.includes(key))),
  );
}

/**
 * yaml's own errors, one per line (an unquoted `*\/5 * * * *` alone yields four), with a hint
 * for the usual cause: YAML reads a plain value starting with `*` as an alias.
 */
function yamlProblems(file: string, text: string, errors: YAMLError[], where: Locator): ConfigProblem[] {
  const seenLines = new Set<number>();
  const problems: ConfigProblem[] = [];
  for (const err of errors) {
    const { line, col } = where.at(err.pos[0]);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    const lineText = text.split(/\r?\n/)[line - 1] ?? '';
    let message = err.message.charAt(0).toLowerCase() + err.message.slice(1);
    if (err.code === 'DUPLICATE_KEY') message = `duplicate key "${keyAt(text, err.pos[0])}"`;
    else if (/:\s+\*/.test(lineText)) message = `${message} (a value starting with * must be quoted: "*/5 * * * *")`;
    problems.push({ file, line, col, path: '', message });
  }
  return problems;
}

/** The plain key that starts at `offset` (yaml points a duplicate key error at its first character). */
function keyAt(text: string, offset: number): string {
  return /^[^:\n]*?(?=\s*:)/.exec(text.slice(offset))?.[0] ?? text.slice(offset, offset + 1);
}

/**
 * Paths in the file are relative to the file, not to wherever the daemon was started.
 * systemd's $STATE_DIRECTORY (colon-separated when the unit names several) wins over state.dir,
 * $DATABASE_URL over state.url.
 */
function resolvePaths(config: Config, file: string, env: NodeJS.ProcessEnv): LoadedConfig {
  const base = path.dirname(file);
  const fromSystemd = env.STATE_DIRECTORY?.split(':')[0];
  const stateDir = fromSystemd ? path.resolve(fromSystemd) : path.resolve(base, config.state.dir);
  const stateUrl = env.DATABASE_URL || config.state.url;
  return {
    ...config,
    file,
    state: { ...config.state, dir: stateDir, ...(stateUrl === undefined ? {} : { url: stateUrl }) },
    sources: config.sources.map((s) => ({
      ...s,
      ...(s.path === undefined ? {} : { path: path.resolve(base, s.path) }),
      ...(s.dir === undefined ? {} : { dir: path.resolve(base, s.dir) }),
    })),
  };
}
