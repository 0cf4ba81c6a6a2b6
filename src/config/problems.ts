/**
 * Config problems as users read them: `config/wirefeed.yaml:12:7 sources[1].url: expected an
 * http(s) URL`. Zod issues are worded here (one error map) and placed on the YAML node they are
 * about: the value for a bad value, the key for an unknown key, the enclosing map for a missing
 * key.
 */
import { isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { z } from 'zod';
import { WirefeedError } from '../errors.js';
import { configSchema } from './schema.js';
import { closest } from './suggest.js';

export interface ConfigProblem {
  /** The config file as the caller named it. */
  file: string;
  /** 1-based; null when the problem has no place in the file (it cannot be read). */
  line: number | null;
  col: number | null;
  /** JS-style path of the offending key (`sources[1].selectors.item`); '' for the whole file. */
  path: string;
  message: string;
}

/** `file:line:col path: message`, dropping the parts a problem does not have. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}:${p.col}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where} ${p.path}: ${p.message}`;
}

/** Every problem of a config file at once, in file order. */
export class ConfigError extends WirefeedError {
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[], options?: { cause?: unknown }) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('config', 'E_CONFIG', `${file}: ${count}\n${problems.map(formatProblem).join('\n')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Segment = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The value as a YAML user would name it. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
};

function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Size words per zod `origin`: strings have characters, lists have items, numbers just are. */
function bound(origin: string, n: number | bigint): string {
  if (origin === 'string') return plural(n, 'character');
  if (origin === 'array') return plural(n, 'item');
  return String(n);
}

/** The wording of every zod issue that the schema does not word itself. */
export const issueMessage: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined && iss.path !== undefined && iss.path.length > 0) {
        return `missing required key "${String(iss.path[iss.path.length - 1])}"`;
      }
      return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'string' && Number(iss.minimum) === 1) return 'must not be empty';
      return iss.inclusive === false
        ? `expected more than ${bound(iss.origin, iss.minimum)}`
        : `expected at least ${bound(iss.origin, iss.minimum)}`;
    case 'too_big':
      return iss.inclusive === false
        ? `expected less than ${bound(iss.origin, iss.maximum)}`
        : `expected at most ${bound(iss.origin, iss.maximum)}`;
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => String(v)).join(', ')}; got ${describeValue(iss.input)}`;
    default:
      return undefined;
  }
};

/** Keys an object schema at `path` allows, for "did you mean" (wrappers and arrays looked through). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType = schema;
  let rest = [...path];
  for (;;) {
    if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodArray && typeof rest[0] === 'number') {
      s = s.element as z.ZodType;
      rest = rest.slice(1);
    } else if (s instanceof z.ZodObject && typeof rest[0] === 'string') {
      const next: unknown = s.shape[rest[0]];
      if (!(next instanceof z.ZodType)) return [];
      s = next;
      rest = rest.slice(1);
    } else break;
  }
  return rest.length === 0 && s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Where the file lays out a document: yaml node offsets → 1-based line:col. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): { line: number; col: number } {
    return this.lines.linePos(offset);
  }

  /** The node at `path`; the deepest existing ancestor when the path runs out (a missing key). */
  node(path: readonly Segment[], key = false): Node | null {
    let cur: Node | null = asNode(this.doc.contents);
    for (const [i, seg] of path.entries()) {
      if (isMap(cur)) {
        const pair = cur.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (pair === undefined) return cur;
        const keyNode = asNode(pair.key);
        if (i === path.length - 1 && keyNode !== null && (key || isEmpty(pair.value))) return keyNode;
        cur = asNode(pair.value) ?? keyNode;
      } else if (isSeq(cur) && typeof seg === 'number' && seg < cur.items.length) {
        cur = asNode(cur.items[seg]) ?? cur;
      } else {
        return cur;
      }
    }
    return cur;
  }

  place(path: readonly Segment[], key = false): { line: number; col: number } {
    const range = this.node(path, key)?.range;
    return range ? this.at(range[0]) : { line: 1, col: 1 };
  }
}

function asNode(value: unknown): Node | null {
  return isNode(value) ? value : null;
}

/** `url:` with nothing after it: yaml gives a zero-width node after the colon; the key is a better place. */
function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (isScalar(value) && value.value === null && value.source === '');
}

function segments(path: readonly PropertyKey[]): Segment[] {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

/** Zod issues → problems, an unknown-keys issue split into one problem per key. */
export function issueProblems(file: string, issues: readonly z.core.$ZodIssue[], where: Locator): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const path = segments(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(configSchema, path);
      return issue.keys.map((k) => {
        const near = closest(k, known);
        return {
          file,
          ...where.place([...path, k], true),
          path: formatPath([...path, k]),
          message: `unknown key "${k}"${near ? ` (did you mean "${near}"?)` : ''}`,
        };
      });
    }
    return [{ file, ...where.place(path), path: formatPath(path), message: issue.message }];
  });
}

/** File order; problems at one place keep the order they were found in. */
export function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}
