import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptStateError } from '../src/store/atomic.js';
import { BODY_DIR, BodyShards } from '../src/store/bodies.js';
import { tempDir } from './helpers/tmp.js';
import { seeded as rng } from './helpers/random.js';

// Ids as the store makes them: 32 hex digits.
const A = 'a'.repeat(32);
const B = '0123456789abcdef0123456789abcdef';
const C = 'c0ffee'.padEnd(32, '0');
const ELSEWHERE = 'e'.repeat(32);

/** Paragraphs whose JSON text looks like the structure the scan walks. */
const TRICKY: Record<string, string[]> = {
  [A]: [
    'Hij zei: "nee".',
    'Een pad C:\\map\\ en een slash op het eind \\',
    `Tekst met "${B}":["nep"] erin, en ":[ los`,
    '\\"',
    'Unicode: é — \u2028 \u0001 \u0000 😀 \ud83d',
    '',
  ],
  [B]: ['Echte alinea van B.', '],"x":[', '{"version":9,"bodies":{}}'],
  [C]: [],
};

async function bodyDir(): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, BODY_DIR));
  return dir;
}

const fileOf = (dir: string, home: string) => join(dir, BODY_DIR, `${home}.json`);

function shards(dir: string, homed: Record<string, string> = {}): BodyShards {
  return new BodyShards(dir, 4, (id, home) => (homed[id] ?? 's1') === home);
}


describe('body files read raw', () => {
  it('reads back every body exactly, whatever its text looks like in JSON', async () => {
    const dir = await bodyDir();
    // B's real entry comes after A's text that spells B's key.
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: TRICKY }));
    const bodies = shards(dir);
    for (const id of [B, A, C, A]) expect(bodies.get('s1', id)).toEqual(TRICKY[id]);
    expect(bodies.get('s1', 'f'.repeat(32))).toEqual([]);
    expect(bodies.get('s2', A)).toEqual([]);
  });

  it('reads a hand-formatted file: whitespace, escaped keys, members in another order, a repeated id keeping its last body', async () => {
    const dir = await bodyDir();
    const pretty = JSON.stringify({ bodies: TRICKY, version: 4 }, null, 2).replace(`"${A}"`, `"${'\\u0061'.repeat(32)}"`);
    await writeFile(fileOf(dir, 's1'), `\n${pretty.replace('{', `{ "extra": [1, {"x": "]}"}], "bodies": {"${C}": ["eerst"]},`)}\r\n`);
    const bodies = shards(dir);
    for (const id of [A, B, C]) expect(bodies.get('s1', id)).toEqual(TRICKY[id]);
  });

  it('agrees with JSON.parse on 300 bodies of random tricky text', async () => {
    const dir = await bodyDir();
    const next = rng(11);
    const pieces = ['"', '\\', '":[', '],', '{', '}', ' ', 'é', '😀', '\n', '\t', '\u0002', 'abc', ',"', '"]'];
    const all: Record<string, string[]> = {};
    for (let n = 0; n < 300; n++) {
      const id = n.toString(16).padStart(32, '0');
      all[id] = Array.from({ length: Math.floor(next() * 4) }, () =>
        Array.from({ length: Math.floor(next() * 12) }, () => pieces[Math.floor(next() * pieces.length)]!).join(''),
      );
    }
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: all }));
    const bodies = shards(dir);
    for (const [id, body] of Object.entries(all).reverse()) expect(bodies.get('s1', id)).toEqual(body);
  });

  it('ignores bodies of stories homed elsewhere, but keeps one while its story is leaving the home', async () => {
    const dir = await bodyDir();
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: { [A]: ['a'], [ELSEWHERE]: ['weg'] } }));
    const homed: Record<string, string> = { [ELSEWHERE]: 's2' };
    const bodies = shards(dir, homed);
    expect(bodies.get('s1', ELSEWHERE)).toEqual([]);
    expect(bodies.get('s1', A)).toEqual(['a']);
    // A moves to s2: its body is read from s1's raw file and set in s2's shard.
    homed[A] = 's2';
    bodies.leave('s1', A, 's2');
    expect(bodies.get('s1', A)).toEqual(['a']);
    expect(bodies.get('s2', A)).toEqual(['a']);
    const { jobs, homes } = bodies.pending();
    expect(homes).toEqual(['s2']);
    expect(JSON.parse(jobs[0]!.content() as string)).toEqual({ version: 4, bodies: { [A]: ['a'] } });
  });

  it('a set on a raw shard parses it whole: the write holds every body homed there and the new one', async () => {
    const dir = await bodyDir();
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: { ...TRICKY, [ELSEWHERE]: ['niet van s1'] } }));
    const bodies = shards(dir, { [ELSEWHERE]: 's2' });
    expect(bodies.get('s1', A)).toEqual(TRICKY[A]);
    expect(bodies.isDirty()).toBe(false);
    const D = 'd'.repeat(32);
    bodies.set('s1', D, ['nieuw "verhaal"']);
    expect(bodies.get('s1', A)).toEqual(TRICKY[A]);
    expect(bodies.get('s1', D)).toEqual(['nieuw "verhaal"']);
    const { jobs, homes } = bodies.pending();
    expect(homes).toEqual(['s1']);
    expect(jobs[0]!.file).toBe(fileOf(dir, 's1'));
    const text = jobs[0]!.content() as string;
    expect(JSON.parse(text)).toEqual({ version: 4, bodies: { ...TRICKY, [D]: ['nieuw "verhaal"'] } });
    // Written and read back raw by a fresh cache: the same bodies.
    await writeFile(fileOf(dir, 's1'), text);
    bodies.written(homes, []);
    const again = shards(dir);
    for (const id of [A, B, C, D]) expect(again.get('s1', id)).toEqual(id === D ? ['nieuw "verhaal"'] : TRICKY[id]);
  });

  it('a story pruned after its home was read raw is gone from the next write', async () => {
    const dir = await bodyDir();
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: { [A]: ['a'], [B]: ['b'] } }));
    const homed: Record<string, string> = {};
    const bodies = shards(dir, homed);
    homed[B] = 'gone';
    bodies.leave('s1', B, null);
    expect(bodies.isDirty()).toBe(false);
    bodies.written([], ['s1']);
    const { jobs } = bodies.pending();
    expect(JSON.parse(jobs[0]!.content() as string)).toEqual({ version: 4, bodies: { [A]: ['a'] } });
  });
});

