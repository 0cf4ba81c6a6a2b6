import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFilesAtomic } from '../src/store/atomic.js';
import { tempDir } from './helpers/tmp.js';

describe('writeFilesAtomic', () => {
  it('writes every file of a batch, making each text only once', async () => {
    const dir = await tempDir();
    const made: number[] = [];
    const jobs = Array.from({ length: 20 }, (_, i) => ({ file: join(dir, `f${String(i).padStart(2, '0')}.json`), text: () => (made.push(i), `{"n":${i}}`) }));
    await writeFilesAtomic(jobs);
    expect(made.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await readdir(dir)).length).toBe(20);
    expect(await readFile(join(dir, 'f13.json'), 'utf8')).toBe('{"n":13}');
  });

  it('a failing file leaves no temp file, every target as it was, and names the file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.json'), 'old a');
    await mkdir(join(dir, 'b.json')); // a directory where a file should go: its rename fails
    const jobs = ['a.json', 'b.json', 'c.json'].map((name) => ({ file: join(dir, name), text: () => `new ${name}` }));
    await expect(writeFilesAtomic(jobs)).rejects.toThrow(`store: cannot write ${join(dir, 'b.json')}`);
    // Renames run in order: the file before the failing one is new, the ones after are untouched.
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('new a.json');
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.json']);
  });
});
