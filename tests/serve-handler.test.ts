/**
 * The HTTP side as a handler (issue 17): `createHandler` binds nothing; any listener may call it.
 * Two handlers over the same deps — two instances' caches — behind one listener that takes turns
 * answer a feed with the same bytes and ETag, and each answers 304 to the other's ETag.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, listen, type Listening } from '../src/serve/index.js';
import { catalogFeed, get, makeDeps } from './serve-helpers.js';

let open: Listening | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

describe('createHandler', () => {
  it('answers on a server it did not create: two handlers over one set of deps give the same bytes, the same ETag, and 304 for each other’s ETag', async () => {
    const deps = makeDeps([catalogFeed('wire')]);
    const handlers = [createHandler(deps), createHandler(deps)];
    let turn = 0;
    // A load balancer of sorts: each request goes to the next handler.
    const server = createServer((req, res) => handlers[turn++ % 2]!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const first = await get(base, '/feeds/wire.atom');
      const second = await get(base, '/feeds/wire.atom');
      expect(first.status).toBe(200);
      expect(second.body.equals(first.body)).toBe(true);
      expect(second.headers['etag']).toBe(first.headers['etag']);
      // Each handler rendered once: the caches are the handlers' own.
      expect(deps.viewCalls).toEqual(['wire:50', 'wire:50']);
      for (let i = 0; i < 2; i++) expect((await get(base, '/feeds/wire.atom', { 'if-none-match': String(first.headers['etag']) })).status).toBe(304);
    } finally {
      for (const h of handlers) h.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('is bound by listen, which reports the address it got', async () => {
    const deps = makeDeps([catalogFeed('wire')]);
    open = await listen(createHandler(deps), { host: '127.0.0.1', port: 0, maxConnections: 10 }, deps.log);
    expect(open.url).toBe(`http://127.0.0.1:${open.port}`);
    expect((await get(open.url, '/feeds/wire.json')).status).toBe(200);
  });
});
