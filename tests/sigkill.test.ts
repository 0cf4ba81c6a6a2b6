/**
 * Durable before served, under SIGKILL: a loopback source posts one new story a second, the
 * daemon (the built bundle, a child process) fetches it every second, and a reader polls its
 * feed. The daemon is killed 100 times and started again: half at a random moment, half a few
 * milliseconds after its fetch reached the source (while it reads the page and commits it): after every kill the database passes `PRAGMA integrity_check`, and after
 * every restart each story the reader ever saw is in the feed with the same id and published time.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startDaemonProcess, startSite } from './helpers/daemon.js';
import { between, seeded } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const KILLS = 100;

interface Item {
  id: string;
  title: string;
  date_published: string;
}

async function items(url: string): Promise<Item[] | null> {
  try {
    const res = await fetch(`${url}/feeds/live.json?limit=500`);
    if (res.status !== 200) return null;
    return ((await res.json()) as { items: Item[] }).items;
  } catch (err) {
    // The daemon is down (killed, or not up yet): the reader tries again.
    if (err instanceof TypeError) return null;
    throw err;
  }
}

describe('SIGKILL while a source posts and a reader reads', () => {
  it(`${KILLS} kills: integrity_check ok after each; every story the reader saw survives with its id and published time`, async () => {
    const started = Date.now();
    // Story n appears at started + n seconds; the page lists every story so far, newest first.
    const page = () => {
      const n = Math.floor((Date.now() - started) / 1000);
      const out: string[] = [];
      for (let i = n; i >= 0; i--) out.push(`Bericht ${i} uit de stad`, `GENT (ANP) - Bericht ${i} is gebeurd in de stad om ${i} seconden.`, '');
      return out.join('\n');
    };
    let fetched: (() => void) | null = null;
    const site = await startSite({
      '/live': (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(page());
        fetched?.();
      },
    });
    afterThisTest(() => site.close());
    const dir = await tempDir();
    const config = join(dir, 'wirefeed.yaml');
    await writeFile(config, `server: { port: 0 }\nstate: { dir: ./state }\nsources:\n  - { id: live, title: Live, url: ${site.url}/live, lang: nl, schedule: "* * * * * *", timezone: UTC }\n`);

    const seen = new Map<string, Item>();
    const rnd = seeded(Number(process.env['KILL_SEED'] ?? 16));
    let lost: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const d = await startDaemonProcess(['--config', config]);
      // After a restart, before anything else: every story seen so far is there, unchanged.
      const now = await items(d.url);
      expect(now, `kill ${kill}: the feed after a restart`).not.toBeNull();
      const byId = new Map(now!.map((i) => [i.id, i]));
      lost = [...seen.values()].filter((i) => byId.get(i.id)?.date_published !== i.date_published || byId.get(i.id)?.title !== i.title).map((i) => i.title);
      expect(lost, `kill ${kill}`).toEqual([]);
      // The reader polls while the daemon fetches and commits; the kill comes at a random moment,
      // or (every other kill) 0–15 ms after the daemon's next fetch was answered.
      const answered = kill % 2 === 1 ? new Promise<void>((resolve) => (fetched = resolve)) : null;
      let done = false;
      const reading = (async () => {
        while (!done) {
          for (const item of (await items(d.url)) ?? []) seen.set(item.id, item);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      if (answered === null) await new Promise((r) => setTimeout(r, between(rnd, 50, 400)));
      else {
        await answered;
        fetched = null;
        await new Promise((r) => setTimeout(r, between(rnd, 0, 15)));
      }
      expect(await d.kill('SIGKILL')).toBeNull();
      done = true;
      await reading;
      const db = new Database(join(dir, 'state', 'wirefeed.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true }), `kill ${kill}`).toBe('ok');
      } finally {
        db.close();
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    console.log(`sigkill: ${KILLS} kills over ${Math.round((Date.now() - started) / 1000)} s; the reader saw ${seen.size} stories; lost after a restart: ${lost.length}`);
  }, 180_000);
});