describe('corrupt body files', () => {
  async function readError(text: string, id = A): Promise<CorruptStateError> {
    const dir = await bodyDir();
    await writeFile(fileOf(dir, 's1'), text);
    try {
      shards(dir).get('s1', id);
    } catch (err) {
      expect(err).toBeInstanceOf(CorruptStateError);
      expect((err as CorruptStateError).file).toBe(fileOf(dir, 's1'));
      expect((err as CorruptStateError).code).toBe('E_CORRUPT');
      return err as CorruptStateError;
    }
    throw new Error('no error');
  }
  const whole = JSON.stringify({ version: 4, bodies: TRICKY });
  const cause = (err: CorruptStateError) => (err.cause as Error).message;

  it('a truncated file fails when it is read, wherever it was cut', async () => {
    for (const cut of [1, 20, whole.indexOf('":[') + 2, whole.indexOf('\\"'), whole.length - 2, whole.length - 1]) {
      const err = await readError(whole.slice(0, cut));
      expect(err.message).toContain(`state file ${err.file} is corrupt`);
    }
  });

  it('names what is wrong with the structure', async () => {
    expect(cause(await readError('not json'))).toBe("expected '{' at byte 0");
    expect(cause(await readError('{"version":4}'))).toBe('no bodies object');
    expect(cause(await readError('{"version":4,"bodies":[]}'))).toBe('no bodies object at byte 22');
    expect(cause(await readError(`{"version":4,"bodies":{"${A}":"a"}}`))).toBe("expected '[' at byte 58");
    expect(cause(await readError(`{"version":4,"bodies":{"${A}":[1]}}`))).toBe('expected a paragraph string at byte 59');
    expect(cause(await readError(`${whole}}`))).toBe(`text after the end at byte ${Buffer.byteLength(whole)}`);
    expect(cause(await readError(`{"version":4,"bodies":{"${A}":["a"] "${B}":[]}}`))).toBe("expected ',' at byte 64");
  });

  it('a body whose text does not parse fails when it is asked for, naming the file; the others still read', async () => {
    const dir = await bodyDir();
    await writeFile(fileOf(dir, 's1'), `{"version":4,"bodies":{"${A}":["kapot \\x"],"${B}":["goed"]}}`);
    const bodies = shards(dir);
    expect(bodies.get('s1', B)).toEqual(['goed']);
    expect(() => bodies.get('s1', A)).toThrow(CorruptStateError);
    expect(() => bodies.get('s1', A)).toThrow(`state file ${fileOf(dir, 's1')} is corrupt`);
    // A write needs every body: turning the shard parsed fails the same way.
    expect(() => bodies.set('s1', C, ['c'])).toThrow(CorruptStateError);
    expect(await readFile(fileOf(dir, 's1'), 'utf8')).toContain('kapot');
  });

  it('a body file changed behind the store after it was read is reported, not read wrong', async () => {
    const dir = await bodyDir();
    // C's 70 KB keep B out of the bytes read along with A.
    const long = ['x'.repeat(70_000)];
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: { [A]: ['a'], [C]: long, [B]: ['bbbb'] } }));
    const bodies = shards(dir);
    expect(bodies.get('s1', A)).toEqual(['a']);
    // Same length, B's array shifted by one byte: the range no longer holds one array.
    await writeFile(fileOf(dir, 's1'), JSON.stringify({ version: 4, bodies: { [A]: ['aa'], [C]: long, [B]: ['bbb'] } }));
    expect(() => bodies.get('s1', B)).toThrow(`the body of ${B} is not where the file had it`);
    const fresh = shards(dir);
    expect(fresh.get('s1', A)).toEqual(['aa']);
    await writeFile(fileOf(dir, 's1'), '{}');
    expect(() => fresh.get('s1', B)).toThrow(/file ends before byte \d+: it changed since it was read/);
  });
});
