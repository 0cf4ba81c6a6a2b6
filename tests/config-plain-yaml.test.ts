/**
 * The config's fast reading (src/config/plain-yaml.ts) against `yaml`, which it stands in for:
 * whatever it reads, `yaml` reads to the same value with no error and no warning; where the two
 * could differ it declines (undefined) and load.ts falls back to `yaml`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { ConfigError, formatProblem, parseConfig } from '../src/config/load.js';
import { readPlainYaml } from '../src/config/plain-yaml.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** `yaml`'s reading: the value, and its errors and warnings as codes. */
function byYaml(text: string): { value: unknown; errors: string[]; warnings: string[] } {
  const doc = parseDocument(text, { prettyErrors: false });
  return { value: doc.toJS(), errors: doc.errors.map((e) => e.code), warnings: doc.warnings.map((w) => w.code) };
}

/** The fast reading must agree with `yaml` wherever it answers. */
function agrees(text: string): unknown {
  const plain = readPlainYaml(text);
  if (plain !== undefined) {
    const ref = byYaml(text);
    expect({ errors: ref.errors, warnings: ref.warnings }).toEqual({ errors: [], warnings: [] });
    expect(plain).toEqual(ref.value);
  }
  return plain;
}

describe('scalars read as YAML 1.2 core, the way yaml reads them', () => {
  test.each([
    ['yes', 'yes'], ['no', 'no'], ['on', 'on'], ['off', 'off'], ['y', 'y'], ['True', true], ['FALSE', false], ['tRUE', 'tRUE'],
    ['~', null], ['Null', null], ['NULL', null], ['nULL', 'nULL'], ['', null],
    ['12', 12], ['+12', 12], ['-0', -0], ['012', 12], ['0o17', 15], ['0x1F', 31], ['-0x1F', '-0x1F'], ['0b101', '0b101'],
    ['1_000', '1_000'], ['1,000', '1,000'], ['1.5', 1.5], ['1.', 1], ['.5', 0.5], ['-.5', -0.5], ['1e3', 1000], ['1.5E-2', 0.015],
    ['.inf', Infinity], ['-.Inf', -Infinity], ['.NaN', NaN], ['.nan', NaN], ['.NAn', '.NAn'], ['1:20', '1:20'], ['60:00', '60:00'],
    ['2026-11-28', '2026-11-28'], ['2026-11-28T12:00:00Z', '2026-11-28T12:00:00Z'], ['"12"', '12'], ["'yes'", 'yes'],
    ['!!str 12', '12'], ['! 12', '12'], ['"a\\tb\\u00e9"', 'a\tb\u00e9'], ['a # comment', 'a'], ['a#b', 'a#b'],
  ])('%s', (scalar, value) => {
    const text = `k: ${scalar}\n`;
    expect(agrees(text)).toEqual({ k: value });
  });

  test('block scalars and folded lines as yaml folds them', () => {
    const text = yaml('a: |', '  one', '  two', '', 'b: >-', '  one', '  two', '', '  three', 'c: "x', '  y"', 'd: plain', '  continued');
    expect(agrees(text)).toEqual({ a: 'one\ntwo\n', b: 'one two\nthree', c: 'x y', d: 'plain continued' });
  });

  test('a byte order mark and CRLF line ends', () => {
    expect(agrees('\uFEFFa: 1\r\nb: |\r\n  x\r\n')).toEqual({ a: 1, b: 'x\n' });
  });

  test('<< is an ordinary key, not a merge', () => {
    expect(agrees(yaml('a:', '  <<: {x: 1}', '  y: 2'))).toEqual({ a: { '<<': { x: 1 }, y: 2 } });
  });

  test('flow collections on one line and indented under their key', () => {
    expect(agrees(yaml('a: [x, "y", 1]', 'b: {c: d}', 'e: [f,', '  g]'))).toEqual({ a: ['x', 'y', 1], b: { c: 'd' }, e: ['f', 'g'] });
  });
});

describe('declined: yaml reads it, so that every problem keeps its line and column', () => {
  test.each([
    ['a duplicate key', yaml('a: 1', 'a: 2')],
    ['a tab in indentation', 'a:\n\tb: 1\n'],
    ['an unknown alias', yaml('a: *nothing')],
    ['two documents', yaml('a: 1', '---', 'b: 2')],
    ['an unquoted schedule starting with *', yaml('schedule: */5 * * * *')],
    ['a local tag (yaml warns: unresolved tag)', yaml('a: !local x')],
    ['a timestamp tag', yaml('a: !!timestamp 2026-11-28')],
    ['a map tag on a list (yaml warns)', yaml('a: !!map [x]')],
    ['an int tag on text', yaml('a: !!int 0b11')],
    ['a %YAML 1.1 directive (yes would be true)', yaml('%YAML 1.1', '---', 'a: yes')],
    ['an unknown directive (yaml warns)', yaml('%FOO bar', '---', 'a: 1')],
    ['an anchor', yaml('a: &x 1', 'b: *x')],
    ['an anchor ending in : (yaml warns)', yaml('a: &x: 1')],
    ['a flow end indicator opening a line (yaml checks its indent)', yaml('a: [x,', ']')],
    ['a flow item less indented than its key (js-yaml warns, yaml errs)', yaml('a:', '  b: [x,', '  y]')],
    ['an empty file', ''],
  ])('%s', (_what, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });

  test('what yaml warns about in a document that parses is still a problem of the config', () => {
    const text = yaml('sources:', '  - id: a', '    title: A', '    url: https://example.org/a', '    lang: !local nl');
    expect(byYaml(text).warnings).toEqual(['TAG_RESOLVE_FAILED']);
    let problems: string[] = [];
    try {
      parseConfig(text, 'c.yaml', {});
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems.map(formatProblem);
    }
    expect(problems).toEqual(['c.yaml:5:11: unresolved tag: !local']);
  });
});

describe('configs that are read fast', () => {
  test('the shipped config and the example configs: the same value as yaml', async () => {
    for (const file of ['config/wirefeed.yaml']) {
      const text = await readFile(path.join(ROOT, file), 'utf8');
      expect(agrees(text), file).not.toBeUndefined();
    }
  });

  test('a config of many sources with quoted cron schedules', () => {
    const lines = ['server:', '  port: 8080', 'sources:'];
    for (let i = 0; i < 50; i++) {
      lines.push(`  - id: src-${i}`, `    title: Source ${i}`, `    url: http://127.0.0.1:9/src-${i}`, '    schedule: "*/5 * * * *"', '    keep: 1000');
    }
    const value = agrees(yaml(...lines)) as { sources: { schedule: string }[] };
    expect(value.sources).toHaveLength(50);
    expect(value.sources[49]!.schedule).toBe('*/5 * * * *');
  });
});
