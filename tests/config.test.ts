import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkCommand } from '../src/cli/check.js';
import { configJsonSchemaText } from '../src/config/jsonschema.js';
import { ConfigError, formatProblem, loadConfig, parseConfig } from '../src/config/load.js';
import { WirefeedError } from '../src/errors.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHIPPED = path.join(ROOT, 'config/wirefeed.yaml');
const SCHEMA_FILE = path.join(ROOT, 'config/wirefeed.schema.json');

/** YAML from lines, so that a test reads its line numbers off the array (line 1 = index 0). */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The formatted problems of a config text; fails the test when it is valid. */
function problems(text: string): string[] {
  try {
    parseConfig(text, 'c.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** One valid url source, to which a test adds the mistake it is about. */
const SOURCE = ['sources:', '  - id: a', '    title: A', '    url: https://example.org/a'];

describe('the shipped config', () => {
  test('loads with every default filled in and paths made absolute against config/', async () => {
    expect(await loadConfig(SHIPPED, {})).toEqual({
      file: SHIPPED,
      server: { host: '127.0.0.1', port: 8080, baseUrl: 'http://127.0.0.1:8080', maxConnections: 1000, feedCacheMb: 16 },
      state: { dir: path.join(ROOT, 'state') },
      http: { connectTimeoutMs: 15000, headersTimeoutMs: 15000, bodyTimeoutMs: 15000, maxBytes: 5242880, maxRedirects: 5, maxConcurrent: 8 },
      sources: [
        {
          id: 'anp-buitenland',
          title: 'ANP Buitenland',
          kind: 'path',
          path: path.join(ROOT, 'config/samples/nl-buitenland.txt'),
          format: 'auto',
          lang: 'nl',
          timezone: 'Europe/Amsterdam',
          schedule: '*/5 * * * *',
          keep: 1000,
          maxStoriesPerPage: 1000,
          maxAgeDays: 30,
          allowPrivateRedirects: false,
          fullText: null,
          link: undefined,
        },
      ],
      feeds: [
        {
          id: 'oorlog-oekraine',
          title: 'Oorlog in Oekraïne',
          sources: ['anp-buitenland'],
          include: ['Oekraïne', 'Rusland'],
          limit: 100,
        },
      ],
    });
  });

  test('names its editor schema on the first line, and its sample file exists', async () => {
    const text = await readFile(SHIPPED, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./wirefeed.schema.json');
    const config = await loadConfig(SHIPPED, {});
    await expect(readFile(config.sources[0]?.path ?? '', 'utf8')).resolves.toContain('WASHINGTON (ANP/AFP) - ');
  });

  test('its commented examples are valid too once uncommented', async () => {
    const text = await readFile(SHIPPED, 'utf8');
    // Uncomment `# key: value` and `# - id:` lines (the examples); prose comments have no such shape.
    const uncommented = text.replace(/^(\s*)# (- id: .*|\s*[A-Za-z]+:(?: .*)?)$/gm, '$1$2');
    const config = parseConfig(uncommented, SHIPPED, {});
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      baseUrl: 'http://127.0.0.1:8080',
      websubHub: 'https://pubsubhubbub.appspot.com/',
      maxConnections: 1000,
      feedCacheMb: 16,
    });
    expect(config.http).toEqual({ connectTimeoutMs: 15000, headersTimeoutMs: 15000, bodyTimeoutMs: 15000, maxBytes: 5242880, maxRedirects: 5, maxConcurrent: 8 });
    expect(config.sources.map((s) => [s.id, s.kind, s.schedule, s.token])).toEqual([
      ['anp-buitenland', 'path', '*/5 * * * *', undefined],
      ['example-world', 'url', '*/10 * * * *', undefined],
      ['wire-spool', 'dir', '*/5 * * * *', undefined],
      ['internal', 'path', '*/5 * * * *', '3f9c2a7e5b1d4c8f9a0e6b2d7c4f1a8e'],
    ]);
    expect(config.sources[1]?.selectors).toEqual({ item: 'li.story', headline: 'h3', body: 'p', age: '.age', time: 'time', link: 'a' });
    expect(config.feeds[0]?.exclude).toEqual(['voetbal']);
  });
});

describe('defaults', () => {
  test('a minimal config gets every default, baseUrl from host and port', () => {
    const config = parseConfig(yaml('server: { host: "::1", port: 9000 }', 'sources:', '  - { id: a, title: A, url: "https://example.org/" }'), '/etc/wirefeed/c.yaml', {});
    expect(config.server).toEqual({ host: '::1', port: 9000, baseUrl: 'http://[::1]:9000', maxConnections: 1000, feedCacheMb: 16 });
    expect(config.state).toEqual({ dir: '/etc/wirefeed/state' });
    expect(config.feeds).toEqual([]);
    expect(config.sources).toEqual([
      {
        id: 'a',
        title: 'A',
        kind: 'url',
        url: 'https://example.org/',
        link: 'https://example.org/',
        format: 'auto',
        lang: 'auto',
        timezone: 'Europe/Amsterdam',
        schedule: '*/5 * * * *',
        keep: 1000,
        maxStoriesPerPage: 1000,
        maxAgeDays: 30,
        allowPrivateRedirects: false,
        fullText: null,
      },
    ]);
  });

  test('a baseUrl loses its trailing slash; an empty feeds: block means no feeds', () => {
    const config = parseConfig(yaml('server:', '  baseUrl: https://news.example.org/wire/', ...SOURCE, 'feeds:', '  # none yet'), '/c.yaml', {});
    expect(config.server.baseUrl).toBe('https://news.example.org/wire');
    expect(config.feeds).toEqual([]);
  });
});

describe('every mistake has its exact message and place', () => {
  const cases: [string, string, string[]][] = [
    ['a URL that is not http(s)', yaml('sources:', '  - id: a', '    title: A', '    url: ftp://example.org/'), ['c.yaml:4:10 sources[0].url: expected an http(s) URL']],
    [
      'an unknown key, with a suggestion when close',
      yaml('sources:', '  - id: a', '    tilte: A', '    url: https://example.org/a'),
      ['c.yaml:2:5 sources[0].title: missing required key "title"', 'c.yaml:3:5 sources[0].tilte: unknown key "tilte" (did you mean "title"?)'],
    ],
    ['an unknown key, without a suggestion when not', yaml(...SOURCE, '    colour: red'), ['c.yaml:5:5 sources[0].colour: unknown key "colour"']],
    ['an unknown top-level key', yaml('sever:', '  port: 80', ...SOURCE), ['c.yaml:1:1 sever: unknown key "sever" (did you mean "server"?)']],
    [
      'a duplicate source id names both',
      yaml(...SOURCE, '  - id: a', '    title: B', '    path: b.txt'),
      ['c.yaml:5:9 sources[1].id: duplicate id "a" (also sources[0].id)'],
    ],
    [
      'a feed id that is a source id names both',
      yaml(...SOURCE, 'feeds:', '  - id: a', '    title: F', '    sources: [a]'),
      ['c.yaml:6:9 feeds[0].id: duplicate id "a" (also sources[0].id)'],
    ],
    ['an invalid cron expression', yaml(...SOURCE, '    schedule: "*/61 * * * *"'), ['c.yaml:5:15 sources[0].schedule: invalid cron expression "*/61 * * * *"']],
    ['a cron expression that is not one', yaml(...SOURCE, '    schedule: hourly'), ['c.yaml:5:15 sources[0].schedule: invalid cron expression "hourly"']],
    ['an unknown time zone', yaml(...SOURCE, '    timezone: Europe/Amsterdan'), ['c.yaml:5:15 sources[0].timezone: unknown time zone "Europe/Amsterdan"']],
    ['a source with none of url, path or dir', yaml('sources:', '  - id: a', '    title: A'), ['c.yaml:2:5 sources[0]: a source needs one of url, path or dir']],
    [
      'a source with two of url, path and dir',
      yaml(...SOURCE, '    dir: spool'),
      ['c.yaml:5:10 sources[0].dir: url, path and dir exclude each other (url is set too)'],
    ],
    [
      'a feed naming an unknown source, with a suggestion when close',
      yaml(...SOURCE, '  - { id: anp-buitenland, title: B, path: b.txt }', 'feeds:', '  - id: f', '    title: F', '    sources: [anp-buitenlnad, foo]'),
      [
        'c.yaml:9:15 feeds[0].sources[0]: unknown source "anp-buitenlnad" (did you mean "anp-buitenland"?)',
        'c.yaml:9:31 feeds[0].sources[1]: unknown source "foo"',
      ],
    ],
    ['an id with capitals', yaml('sources:', '  - id: ANP', '    title: A', '    path: a.txt'), ['c.yaml:2:9 sources[0].id: expected [a-z0-9-]+']],
    [
      'a schedule on a file source',
      yaml('sources:', '  - id: a', '    title: A', '    path: a.txt', '    schedule: "* * * * *"'),
      ['c.yaml:5:15 sources[0].schedule: schedule only applies to url sources (this one has path)'],
    ],
    [
      'selectors on a text source, and selectors without item',
      yaml(...SOURCE, '    format: text', '    selectors:', '      headline: h3'),
      [
        'c.yaml:7:7 sources[0].selectors.item: missing required key "item"',
        'c.yaml:7:7 sources[0].selectors: selectors need format html or auto (format is text)',
      ],
    ],
    ['a short token', yaml(...SOURCE, '    token: secret'), ['c.yaml:5:12 sources[0].token: a token needs at least 16 characters']],
    [
      'a token that would need escaping in ?token=',
      yaml(...SOURCE, 'feeds:', '  - { id: f, title: F, sources: [a], token: "correct horse&battery" }'),
      ['c.yaml:6:45 feeds[0].token: a token may only have letters, digits and . _ ~ -'],
    ],
    ['a cron step larger than its field', yaml(...SOURCE, '    schedule: "0 */24 * * *"'), ['c.yaml:5:15 sources[0].schedule: invalid cron expression "0 */24 * * *"']],
    ['a cron date that never comes', yaml(...SOURCE, '    schedule: "0 0 31 2 *"'), ['c.yaml:5:15 sources[0].schedule: invalid cron expression "0 0 31 2 *"']],
    ['an empty value', yaml('sources:', '  - id: a', '    title:', '    url: https://example.org/'), ['c.yaml:3:5 sources[0].title: expected text, got an empty value']],
    ['sources that are not a list', yaml('sources:', '  id: a'), ['c.yaml:2:3 sources: expected a list, got a map']],
    ['no sources', yaml('sources: []'), ['c.yaml:1:10 sources: expected at least 1 item']],
    ['a feed limit over 500', yaml(...SOURCE, 'feeds:', '  - { id: f, title: F, sources: [a], limit: 501 }'), ['c.yaml:6:45 feeds[0].limit: expected at most 500']],
    ['an empty file', '', ['c.yaml:1:1: expected a map, got an empty value']],
    ['a YAML duplicate key', yaml(...SOURCE, '    title: B'), ['c.yaml:5:5: duplicate key "title"']],
    [
      'an unquoted cron expression (YAML reads * as an alias)',
      yaml(...SOURCE, '    schedule: */5 * * * *'),
      ['c.yaml:5:19: unexpected alias at node end (a value starting with * must be quoted: "*/5 * * * *")'],
    ],
    ['broken indentation', yaml('sources:', '  - id: a', '   title: A'), ['c.yaml:3:1: sequence item without - indicator']],
    ['a tab as indentation', yaml('sources:', '  - id: a', '\ttitle: A'), ['c.yaml:3:1: tabs are not allowed as indentation']],
  ];

  test.each(cases)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  test('values out of range or of the wrong kind, each reported', () => {
    const text = yaml(
      'server: { port: 70000, maxConnections: 1.5 }',
      ...SOURCE,
      '    keep: 0',
      '    maxAgeDays: 0',
      '    lang: nederlands',
      '    format: markdown',
    );
    expect(problems(text)).toEqual([
      'c.yaml:1:17 server.port: expected at most 65535',
      'c.yaml:1:40 server.maxConnections: expected a whole number, got 1.5',
      'c.yaml:6:11 sources[0].keep: expected at least 1',
      'c.yaml:7:17 sources[0].maxAgeDays: expected more than 0',
      'c.yaml:8:11 sources[0].lang: expected one of auto, nl, en, de, fr; got "nederlands"',
      'c.yaml:9:13 sources[0].format: expected one of auto, text, html; got "markdown"',
    ]);
  });
});

describe('several problems', () => {
  const text = yaml(
    'server:', //                                   1
    '  prot: 8080', //                              2
    'sources:', //                                  3
    '  - id: b', //                                 4
    '    title: B', //                              5
    '    url: http://example.org/b', //             6
    '    schedule: "*/61 * * * *"', //              7
    '  - id: a', //                                 8
    '    title: A', //                              9
    '    timezone: Europe/Amsterdan', //            10
    '  - id: b', //                                 11
    '    title: B2', //                             12
    '    url: gopher://example.org/', //            13
    'feeds:', //                                    14
    '  - id: f', //                                 15
    '    title: F', //                              16
    '    sources: [a, c]', //                       17
  );

  test('are all reported at once, in file order, as one ConfigError', () => {
    let caught: unknown;
    try {
      parseConfig(text, 'config/wirefeed.yaml', {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toBeInstanceOf(WirefeedError);
    const err = caught as ConfigError;
    expect([err.stage, err.code]).toEqual(['config', 'E_CONFIG']);
    expect(err.message).toBe(
      [
        'config: config/wirefeed.yaml: 7 problems',
        'config/wirefeed.yaml:2:3 server.prot: unknown key "prot" (did you mean "port"?)',
        'config/wirefeed.yaml:7:15 sources[0].schedule: invalid cron expression "*/61 * * * *"',
        'config/wirefeed.yaml:8:5 sources[1]: a source needs one of url, path or dir',
        'config/wirefeed.yaml:10:15 sources[1].timezone: unknown time zone "Europe/Amsterdan"',
        'config/wirefeed.yaml:11:9 sources[2].id: duplicate id "b" (also sources[0].id)',
        'config/wirefeed.yaml:13:10 sources[2].url: expected an http(s) URL',
        'config/wirefeed.yaml:17:18 feeds[0].sources[1]: unknown source "c"',
      ].join('\n'),
    );
    expect(err.problems[0]).toEqual({
      file: 'config/wirefeed.yaml',
      line: 2,
      col: 3,
      path: 'server.prot',
      message: 'unknown key "prot" (did you mean "port"?)',
    });
  });
});

describe('files and paths', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wirefeed-config-'));
    await mkdir(path.join(dir, 'etc'));
    await writeFile(
      path.join(dir, 'etc/wirefeed.yaml'),
      yaml('state: { dir: ../var/state }', 'sources:', '  - { id: a, title: A, path: wire/a.txt }', '  - { id: b, title: B, dir: /srv/spool }'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('relative paths resolve against the config file, not the working directory', async () => {
    const config = await loadConfig(path.join(dir, 'etc/wirefeed.yaml'), {});
    expect(config.file).toBe(path.join(dir, 'etc/wirefeed.yaml'));
    expect(config.state.dir).toBe(path.join(dir, 'var/state'));
    expect(config.sources.map((s) => [s.path, s.dir])).toEqual([
      [path.join(dir, 'etc/wire/a.txt'), undefined],
      [undefined, '/srv/spool'],
    ]);
  });

  test('a relative config path is made absolute', async () => {
    const relative = path.relative(process.cwd(), path.join(dir, 'etc/wirefeed.yaml'));
    expect((await loadConfig(relative, {})).file).toBe(path.join(dir, 'etc/wirefeed.yaml'));
  });

  test('$STATE_DIRECTORY wins over state.dir; of several, the first', async () => {
    const file = path.join(dir, 'etc/wirefeed.yaml');
    expect((await loadConfig(file, { STATE_DIRECTORY: '/var/lib/wirefeed' })).state.dir).toBe('/var/lib/wirefeed');
    expect((await loadConfig(file, { STATE_DIRECTORY: '/var/lib/wirefeed:/var/lib/other' })).state.dir).toBe('/var/lib/wirefeed');
    expect((await loadConfig(file, { STATE_DIRECTORY: '' })).state.dir).toBe(path.join(dir, 'var/state'));
  });

  test('state.url names a PostgreSQL database; $DATABASE_URL wins over it', async () => {
    const file = path.join(dir, 'pg.yaml');
    await writeFile(file, yaml('state: { url: "postgres://wf@db.example:5432/wirefeed" }', 'sources:', '  - { id: a, title: A, path: wire/a.txt }'));
    expect((await loadConfig(file, {})).state.url).toBe('postgres://wf@db.example:5432/wirefeed');
    expect((await loadConfig(file, { DATABASE_URL: 'postgresql://other/wf' })).state.url).toBe('postgresql://other/wf');
    expect((await loadConfig(path.join(dir, 'etc/wirefeed.yaml'), { DATABASE_URL: 'postgres://x/y' })).state.url).toBe('postgres://x/y');
    expect((await loadConfig(path.join(dir, 'etc/wirefeed.yaml'), {})).state.url).toBeUndefined();
    await writeFile(file, yaml('state: { url: "mysql://db/wirefeed" }', 'sources:', '  - { id: a, title: A, path: wire/a.txt }'));
    await expect(loadConfig(file, {})).rejects.toThrow('state.url: a postgres:// or postgresql:// URL');
  });

  test('a missing file is a ConfigError without a line', async () => {
    const file = path.join(dir, 'nope.yaml');
    const err = await loadConfig(file, {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      { file, line: null, col: null, path: '', message: `cannot read config: ENOENT: no such file or directory, open '${file}'` },
    ]);
    expect((err as ConfigError).message).toBe(
      `config: ${file}: 1 problem\n${file}: cannot read config: ENOENT: no such file or directory, open '${file}'`,
    );
  });
});

describe('wirefeed check', () => {
  function io() {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), env: {} },
    };
  }

  test('the shipped config: exit 0 and a summary', async () => {
    const { out, io: cio } = io();
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      expect(await checkCommand([], cio)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(out).toEqual({ stdout: 'config/wirefeed.yaml: ok (1 source, 1 feed)\n', stderr: '' });
  });

  test('a broken config: exit 1 and every problem on stderr', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wirefeed-check-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      await writeFile(file, yaml('sources:', '  - id: a', '    title: A', '    url: ftp://x/', '    lnag: nl'));
      const { out, io: cio } = io();
      expect(await checkCommand(['--config', file], cio)).toBe(1);
      expect(out).toEqual({
        stdout: '',
        stderr: `${file}:4:10 sources[0].url: expected an http(s) URL\n${file}:5:5 sources[0].lnag: unknown key "lnag" (did you mean "lang"?)\n`,
      });
      const again = io();
      expect(await checkCommand([`--config=${file}`], again.io)).toBe(1);
      expect(again.out.stderr).toBe(out.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a valid config elsewhere counts its sources and feeds', async () => {
    const { out, io: cio } = io();
    expect(await checkCommand(['--config', SHIPPED], cio)).toBe(0);
    expect(out.stdout).toBe(`${SHIPPED}: ok (1 source, 1 feed)\n`);
  });

  test('a usage error: exit 2', async () => {
    const { out, io: cio } = io();
    expect(await checkCommand(['--verbose'], cio)).toBe(2);
    expect(out).toEqual({ stdout: '', stderr: 'usage: wirefeed check [--config PATH]\n' });
  });
});

describe('config/wirefeed.schema.json', () => {
  // Regenerate: UPDATE_EXPECTED=1 npx vitest run tests/config.test.ts
  // (or: npm run build && node dist/src/config/jsonschema.js > config/wirefeed.schema.json)
  test('is exactly what the zod schema generates', async () => {
    const generated = configJsonSchemaText();
    if (process.env.UPDATE_EXPECTED === '1') await writeFile(SCHEMA_FILE, generated);
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  test('is draft-07, strict, and requires sources', () => {
    const schema = JSON.parse(configJsonSchemaText()) as Record<string, unknown>;
    expect([schema.$schema, schema.title, schema.additionalProperties, schema.required]).toEqual([
      'http://json-schema.org/draft-07/schema#',
      'wirefeed configuration',
      false,
      ['sources'],
    ]);
  });
});
