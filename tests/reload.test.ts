/**
 * `wirefeed run` as a process: SIGHUP with a broken config keeps the old one running (and says
 * why, file:line:col), SIGHUP with a good one swaps it in, SIGTERM stops with exit 0.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startDaemon, startDaemonProcess, waitFor, writeConfig } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';

const FIX = join(import.meta.dirname, 'fixtures');

async function status(url: string): Promise<number> {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
}

describe('reload', () => {
  it('keeps the old config on a broken one and takes a good one', async () => {
    const dir = await tempDir();
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'a.txt'));
    await copyFile(join(FIX, 'daemon/nl-buitenland-t2.txt'), join(dir, 'b.txt'));
    const cfg = join(dir, 'wirefeed.yaml');
    const good = 'server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: een, title: Een, path: a.txt }\n';
    await writeFile(cfg, good);
    const d = await startDaemonProcess(['--config', cfg]);
    try {
      await waitFor('the first fetch', () => d.lines.some((l) => l.includes('fetch ok source=een')));
      expect(await status(`${d.url}/feeds/een.atom`)).toBe(200);

      await writeFile(cfg, `${good}  - { id: twee, title: Twee, path: b.txt, tilte: oops }\n`);
      process.kill(d.pid, 'SIGHUP');
      await waitFor('the reload to fail', () => d.lines.some((l) => l.includes('config reload failed; the old config keeps running')));
      expect(d.lines.find((l) => l.includes('unknown key "tilte"'))).toContain(`at=${cfg}:5:43 key=sources[1].tilte`);
      expect(await status(`${d.url}/feeds/een.atom`)).toBe(200);
      expect(await status(`${d.url}/feeds/twee.atom`)).toBe(404);

      await writeFile(cfg, `${good}  - { id: twee, title: Twee, path: b.txt }\n`);
      process.kill(d.pid, 'SIGHUP');
      await waitFor('the reload', () => d.lines.some((l) => l.includes('config reloaded sources=2')));
      await waitFor('the new source', () => d.lines.some((l) => l.includes('fetch ok source=twee')));
      expect(await status(`${d.url}/feeds/twee.atom`)).toBe(200);
      expect(await status(`${d.url}/feeds/een.atom`)).toBe(200);
    } finally {
      expect(await d.kill('SIGTERM')).toBe(0);
    }
    expect(d.lines.at(-1)).toContain('stopped; state written');
  });
});

describe('reload in-process', () => {
  it('keeps the stories of a source that left the config; a new feed cache size is only announced', async () => {
    const dir = await tempDir();
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'a.txt'));
    await copyFile(join(FIX, 'daemon/nl-buitenland-t2.txt'), join(dir, 'b.txt'));
    const one = 'server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: een, title: Een, path: a.txt }\n';
    const two = `${one}  - { id: twee, title: Twee, path: b.txt }\n`;
    const d = await startDaemon(dir, two);
    try {
      await d.app.settled;
      await d.app.reload(await writeConfig(dir, one));
      // Its stories stay (retention decides about them).
      expect((await d.app.store.countOf('twee'))).toBe(8);
      // The feed cache is sized at start: a new size is only announced.
      await d.app.reload(await writeConfig(dir, one.replace('server: { port: 0 }', 'server: { port: 0, feedCacheMb: 4 }')));
      expect(d.lines.filter((l) => l.includes('feedCacheMb'))).toEqual([expect.stringMatching(/warn {2}server\.feedCacheMb changed: restart wirefeed to resize the feed cache$/)]);
    } finally {
      await d.app.stop();
    }
  });
});
