// One-off: builds tests/fixtures/state/v4 with the JSON store (not committed).
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'vitest';
import { ingestDocument, sourceScopes, hashText } from '../src/app.js';
import { applyRetention } from '../src/store/retention.js';
import { openStore } from '../src/store/index.js';
import { startDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/tmp.js';
import { loadConfig } from '../src/config/load.js';

const FIX = join(import.meta.dirname, 'fixtures/state/v4');
const T0 = Date.parse('2026-11-28T12:00:00Z');

it('builds the v4 fixture', async () => {
  const dir = await tempDir();
  const yaml = (await readFile(join(FIX, 'wirefeed.yaml'), 'utf8')).replace('dir: STATE_DIR', 'dir: ' + join(dir, 'state'));
  await writeFile(join(dir, 'wirefeed.yaml'), yaml);
  const config = await loadConfig(join(dir, 'wirefeed.yaml'), {});
  const src = (id: string) => config.sources.find((s) => s.id === id)!;
  const t1 = await readFile(join(import.meta.dirname, 'fixtures/daemon/nl-buitenland-t1.txt'), 'utf8');
  const t2 = await readFile(join(import.meta.dirname, 'fixtures/daemon/nl-buitenland-t2.txt'), 'utf8');
  const store = await openStore(join(dir, 'state'));
  const scopeOf = sourceScopes(config.sources);
  const page = async (id: string, text: string, ms: number, extra: Record<string, unknown>) => {
    const at = new Date(T0 + ms);
    const doc = { sourceId: id, url: `http://127.0.0.1:9/${id}`, mediaType: 'text/plain', text, fetchedAt: at };
    const r = ingestDocument(store, src(id), doc, at, scopeOf);
    store.updateSource(id, { lastAttempt: at.toISOString(), lastSuccess: at.toISOString(), contentHash: hashText(text), lastPageAt: at.toISOString(), ...extra });
    const dropped = applyRetention(store, id, { keep: src(id).keep, maxAgeDays: src(id).maxAgeDays }, at);
    console.log(id, r.new, r.updated, r.unchanged, 'dropped', dropped);
  };
  await page('alfa', t1, 0, { etag: '"alfa-1"' });
  await page('bravo', t1, 5 * 60_000, { lastModified: 'Sat, 28 Nov 2026 12:04:00 GMT' });
  await page('geheim', t2, 10 * 60_000, { etag: 'W/"g"' });
  await page('alfa', t2, 60 * 60_000, { etag: '"alfa-2"' });
  await page('bravo', t2, 70 * 60_000, {});
  store.updateSource('bravo', { lastAttempt: new Date(T0 + 80 * 60_000).toISOString(), lastError: 'fetch: E_HTTP_STATUS: http://127.0.0.1:9/bravo: 503 Service Unavailable', consecutiveFailures: 2, nextAttemptAfter: new Date(T0 + 100 * 60_000).toISOString() });
  await store.close();
  await rm(join(FIX, 'state'), { recursive: true, force: true });
  await cp(join(dir, 'state'), join(FIX, 'state'), { recursive: true });
  await rm(join(FIX, 'state', 'wirefeed.lock'), { force: true });
  // The feeds this state serves, from a copy (the daemon's failed fetches change bookkeeping only).
  const serveDir = await tempDir();
  await cp(join(FIX, 'state'), join(serveDir, 'state'), { recursive: true });
  const d = await startDaemon(serveDir, yaml.replace(join(dir, 'state'), join(serveDir, 'state')));
  await d.app.settled;
  await mkdir(join(FIX, 'expected'), { recursive: true });
  for (const feed of ['alfa', 'bravo', 'alles', 'geheim', 'prive']) {
    for (const ext of ['atom', 'rss', 'json']) {
      const token = feed === 'geheim' ? '?token=fixture-token-0123456789abcdef' : feed === 'prive' ? '?token=fixture-token-feed-0123456789ab' : '';
      const res = await fetch(`${d.app.url}/feeds/${feed}.${ext}${token}`);
      if (res.status !== 200) throw new Error(`${feed}.${ext}: ${res.status}`);
      await writeFile(join(FIX, 'expected', `${feed}.${ext}`), Buffer.from(await res.arrayBuffer()));
    }
  }
  await d.app.stop();
  console.log(d.lines.join('\n'));
}, 60_000);
