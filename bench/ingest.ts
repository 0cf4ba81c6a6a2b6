/**
 * Figure 3: an unchanged page of 50 stories. The ingest stage itself (ingestPage with 50
 * dated stories the store already holds, beside 450 older ones of the same source), and the
 * whole poll path of the daemon for a page whose bytes did not change (HTTP GET on loopback,
 * hash, compare, bookkeeping).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { PUBLIC_SCOPE } from '../src/identity/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { openStore } from '../src/store/index.js';
import { atMost, datedStory, median, rng, syntheticBody, tempDir, writeDaemonConfig, type Figure } from './lib.js';

const AT = new Date('2026-11-28T12:00:00Z');

async function ingestStage(): Promise<{ unchanged: number; fresh: number }> {
  const tmp = await tempDir('ingest');
  try {
    const store = await openStore(tmp.dir);
    const r = rng(3);
    const older = Array.from({ length: 450 }, (_, i) => datedStory(r, `old-${i}`, new Date(AT.getTime() - 86_400_000)));
    await ingestPage(store, older, { sourceId: 'bench', at: new Date(AT.getTime() - 86_400_000), lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    const page = Array.from({ length: 50 }, (_, i) => datedStory(r, `page-${i}`, AT));
    await ingestPage(store, page, { sourceId: 'bench', at: AT, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    const rounds: number[] = [];
    const fresh: number[] = [];
    for (let round = 0; round < 7; round++) {
      const n = 200;
      let t0 = performance.now();
      for (let i = 0; i < n; i++) await ingestPage(store, page, { sourceId: 'bench', at: AT, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
      rounds.push(((performance.now() - t0) * 1000) / n);
      // A page of 50 stories the store has not seen: 50 inserts in one transaction.
      const news = Array.from({ length: 50 }, (_, i) => datedStory(r, `new-${round}-${i}`, AT));
      t0 = performance.now();
      await ingestPage(store, news, { sourceId: 'bench', at: AT, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
      fresh.push(performance.now() - t0);
    }
    await store.close();
    return { unchanged: median(rounds.slice(2)), fresh: median(fresh.slice(2)) };
  } finally {
    await tmp.remove();
  }
}

/** Wire text of `n` stories: headline, dateline lead, one more paragraph, its age. */
function wirePage(n: number): string {
  const r = rng(5);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { body } = syntheticBody(r, `p${i}`, 500);
    out.push(`Kop van bericht nummer ${i} over de zaak`, ...body, `${i + 1} minuten geleden`);
  }
  return out.join('\n') + '\n';
}

async function pollPath(): Promise<number> {
  const tmp = await tempDir('poll');
  const text = wirePage(50);
  const site = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page`;
  try {
    const file = await writeDaemonConfig(tmp.dir, `${tmp.dir}/state`, [{ id: 'bench', url }]);
    const config = await loadConfig(file, {});
    // Info level like a daemon would log, written nowhere: formatting is part of the path.
    const app = await startApp({ config, log: createLogger({ level: 'info', write: () => undefined }), version: '0.0.0-bench', port: 0 });
    try {
      await app.settled;
      const held = await app.store.countOf('bench');
      if (held !== 50) throw new Error(`bench: poll path: expected 50 stories, store holds ${held}`);
      for (let i = 0; i < 200; i++) await app.pollNow('bench');
      const n = 1000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await app.pollNow('bench');
      return ((performance.now() - t0) * 1000) / n;
    } finally {
      await app.stop();
    }
  } finally {
    site.closeAllConnections();
    site.close();
    await tmp.remove();
  }
}

export async function ingestFigures(): Promise<Figure[]> {
  const stage = await ingestStage();
  const poll = await pollPath();
  return [
    { name: 'ingest-unchanged', value: stage.unchanged, unit: 'µs/page', target: atMost(300), note: 'ingestPage, 50 held stories: lookups and one commit (the daemon skips an unchanged page by its hash before this)' },
    { name: 'ingest-new', value: stage.fresh, unit: 'ms/page', target: atMost(2), note: 'ingestPage, 50 new stories, one commit' },
    { name: 'poll-unchanged-page', value: poll, unit: 'µs/page', target: null, note: 'whole poll: loopback GET 200, same text hash' },
  ];
}
