import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatedStory, StoredStory } from '../src/model.js';
import { ingestStories } from '../src/store/ingest.js';
import { openStore, STATE_VERSION } from '../src/store/index.js';
import { applyRetention } from '../src/store/retention.js';
import { tempDir } from './helpers/tmp.js';
import { datedStory } from './helpers/stories.js';

const T0 = new Date('2026-11-28T12:00:00Z');
const opts = (sourceId: string, at: Date) => ({ sourceId, at, lang: 'nl' as const });

const dated = (headline: string, body?: string[]): DatedStory => datedStory(body === undefined ? { headline } : { headline, body });

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

describe('bodies apart from the stories', () => {
  it('story files hold no bodies; bodies/<source>.json does, and they read back after a restart', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, [dated('Een'), dated('Twee', ['GENT (ANP) - Twee.', 'B.', 'C.'])], opts('s1', T0));
    const held = [...store.ofSource('s1')];
    const ids = held.map((s) => s.id);
    await store.close();
    // One row per story (story-file.ts), repeated values named by their index in `strings`.
    const row = (s: StoredStory) => [s.id, 0, s.leadKey, 0, s.headline, 0, 1, [2], -1, s.bodyHash, null, 3, 4, 4, -1, 4, 4];
    expect(await readJson(join(dir, 'stories/s1.json'))).toEqual({
      version: STATE_VERSION,
      strings: ['s1', 'GENT', 'ANP', 'nl', T0.toISOString()],
      stories: held.map(row),
      lengths: held.map((s) => JSON.stringify(row(s)).length),
    });
    const bodies = (await readJson(join(dir, 'bodies/s1.json'))) as { version: number; bodies: Record<string, string[]> };
    expect(bodies).toEqual({ version: STATE_VERSION, bodies: { [ids[0]!]: ['GENT (ANP) - Een is gebeurd.', 'Tweede alinea.'], [ids[1]!]: ['GENT (ANP) - Twee.', 'B.', 'C.'] } });
    const again = await openStore(dir);
    expect([...again.ofSource('s1')].map((s) => s.body)).toEqual([['GENT (ANP) - Een is gebeurd.', 'Tweede alinea.'], ['GENT (ANP) - Twee.', 'B.', 'C.']]);
    await again.close();
  });

  it('an edited body is written; a story that leaves its home takes its body along, and the old file drops it one flush later', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, [dated('Gedeeld')], opts('s1', T0));
    ingestStories(store, [dated('Gedeeld', ['GENT (ANP) - Gedeeld, nu langer.', 'Nieuw.'])], opts('s2', new Date(T0.getTime() + 60_000)));
    const [story] = [...store.ofSource('s2')];
    await store.flush();
    // s1's page no longer shows it and keeps nothing: it moves to s2's files.
    store.updateSource('s1', { lastPageAt: new Date(T0.getTime() + 120_000).toISOString() });
    expect(applyRetention(store, 's1', { keep: 0, maxAgeDays: 30 }, T0)).toBe(1);
    await store.flush();
    expect(((await readJson(join(dir, 'bodies/s2.json'))) as { bodies: object }).bodies).toEqual({ [story!.id]: ['GENT (ANP) - Gedeeld, nu langer.', 'Nieuw.'] });
    // Kept in s1's body file until the s1 story file without it was on disk.
    expect(Object.keys(((await readJson(join(dir, 'bodies/s1.json'))) as { bodies: object }).bodies)).toEqual([story!.id]);
    await store.flush();
    expect(((await readJson(join(dir, 'bodies/s1.json'))) as { bodies: object }).bodies).toEqual({});
    await store.close();
    const again = await openStore(dir);
    expect([...again.ofSource('s2')].map((s) => [s.sources, s.body])).toEqual([[['s2'], ['GENT (ANP) - Gedeeld, nu langer.', 'Nieuw.']]]);
    await again.close();
  });

  it('a story moved away from a home whose body file was not read yet keeps its body', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, [dated('Verhuisd')], opts('s1', T0));
    ingestStories(store, [dated('Verhuisd')], opts('s2', new Date(T0.getTime() + 60_000)));
    await store.close();
    // Freshly opened: no body file is read until a body is needed.
    const again = await openStore(dir);
    again.updateSource('s1', { lastPageAt: new Date(T0.getTime() + 120_000).toISOString() });
    expect(applyRetention(again, 's1', { keep: 0, maxAgeDays: 30 }, T0)).toBe(1);
    await again.close();
    const third = await openStore(dir);
    expect([...third.ofSource('s2')].map((s) => [s.sources, s.body])).toEqual([[['s2'], ['GENT (ANP) - Verhuisd is gebeurd.', 'Tweede alinea.']]]);
    await third.close();
  });

  it('a body file with bodies of stories its story file does not hold (a flush cut short) ignores them', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    ingestStories(store, [dated('Een')], opts('s1', T0));
    await store.close();
    const bodies = (await readJson(join(dir, 'bodies/s1.json'))) as { version: number; bodies: Record<string, string[]> };
    await writeFile(join(dir, 'bodies/s1.json'), JSON.stringify({ ...bodies, bodies: { ...bodies.bodies, 'not-held': ['x'] } }));
    const again = await openStore(dir);
    ingestStories(again, [dated('Twee')], opts('s1', new Date(T0.getTime() + 60_000)));
    await again.close();
    expect(Object.keys(((await readJson(join(dir, 'bodies/s1.json'))) as { bodies: object }).bodies)).not.toContain('not-held');
  });

  it('migrates a version 2 state (bodies inside the story files), keeping backups of what it rewrote', async () => {
    const dir = await tempDir();
    const made = await openStore(await tempDir());
    ingestStories(made, [dated('Oud verhaal')], opts('s1', T0));
    const stories = JSON.parse(JSON.stringify([...made.ofSource('s1')])) as StoredStory[];
    await made.close();
    const meta = JSON.stringify({ version: 2, sources: { s1: { etag: '"x"' } } });
    const shard = JSON.stringify({ version: 2, stories });
    await mkdir(join(dir, 'stories'));
    await writeFile(join(dir, 'wirefeed.json'), meta);
    await writeFile(join(dir, 'stories/s1.json'), shard);
    const store = await openStore(dir);
    expect([...store.ofSource('s1')].map((s) => JSON.parse(JSON.stringify(s)) as StoredStory)).toEqual(stories);
    expect(store.source('s1').etag).toBe('"x"');
    await store.close();
    expect(await readFile(join(dir, 'wirefeed.json.v2.bak'), 'utf8')).toBe(meta);
    expect(await readFile(join(dir, 'stories/s1.json.v2.bak'), 'utf8')).toBe(shard);
    // Migrated on to the current version (3 → 4 after 2 → 3): no v3 backup of a file that was at 2.
    expect((await readJson(join(dir, 'wirefeed.json'))).version).toBe(STATE_VERSION);
    expect((await readJson(join(dir, 'stories/s1.json'))).version).toBe(STATE_VERSION);
    expect((await readdir(join(dir, 'stories'))).sort()).toEqual(['s1.json', 's1.json.v2.bak']);
    expect(await readdir(join(dir, 'bodies'))).toEqual(['s1.json']);
  });

  it('a 2 → 3 migration cut short after some story files runs again to the end', async () => {
    const dir = await tempDir();
    const made = await openStore(await tempDir());
    ingestStories(made, [dated('Alfa')], opts('a', T0));
    ingestStories(made, [dated('Bravo')], opts('b', T0));
    const v2 = (id: string) => JSON.stringify({ version: 2, stories: JSON.parse(JSON.stringify([...made.ofSource(id)])) as StoredStory[] });
    await made.close();
    await mkdir(join(dir, 'stories'));
    await writeFile(join(dir, 'wirefeed.json'), JSON.stringify({ version: 2, sources: {} }));
    await writeFile(join(dir, 'stories/a.json'), v2('a'));
    await writeFile(join(dir, 'stories/b.json'), v2('b'));
    // First run: migrated, then the meta file is put back to version 2 as if it crashed before writing it.
    await (await openStore(dir)).close();
    await copyFile(join(dir, 'wirefeed.json.v2.bak'), join(dir, 'wirefeed.json'));
    const store = await openStore(dir);
    expect([...store.ofSource('a'), ...store.ofSource('b')].map((s) => [s.headline, s.body[1]])).toEqual([
      ['Alfa', 'Tweede alinea.'],
      ['Bravo', 'Tweede alinea.'],
    ]);
    await store.close();
  });
});
