/** The self link of a private feed carries its token, so a reader that follows it keeps access. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { BASE, catalogFeed, get, makeDeps } from './serve-helpers.js';

const TOKEN = 'tök&en<"x">/+=';
const Q = `token=${encodeURIComponent(TOKEN)}`;
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer(makeDeps([catalogFeed('open'), catalogFeed('desk', { token: TOKEN })]), { host: '127.0.0.1', port: 0, maxConnections: 10 });
});

afterAll(async () => {
  await srv.close();
});

type Link = { '@_rel'?: string; '@_href'?: string };
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });
const asList = (l: Link | Link[]): Link[] => (Array.isArray(l) ? l : [l]);

/** The self link of each format as a reader's parser sees it, and the Atom id. */
async function selfLinks(id: string, query: string, headers: Record<string, string> = {}) {
  const atom = xml.parse((await get(srv.url, `/feeds/${id}.atom${query}`, headers)).body.toString()) as { feed: { id: string; link: Link | Link[] } };
  const rss = xml.parse((await get(srv.url, `/feeds/${id}.rss${query}`, headers)).body.toString()) as { rss: { channel: { 'atom:link': Link | Link[] } } };
  const json = JSON.parse((await get(srv.url, `/feeds/${id}.json${query}`, headers)).body.toString()) as { feed_url: string };
  return {
    atom: asList(atom.feed.link).find((l) => l['@_rel'] === 'self')?.['@_href'],
    rss: asList(rss.rss.channel['atom:link']).find((l) => l['@_rel'] === 'self')?.['@_href'],
    json: json.feed_url,
    atomId: atom.feed.id,
  };
}

describe('self links', () => {
  it('of a private feed carry the token, with ?token= and with Bearer alike; its id does not', async () => {
    const expected = {
      atom: `${BASE}/feeds/desk.atom?${Q}`,
      rss: `${BASE}/feeds/desk.rss?${Q}`,
      json: `${BASE}/feeds/desk.json?${Q}`,
      atomId: `${BASE}/feeds/desk.atom`,
    };
    expect(await selfLinks('desk', `?${Q}`)).toEqual(expected);
    expect(await selfLinks('desk', '', { authorization: `Bearer ${TOKEN}` })).toEqual(expected);
    // Followed as it stands, the self link is answered.
    expect((await get(srv.url, new URL(expected.atom).pathname + new URL(expected.atom).search)).status).toBe(200);
  });

  it('of a public feed never carry a token', async () => {
    expect(await selfLinks('open', `?${Q}`)).toEqual({
      atom: `${BASE}/feeds/open.atom`,
      rss: `${BASE}/feeds/open.rss`,
      json: `${BASE}/feeds/open.json`,
      atomId: `${BASE}/feeds/open.atom`,
    });
  });
});
