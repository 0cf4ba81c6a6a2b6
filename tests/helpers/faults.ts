/**
 * Pieces the fault, crash, load and fuzz tests share: a seeded PRNG, wire pages made up per
 * source, and a misbehaving news site on 127.0.0.1 whose paths switch from a good page to a
 * fault on command.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export { between, seeded } from './random.js';



/** Three headlines a wire page for `tag` yields, in page order (see wirePage). */
export function wireHeadlines(tag: string): string[] {
  return [
    `Storm ${tag} treft kust van Zeeland`,
    `De gemeente ${tag} opent een nieuwe brug over het IJ.`,
    `Het spoor bij ${tag} is weer vrij na een storing.`,
  ];
}

/** A plain-text wire page with three stories about `tag`: a top story and two list items with ages. */
export function wirePage(tag: string): string {
  return [
    `Storm ${tag} treft kust van Zeeland`,
    `VLISSINGEN (ANP) - Een zware storm ${tag} heeft dinsdag de kust van Zeeland getroffen. Er vielen geen gewonden.`,
    'Meer uit Binnenland',
    `AMSTERDAM (ANP) - De gemeente ${tag} opent een nieuwe brug over het IJ. De brug is 300 meter lang.`,
    `4 minuten geledenUTRECHT (ANP) - Het spoor bij ${tag} is weer vrij na een storing. Reizigers moesten uren wachten.`,
    '15 minuten geleden',
    '',
  ].join('\n');
}

/** The same three stories as an HTML page (block-aware extraction, no selectors). */
export function wireHtml(tag: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Nieuws</title></head><body>
<article><h2>Storm ${tag} treft kust van Zeeland</h2>
<p>VLISSINGEN (ANP) - Een zware storm ${tag} heeft dinsdag de kust van Zeeland getroffen. Er vielen geen gewonden.</p></article>
<h3>Meer uit Binnenland</h3>
<ul><li><p>AMSTERDAM (ANP) - De gemeente ${tag} opent een nieuwe brug over het IJ. De brug is 300 meter lang.</p><span>4 minuten geleden</span></li>
<li><p>UTRECHT (ANP) - Het spoor bij ${tag} is weer vrij na een storing. Reizigers moesten uren wachten.</p><span>15 minuten geleden</span></li></ul>
</body></html>
`;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, site: { url: string; path: string }) => void;

export interface FaultSite {
  url: string;
  /** Requests per first path segment (`/alfa/x` counts for `alfa`). */
  hits(id: string): number;
  /** Serve `fault` on `/<id>` from now on (the good page until then). */
  breakSource(id: string): void;
  close(): Promise<void>;
}

/**
 * A site with one good page and one fault per id: `/<id>` and everything under it goes to
 * `good[id]` until `breakSource(id)`, then to `faults[id]`.
 */
export async function startFaultSite(good: Record<string, Handler>, faults: Record<string, Handler> = {}): Promise<FaultSite> {
  const counts = new Map<string, number>();
  const broken = new Set<string>();
  let url = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const id = path.split('/')[1] ?? '';
    counts.set(id, (counts.get(id) ?? 0) + 1);
    const handler = (broken.has(id) ? faults[id] : undefined) ?? good[id];
    if (handler === undefined) res.writeHead(404).end('not here');
    else handler(req, res, { url, path });
  });
  // Keep-alive sockets of a hanging route must not keep the test process up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits: (id) => counts.get(id) ?? 0,
    breakSource: (id) => void broken.add(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** 200 with a text body. */
export function textPage(body: string | Buffer, type = 'text/plain; charset=utf-8'): Handler {
  return (_req, res) => res.writeHead(200, { 'content-type': type }).end(body);
}
