/**
 * Issue 14.1: nothing a private (token) source contributed reaches a feed whose reader has not
 * shown its token. A story on a public and a private source with the same headline or the same
 * lead is two stories, whichever source shows it first and whatever the private source edits
 * later; state from before this rule is split at the first start. Asserted on the served feeds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLIC_SCOPE, entryUri, storyKey } from '../src/identity/index.js';
import { openStore } from '../src/store/index.js';
import { ingestPage } from '../src/ingest/index.js';
import { runCli } from '../src/cli/index.js';
import { startDaemon, writeConfig, type TestDaemon } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const TOKEN = 'geheim-token-1234567890';
const HEADLINE = 'Kabinet valt over stikstof';
const PUBLIC_LEAD = 'DEN HAAG (ANP) - Het kabinet is gevallen.';
const PRIVATE_LEAD = 'DEN HAAG (ANP) - Het kabinet is gevallen. INTERN: de premier treedt morgen af. Niet publiceren.';
const SECRET = 'INTERN';
const FILLER = 'Trein ontspoord bij Utrecht\nUTRECHT (ANP) - Bij Utrecht is een trein ontspoord.\n';

const CONFIG = `server: { port: 0 }
state: { dir: ./state }
sources:
  - { id: pub, title: Publiek, path: pub.txt, lang: nl }
  - { id: pub2, title: Publiek twee, path: pub2.txt, lang: nl }
  - { id: priv, title: Intern, path: priv.txt, lang: nl, token: ${TOKEN} }
feeds:
  - { id: alles, title: Alles, sources: [pub, pub2] }
`;

const page = (headline: string, lead: string) => `${headline}\n${lead}\n\n${FILLER}`;

async function start(dir: string): Promise<TestDaemon> {
  const d = await startDaemon(dir, CONFIG);
  afterThisTest(() => d.app.stop());
  await d.app.settled;
  return d;
}

async function show(d: TestDaemon, id: 'pub' | 'priv' | 'pub2', text: string, dir: string): Promise<void> {
  await writeFile(join(dir, `${id}.txt`), text);
  await d.app.pollNow(id);
}

async function get(d: TestDaemon, path: string): Promise<string> {
  const res = await fetch(`${d.app.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.text();
}

const PUBLIC_FEEDS = ['/feeds/pub.atom', '/feeds/pub.rss', '/feeds/pub.json', '/feeds/alles.atom', '/feeds/alles.rss', '/feeds/alles.json'];

/** Every public feed: no private text, and the public story with its own body. */
async function expectPublicClean(d: TestDaemon, publicHeadline: string): Promise<void> {
  for (const path of PUBLIC_FEEDS) {
    const text = await get(d, path);
    expect(text, path).not.toContain(SECRET);
    expect(text, path).toContain(publicHeadline);
    expect(text, path).toContain('Het kabinet is gevallen.');
  }
}

async function expectPrivateShown(d: TestDaemon): Promise<void> {
  for (const format of ['atom', 'rss', 'json']) expect(await get(d, `/feeds/priv.${format}?token=${TOKEN}`)).toContain(SECRET);
}

/** Each listing the private and the public source make of the story, in the order asked. */
const CASES = [
  { name: 'same headline', privateHeadline: HEADLINE },
  { name: 'same lead key, another headline', privateHeadline: 'INTERN: kabinet gevallen' },
];

describe('a private source next to a public one', () => {
  for (const c of CASES) {
    for (const order of ['private first', 'public first'] as const) {
      it(`${c.name}, ${order}: public feeds show only public text, the private feed with its token the private`, async () => {
        const dir = await tempDir();
        const d = await start(dir);
        const steps = [() => show(d, 'priv', page(c.privateHeadline, PRIVATE_LEAD), dir), () => show(d, 'pub', page(HEADLINE, PUBLIC_LEAD), dir)];
        for (const step of order === 'private first' ? steps : steps.reverse()) await step();
        await expectPublicClean(d, HEADLINE);
        await expectPrivateShown(d);
        // Two stories: the private one is not listed under the public source, nor the other way round.
        const pubIds = JSON.parse(await get(d, '/feeds/pub.json')).items.map((i: { id: string }) => i.id) as string[];
        const privIds = JSON.parse(await get(d, `/feeds/priv.json?token=${TOKEN}`)).items.map((i: { id: string }) => i.id) as string[];
        expect(pubIds.filter((id) => privIds.includes(id))).toEqual([]);
      });
    }
  }

  for (const order of ['private first', 'public first'] as const) {
    it(`${order}, then the private source edits its story (body, then headline): public feeds still show only public text`, async () => {
      const dir = await tempDir();
      const d = await start(dir);
      const steps = [() => show(d, 'priv', page(HEADLINE, PUBLIC_LEAD), dir), () => show(d, 'pub', page(HEADLINE, PUBLIC_LEAD), dir)];
      for (const step of order === 'private first' ? steps : steps.reverse()) await step();
      await show(d, 'priv', page(HEADLINE, PRIVATE_LEAD), dir);
      await expectPublicClean(d, HEADLINE);
      await show(d, 'priv', page(`${HEADLINE}: INTERN bericht`, PRIVATE_LEAD), dir);
      await expectPublicClean(d, HEADLINE);
      for (const path of PUBLIC_FEEDS) expect(await get(d, path), path).not.toContain('INTERN bericht');
      await expectPrivateShown(d);
    });
  }
});

