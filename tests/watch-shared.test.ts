/**
 * Issue 14.4: two sources watching one file. chokidar shares its fs.watch handles between
 * watchers of the same path, and after a save by rename only one of them was set up again: the
 * other source never saw a later change. The scheduler keeps one watcher per path, shared.
 */
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { parseJsonFeed } from './clients/jsonfeed.js';
import { startDaemon, waitFor, writeConfig } from './helpers/daemon.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

const FIX = join(import.meta.dirname, 'fixtures');
const YAML = `
state: { dir: ./state }
sources:
  - { id: een, title: Een, path: wire.txt, lang: nl }
  - { id: twee, title: Twee, path: wire.txt, lang: nl }
`;

/** The t2 page with a new top story `headline` above it. */
async function pageWith(headline: string): Promise<string> {
  const t2 = await readFile(join(FIX, 'daemon/nl-buitenland-t2.txt'), 'utf8');
  return `${headline}\nDEN HAAG (ANP) - ${headline} is vanmiddag bekendgemaakt door het kabinet.\n${t2}`;
}

/** `mv tmp file`, as sed -i and editors save. */
async function replaceByRename(dir: string, text: string): Promise<void> {
  await writeFile(join(dir, 'wire.txt.new'), text);
  await rename(join(dir, 'wire.txt.new'), join(dir, 'wire.txt'));
}

/** The headlines of a source's feed, as a reader gets them. */
async function feedHeadlines(app: App, id: string): Promise<string[]> {
  const feed = parseJsonFeed(await (await fetch(`${app.url}/feeds/${id}.json`)).text());
  return feed.items.map((i) => i.title ?? '');
}

async function bothShow(app: App, headline: string): Promise<void> {
  await waitFor(`both feeds to show "${headline}"`, async () => {
    const [een, twee] = await Promise.all([feedHeadlines(app, 'een'), feedHeadlines(app, 'twee')]);
    return een.includes(headline) && twee.includes(headline);
  });
}

describe('one watched file, two sources', () => {
  it('both sources see every replacement by rename, also after a reload', async () => {
    const dir = await tempDir();
    await copyFile(join(FIX, 'daemon/nl-buitenland-t1.txt'), join(dir, 'wire.txt'));
    const d = await startDaemon(dir, YAML);
    afterThisTest(() => d.app.stop(1000));
    await d.app.settled;
    expect([(await d.app.store.countOf('een')), (await d.app.store.countOf('twee'))]).toEqual([8, 8]);

    await replaceByRename(dir, await pageWith('Kabinet presenteert eerste plan'));
    await bothShow(d.app, 'Kabinet presenteert eerste plan');
    await replaceByRename(dir, await pageWith('Kabinet presenteert tweede plan'));
    await bothShow(d.app, 'Kabinet presenteert tweede plan');
    expect([(await d.app.store.countOf('een')), (await d.app.store.countOf('twee'))]).toEqual([11, 11]);

    // SIGHUP's path: the watchers are rebuilt for the new config.
    await d.app.reload(await writeConfig(dir, `${YAML}  - { id: drie, title: Drie, path: wire.txt, lang: nl }\n`));
    await waitFor('the new source to read the file', async () => (await d.app.store.countOf('drie')) === 9);
    await replaceByRename(dir, await pageWith('Kabinet presenteert derde plan'));
    await bothShow(d.app, 'Kabinet presenteert derde plan');
    await waitFor('the third source', async () => (await feedHeadlines(d.app, 'drie')).includes('Kabinet presenteert derde plan'));
    expect([(await d.app.store.countOf('een')), (await d.app.store.countOf('twee')), (await d.app.store.countOf('drie'))]).toEqual([12, 12, 10]);
  });
});
