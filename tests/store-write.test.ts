import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFilesAtomic } from '../src/store/atomic.js';
import { tempDir } from './helpers/tmp.js';

describe('writeFilesAtomic', () => {
  it('writes every file of a batch, making each text only once', async () => {
    const dir = await tempDir();
    const made: number[] = [];
    const jobs = Array.from({ length: 20 }, (_, i) => ({ file: join(dir, `f${String(i).padStart(2, '0')}.json`), content: () => (made.push(i), `{"n":${i}}`) }));
    await writeFilesAtomic(jobs);
    expect(made.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await readdir(dir)).length).toBe(20);
    expect(await readFile(join(dir, 'f13.json'), 'utf8')).toBe('{"n":13}');
  });

  it('a failing file leaves no temp file, every target as it was, and names the file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.json'), 'old a');
    await mkdir(join(dir, 'b.json')); // a directory where a file should go: its rename fails
    const jobs = ['a.json', 'b.json', 'c.json'].map((name) => ({ file: join(dir, name), content: () => `new ${name}` }));
    await expect(writeFilesAtomic(jobs)).rejects.toThrow(`store: cannot write ${join(dir, 'b.json')}`);
    // Renames run in order: the file before the failing one is new, the ones after are untouched.
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('new a.json');
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.json']);
  });

  it('a file that cannot be written stops the batch: files before some point new, it and the rest old, no temp file', async () => {
    const dir = await tempDir();
    const names = ['a.json', 'b.json', 'missing/c.json', 'd.json', 'e.json'];
    for (const name of ['a.json', 'b.json', 'd.json', 'e.json']) await writeFile(join(dir, name), `old ${name}`);
    // No directory `missing`: the temp file of c cannot be created.
    const jobs = names.map((name) => ({ file: join(dir, name), content: () => `new ${name}` }));
    await expect(writeFilesAtomic(jobs)).rejects.toThrow(`store: cannot write ${join(dir, 'missing/c.json')}`);
    const after = await Promise.all(['a.json', 'b.json', 'd.json', 'e.json'].map((name) => readFile(join(dir, name), 'utf8')));
    expect(after.slice(2)).toEqual(['old d.json', 'old e.json']);
    // a and b may have been renamed before c failed (the renames overlap the writes), but only in order.
    expect([['old a.json', 'old b.json'], ['new a.json', 'old b.json'], ['new a.json', 'new b.json']]).toContainEqual(after.slice(0, 2));
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.json', 'd.json', 'e.json']);
  });

  it('writes text as UTF-8 (a lone surrogate as U+FFFD, as Buffer.from writes it)', async () => {
    const dir = await tempDir();
    await writeFilesAtomic([{ file: join(dir, 'text.json'), content: () => '{é\ud800}' }]);
    expect(await readFile(join(dir, 'text.json'), 'utf8')).toBe('{é\ufffd}');
  });

  it('writes chunks of bytes in order, as one file', async () => {
    const dir = await tempDir();
    const chunks = [Buffer.from('{"a":'), Buffer.from('"é'), Buffer.alloc(0), Buffer.from('"}')];
    await writeFilesAtomic([{ file: join(dir, 'chunks.json'), content: () => chunks }]);
    expect(await readFile(join(dir, 'chunks.json'), 'utf8')).toBe('{"a":"é"}');
  });
});