describe('after a restart', () => {
  for (const order of ['private first', 'public first'] as const) {
    it(`${order}: each source finds its own story again (no second entry), and the private one stays private`, async () => {
      const dir = await tempDir();
      const d = await start(dir);
      const steps = [() => show(d, 'priv', page(HEADLINE, PRIVATE_LEAD), dir), () => show(d, 'pub', page(HEADLINE, PUBLIC_LEAD), dir)];
      for (const step of order === 'private first' ? steps : steps.reverse()) await step();
      const ids = async (t: TestDaemon, path: string) => (JSON.parse(await get(t, path)) as { items: { id: string; title: string }[] }).items.map(({ id, title }) => ({ id, title }));
      const pubBefore = await ids(d, '/feeds/pub.json');
      const privBefore = await ids(d, `/feeds/priv.json?token=${TOKEN}`);
      await d.app.stop();

      const again = await start(dir);
      // Pages that differ from the last ones (else they are not read again), with the story on them.
      const more = 'Markt verplaatst\nDEVENTER (ANP) - De markt gaat naar het plein.\n';
      await show(again, 'priv', `${page(HEADLINE, PRIVATE_LEAD)}\n${more}`, dir);
      await show(again, 'pub', `${page(HEADLINE, PUBLIC_LEAD)}\n${more}`, dir);
      const pubAfter = await ids(again, '/feeds/pub.json');
      const privAfter = await ids(again, `/feeds/priv.json?token=${TOKEN}`);
      expect(pubAfter.filter((i) => i.title === HEADLINE)).toEqual(pubBefore.filter((i) => i.title === HEADLINE));
      expect(privAfter.filter((i) => i.title === HEADLINE)).toEqual(privBefore.filter((i) => i.title === HEADLINE));
      expect(pubAfter).toHaveLength(3);
      expect(privAfter).toHaveLength(3);
      await expectPublicClean(again, HEADLINE);
      await expectPrivateShown(again);
    });
  }
});

describe('state from before scopes', () => {
  it('the first start splits a story merged across a public and a private source: the public one keeps its id, the private text goes', async () => {
    const dir = await tempDir();
    // What earlier versions stored: the private listing merged into the public story, its body winning.
    const at = new Date(Date.now() - 3600_000);
    const dated = (lead: string) => ({
      headline: HEADLINE, headlineDerived: false, place: 'DEN HAAG', agencies: ['ANP'], section: null, body: [lead],
      ageText: null, leadSentence: 'Het kabinet is gevallen.', link: null, author: null, image: null, datetime: null, publishedEarliest: null, publishedLatest: at,
    });
    const old = await openStore(join(dir, 'state'));
    // As before scopes: every source one public scope.
    await ingestPage(old, [dated(PUBLIC_LEAD)], { sourceId: 'pub', at, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    await ingestPage(old, [dated(PRIVATE_LEAD)], { sourceId: 'priv', at, lang: 'nl', scopeOf: () => PUBLIC_SCOPE });
    expect((await old.withKey(storyKey(HEADLINE)))[0]?.sources).toEqual(['pub', 'priv']);
    await old.close();

    // No pages yet: what the feeds show comes from the state alone.
    const d = await start(dir);
    expect(d.lines.some((l) => l.includes('stories listed under sources of different visibility split') && l.includes('stories=1'))).toBe(true);
    for (const path of PUBLIC_FEEDS) {
      const text = await get(d, path);
      expect(text, path).not.toContain(SECRET);
      expect(text, path).toContain(HEADLINE);
    }
    expect(await get(d, `/feeds/priv.json?token=${TOKEN}`)).not.toContain(HEADLINE);
    const id = entryUri(storyKey(HEADLINE));
    expect(JSON.parse(await get(d, '/feeds/pub.json')).items.map((i: { id: string }) => i.id)).toEqual([id]);

    // The next fetches: the public source fills its body again, the private source has its own story.
    await show(d, 'pub', page(HEADLINE, PUBLIC_LEAD), dir);
    await show(d, 'priv', page(HEADLINE, PRIVATE_LEAD), dir);
    await expectPublicClean(d, HEADLINE);
    await expectPrivateShown(d);
    expect(JSON.parse(await get(d, '/feeds/pub.json')).items.map((i: { id: string }) => i.id)).toContain(id);
    expect(JSON.parse(await get(d, `/feeds/priv.json?token=${TOKEN}`)).items.map((i: { id: string }) => i.id)).not.toContain(id);
  });
});

describe('wirefeed ingest', () => {
  it('keeps the scopes too: a private snapshot and a public one of the same headline stay two stories', async () => {
    const dir = await tempDir();
    await writeConfig(dir, CONFIG);
    const snapshots = join(dir, 'snapshots');
    await mkdir(snapshots);
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => err.push(t), stdin: async () => new Uint8Array(), env: {}, now: () => new Date() };
    for (const [id, lead] of [['priv', PRIVATE_LEAD], ['pub', PUBLIC_LEAD]] as const) {
      await writeFile(join(snapshots, `${id}.txt`), page(HEADLINE, lead));
      expect(await runCli(['ingest', join(snapshots, `${id}.txt`), '--source', id, '--config', join(dir, 'wirefeed.yaml')], io)).toBe(0);
    }
    expect(err).toEqual([]);
    // The daemon finds no pages of its own (pub.txt, priv.txt are absent): the feeds are what ingest stored.
    const d = await start(dir);
    await expectPublicClean(d, HEADLINE);
    await expectPrivateShown(d);
  });
});
