/**
 * Issue 14.9: the CLI's rough edges. A reader that closes the pipe early (`| head -1`) ends the
 * command quietly with exit 0, as Unix tools do; `--source` with an unknown id names the known
 * ones and exits 2. The pipe is tested on the shipped CLI (bin/wirefeed.js, run `npm run build`).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import type { Io } from '../src/cli/io.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { openStore } from '../src/store/index.js';
import { datedStory } from './helpers/stories.js';
import { tempDir } from './helpers/tmp.js';

const BIN = join(import.meta.dirname, '../bin/wirefeed.js');

/** A config with two sources and a state holding `n` stories of the first. */
async function setup(n: number): Promise<string> {
  const dir = await tempDir();
  const config = join(dir, 'wirefeed.yaml');
  await writeFile(config, 'state: { dir: ./state }\nsources:\n  - { id: alfa, title: Alfa, path: a.txt }\n  - { id: beta, title: Beta, path: b.txt }\n');
  const store = await openStore(join(dir, 'state'));
  const stories = Array.from({ length: n }, (_, i) => datedStory({ headline: `Bericht nummer ${i} over een zaak die lang genoeg is voor een regel` }));
  await ingestPage(store, stories, { sourceId: 'alfa', at: new Date('2026-11-28T12:00:00Z'), lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
  await store.close();
  return config;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdin: async () => new Uint8Array(),
    env: {},
    now: () => new Date(0),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('wirefeed stories', () => {
  it('piped into a reader that closes after the first line: exit 0, nothing on stderr', async () => {
    // Far more than a pipe buffer (64 KiB), so writes go on after the reader has gone.
    const config = await setup(3000);
    const child = spawn(process.execPath, [BIN, 'stories', '--format', 'text', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    const firstLine = await new Promise<string>((resolve) => {
      let got = '';
      child.stdout.on('data', (c: Buffer) => {
        got += c.toString();
        const nl = got.indexOf('\n');
        if (nl >= 0) {
          child.stdout.destroy();
          resolve(got.slice(0, nl));
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(firstLine).toMatch(/^2026-11-28T12:00:00\.000Z {2}[0-9a-f]{12} {2}\[alfa\] {2}Bericht nummer \d+ over een zaak/);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('--source with an unknown id: the known sources on stderr, exit 2', async () => {
    const config = await setup(1);
    expect(await cli(['stories', '--source', 'nope', '--config', config])).toEqual({
      code: 2,
      stdout: '',
      stderr: `wirefeed stories: no source "nope" in ${config} (sources: alfa, beta)\n`,
    });
    const known = await cli(['stories', '--source', 'alfa', '--config', config, '--format', 'json']);
    expect([known.code, (JSON.parse(known.stdout) as unknown[]).length, known.stderr]).toEqual([0, 1, '']);
  });
});
