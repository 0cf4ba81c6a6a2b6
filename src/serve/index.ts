/**
 * The HTTP server: the request handler (handler.ts) bound to an address. `listen` is all a
 * process adds to the handler — the socket, its timeouts and connection cap, graceful close —
 * in the way fastify's demo keeps app.ts apart from server.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, WirefeedError } from '../errors.js';
import type { Logger } from '../log.js';
import { capConnections } from './connections.js';
import { createHandler } from './handler.js';
import type { FeedHandler, ListenOptions, Listening, RunningServer, ServeDeps, ServeOptions, ServeTimeouts } from './types.js';

export type { CatalogFeed, FeedHandler, HandlerOptions, ListenOptions, Listening, RunningServer, ServeDeps, ServeOptions, ServeTimeouts } from './types.js';
export { createHandler } from './handler.js';
export { createMetrics, type Metrics } from './metrics.js';

const DEFAULT_TIMEOUTS: ServeTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkIntervalMs: 1_000, closeGraceMs: 3_000 };
const MAX_HEADER_BYTES = 16 * 1024;

/** Bind `handler` to `opts.host:opts.port`; `close` stops accepting and lets requests in flight finish (grace). */
// async: a bad option that makes createServer throw becomes a rejection like a listen error.
export async function listen(handler: Pick<FeedHandler, 'handle'>, opts: ListenOptions, log: Logger): Promise<Listening> {
  const timeouts: ServeTimeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    handler.handle,
  );
  capConnections(server, opts.maxConnections);
  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => {
      reject(new WirefeedError('serve', 'E_LISTEN', `cannot listen on ${opts.host}:${opts.port}: ${err.message}`, { cause: err }));
    };
    server.once('error', onListenError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onListenError);
      server.on('error', (err) => log.error('serve: server error', { error: describeError(err) }));
      const port = (server.address() as AddressInfo).port;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({ url: `http://${host}:${port}`, port, close: () => closeServer(server, timeouts.closeGraceMs) });
    });
  });
}

/** The handler and its listener in one (the daemon, the serve tests). */
export async function startServer(deps: ServeDeps, opts: ServeOptions): Promise<RunningServer> {
  const handler = createHandler(deps, opts);
  const bound = await listen(handler, opts, deps.log);
  return {
    url: bound.url,
    port: bound.port,
    notifyChanged: handler.notifyChanged,
    close: () => {
      handler.close();
      return bound.close();
    },
  };
}

function closeServer(server: ReturnType<typeof createServer>, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Requests still running after the grace period lose their sockets.
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
