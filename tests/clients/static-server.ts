/** A tiny static HTTP server on 127.0.0.1 (ephemeral port) so that real clients can fetch rendered bytes. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticFile {
  body: string | Buffer;
  contentType: string;
}

export interface StaticServer {
  /** Absolute URL of a path on this server (`/feeds/x.atom` → `http://127.0.0.1:PORT/feeds/x.atom`). */
  url(path: string): string;
  /** Add or replace a file while the server runs. */
  set(path: string, file: StaticFile): void;
  close(): Promise<void>;
}

/** Serve `files` (keyed by path, query ignored) until close(); unknown paths get 404. */
export async function startStaticServer(files: Record<string, StaticFile> = {}): Promise<StaticServer> {
  const table = new Map(Object.entries(files));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = table.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, file) => void table.set(path, file),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
