/**
 * What the HTTP server needs from the daemon, and what it gives back. The daemon (`src/app.ts`)
 * builds one `ServeDeps` and calls `startServer(deps, opts)`; nothing in `src/serve` reaches past
 * these functions into the store, the config or the scheduler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedView } from '../model.js';
import type { Logger } from '../log.js';
import type { FeedListing } from '../render/index.js';
import type { Metrics } from './metrics.js';

/** One feed the server answers for: a source's own feed or a configured combined feed. */
export interface CatalogFeed {
  /** `/feeds/<encodeURIComponent(id)>.atom`; that segment is matched byte for byte against the raw request path. */
  id: string;
  title: string;
  kind: 'source' | 'feed';
  /** Non-null: a private feed, readable only with `?token=` or `Authorization: Bearer`. */
  token: string | null;
  /** Absolute URL of the page the feed stands for (index and OPML `htmlUrl`). */
  htmlUrl: string;
  /** Shortest fetch interval of the sources behind the feed, in seconds (Cache-Control max-age). */
  refreshSeconds: number;
  /** Most entries the feed ever shows (its configured `limit`): `?limit=` beyond it renders nothing new. */
  maxEntries: number;
}

export interface ServeDeps {
  /** Absolute base URL of this wirefeed, without trailing slash (`server.baseUrl`). */
  baseUrl: string;
  /** Title of the index page and the OPML document. */
  title: string;
  version: string;
  log: Logger;
  /** The registry `/metrics` shows; the daemon increments the fetch series on it. */
  metrics: Metrics;
  /** WebSub hub to notify on `notifyChanged`, read at each notification (a reload may change it); null: no notifications. */
  readonly websubHub: string | null;
  /**
   * Every feed in display order. Return the SAME array object until the catalog changes
   * (config reload): the server indexes it by identity and re-indexes only on a new array.
   */
  catalog(): readonly CatalogFeed[];
  /** A number that changes whenever anything the feed shows changes. Called on every request: keep it cheap. */
  feedRevision(id: string): number;
  /** The view of a feed, newest first, at most `limit` entries (one of a few fixed steps); called only when the cached bytes are stale. */
  feedView(id: string, limit: number): Promise<FeedView | null>;
  /** Source status for the index page. */
  feedStatus(id: string): Promise<FeedListing['status']>;
  /** `/healthz`: 200 when ok, else 503; `body` is sent as JSON. */
  health(now: Date): { ok: boolean; body: unknown };
  now(): Date;
}

/** What the request handler is built with besides the daemon's deps. */
export interface HandlerOptions {
  /**
   * Budget of the rendered-feed cache in bytes (every cached coding's body counted); least
   * recently used bodies are evicted past it and re-rendered on the next request. Default 16 MiB.
   */
  feedCacheBytes?: number;
  /** One debug log line per request (method, path without query, status, bytes). Default false. */
  accessLog?: boolean;
  /** Pause before each retry of a failed hub notification. Default [1000, 5000, 30000] (4 tries). */
  websubRetryDelaysMs?: readonly number[];
}

/** Where and how `listen` binds a handler. */
export interface ListenOptions {
  host: string;
  /** 0: an ephemeral port (tests). */
  port: number;
  /**
   * Connection cap (`server.maxConnections`). A connection past it closes the one that has waited
   * longest without a request in progress (partial headers, idle keep-alive), or itself when every
   * connection is being answered.
   */
  maxConnections: number;
  /** Defaults: headers 10 s, request 30 s, keep-alive 5 s, checked every 1 s; close grace 3 s. */
  timeouts?: Partial<ServeTimeouts>;
}

export type ServeOptions = HandlerOptions & ListenOptions;

/** The HTTP side without a socket: routing, tokens, the feed cache, validators, WebSub notifications. */
export interface FeedHandler {
  /** Answer one request (a `node:http` request listener). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Feeds whose content changed: tells the WebSub hub about each public one (all three formats). Never blocks. */
  notifyChanged(feedIds: readonly string[]): void;
  /** Cancel hub retries; requests still answered meanwhile notify nobody. */
  close(): void;
}

/** A handler's listener. */
export interface Listening {
  /** `http://host:port` actually bound. */
  url: string;
  port: number;
  /** Stop accepting, end idle keep-alive sockets, wait for requests in flight (grace), then destroy. */
  close(): Promise<void>;
}

export interface ServeTimeouts {
  /** `server.headersTimeout`: a client must finish its request headers within this. */
  headersMs: number;
  /** `server.requestTimeout`: the whole request, body included. */
  requestMs: number;
  /** `server.keepAliveTimeout`: idle time before a keep-alive socket is closed. */
  keepAliveMs: number;
  /** How often Node checks the two timeouts above (`connectionsCheckingInterval`). */
  checkIntervalMs: number;
  /** `close()` waits this long for requests in flight before destroying their sockets. */
  closeGraceMs: number;
}

export interface RunningServer {
  /** `http://host:port` actually bound. */
  url: string;
  port: number;
  /** Stop accepting, end idle keep-alive sockets, wait for requests in flight (grace), then destroy; cancels hub retries. */
  close(): Promise<void>;
  /** Feeds whose content changed: tells the WebSub hub about each public one (all three formats). Never blocks. */
  notifyChanged(feedIds: readonly string[]): void;
}
