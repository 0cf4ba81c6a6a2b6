/**
 * XML checks with real tools: `xmllint --noout` for well-formedness, and jing for Atom against the
 * RFC 4287 RELAX NG schema plus its three Schematron rules (jing reads Schematron 1.5 `.sch`).
 */
import { fileURLToPath } from 'node:url';
import { run } from './exec.js';

const SCHEMAS = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));
export const ATOM_RNC = `${SCHEMAS}atom.rnc`;
export const ATOM_RULES = `${SCHEMAS}atom-rules.sch`;

/** xmllint's complaints about each file that is not well-formed; [] when all are. Batches well. */
export async function wellFormedErrors(files: string[]): Promise<string[]> {
  const res = await run('xmllint', ['--noout', '--nonet', ...files]);
  if (res.code === 0) return [];
  return [`xmllint exit ${res.code}`, ...res.stderr.split('\n').filter((l) => l.trim() !== '')];
}

/** jing's lines for `schema` (rnc with compact=true, else rng/sch); [] when every file is valid. */
async function jing(schema: string, files: string[], compact: boolean): Promise<string[]> {
  const res = await run('jing', [...(compact ? ['-c'] : []), schema, ...files]);
  // jing reports on stdout; its stderr has only the Debian wrapper's classpath warnings.
  const lines = res.stdout.split('\n').filter((l) => l.trim() !== '');
  if (res.code === 0 && lines.length === 0) return [];
  return [`jing ${schema} exit ${res.code}`, ...lines];
}

/** Errors from validating Atom files against atom.rnc and atom-rules.sch; [] when valid. */
export async function atomErrors(files: string[]): Promise<string[]> {
  return [...(await jing(ATOM_RNC, files, true)), ...(await jing(ATOM_RULES, files, false))];
}
