/**
 * The HTTP side as a request handler: feeds from rendered, compressed bytes in a budgeted cache
 * with ETag/304, the index page, OPML, health and metrics. Paths are looked up in tables built
 * from the catalog, never mapped to files; anything not in a table is the same 404. It binds no
 * port: `listen` (index.ts) is what a process adds, and a test may call `handle` on any server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../errors.js';
import { feedUrl, feedUrls, renderFeed, renderIndex, renderOpml, type FeedListing, type IndexPage } from '../render/index.js';
import { bearerToken, FEED_PREFIX, FORMATS, indexCatalog, tokenMatches, type CatalogIndex } from './catalog.js';
import { chooseEncoding, etagMatches, notModifiedSince, type Encoding } from './negotiate.js';
import { buildRepresentation, FeedCache, validatorsFor, variantFor, type Representation, type Validators, type Variant } from './representation.js';
import { BAD_LIMIT, limitStep, METHOD_NOT_ALLOWED, NOT_ACCEPTABLE, NOT_FOUND, parseLimit, SERVER_ERROR, type Canned } from './requests.js';
import type { FeedHandler, HandlerOptions, ServeDeps } from './types.js';
import { createPublisher, DEFAULT_RETRY_DELAYS_MS, type Publisher } from './websub.js';

/** Rendered-feed cache budget when the daemon sets none: a few hundred gzipped feeds. */
const DEFAULT_FEED_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * The index page is HTML with inline CSS and nothing else: no script, no frame around it, no form,
 * no <base>. Saying so makes any markup that slipped through inert.
 */
const INDEX_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The request handler over the daemon's `deps`; nothing is bound until `listen` gets it. */
export function createHandler(deps: ServeDeps, opts: HandlerOptions = {}): FeedHandler {
  const accessLog = opts.accessLog ?? false;
  const cache = new FeedCache(opts.feedCacheBytes ?? DEFAULT_FEED_CACHE_BYTES);
  const requestCounters = new Map<number, { inc(by?: number): void }>();
  const notModified = deps.metrics.notModified.child({});
  const cacheHit = deps.metrics.feedCacheHits.child({});
  const cacheMiss = deps.metrics.feedCacheMisses.child({});
  let catalog = indexCatalog(deps.catalog());

  const currentCatalog = (): CatalogIndex => {
    const source = deps.catalog();
    if (source !== catalog.source) {
      // A new catalog may change titles, tokens or max-ages: nothing cached survives it.
      catalog = indexCatalog(source);
      cache.clear();
    }
    return catalog;
  };

  const countFeedRequest = (status: number): void => {
    let c = requestCounters.get(status);
    if (!c) {
      c = deps.metrics.feedRequests.child({ status: String(status) });
      requestCounters.set(status, c);
    }
    c.inc();
  };

  const logAccess = (req: IncomingMessage, path: string, status: number, bytes: number): void => {
    // Path only: a query string may carry a private feed's token.
    if (accessLog) deps.log.debug('http', { method: req.method, path: path.slice(0, 200), status, bytes });
  };

  const sendCanned = (req: IncomingMessage, res: ServerResponse, path: string, c: Canned, head: boolean): number => {
    res.writeHead(c.status, c.headers as string[]);
    res.end(head ? undefined : c.body);
    logAccess(req, path, c.status, head ? 0 : c.body.length);
    return c.status;
  };

  /** Whether the request's validators match (RFC 9110 §13.2.2 order): the answer is then 304. */
  const isFresh = (req: IncomingMessage, v: Validators, enc: Encoding): boolean => {
    const inm = req.headers['if-none-match'];
    // If-Modified-Since is ignored whenever If-None-Match is present (§13.2.2 step 3/4).
    if (inm !== undefined) return etagMatches(inm, v.etag[enc]);
    const ims = req.headers['if-modified-since'];
    return ims !== undefined && v.lastModifiedMs !== null && notModifiedSince(ims, v.lastModifiedMs);
  };

  const send304 = (req: IncomingMessage, res: ServerResponse, path: string, v: Validators, enc: Encoding): number => {
    notModified.inc();
    res.writeHead(304, v.headers304[enc] as string[]);
    res.end();
    logAccess(req, path, 304, 0);
    return 304;
  };

  const send200 = (req: IncomingMessage, res: ServerResponse, path: string, v: Variant, head: boolean): number => {
    res.writeHead(200, v.headers200 as string[]);
    res.end(head ? undefined : v.body);
    logAccess(req, path, 200, head ? 0 : v.body.length);
    return 200;
  };

  /** A page representation (index, OPML), or 304 when the request's validators match. */
  const sendRepresentation = (req: IncomingMessage, res: ServerResponse, path: string, rep: Representation, head: boolean): number => {
    const enc = chooseEncoding(req.headers['accept-encoding']);
    if (enc === null) return sendCanned(req, res, path, NOT_ACCEPTABLE, head);
    if (isFresh(req, rep.validators, enc)) return send304(req, res, path, rep.validators, enc);
    return send200(req, res, path, rep.variant(enc), head);
  };

  /** A status, or a promise of one when the feed had to be read from the store. */
  const serveFeed = (req: IncomingMessage, res: ServerResponse, path: string, query: string, head: boolean): number | Promise<number> => {
    const route = currentCatalog().byPath.get(path);
    if (route === undefined) return sendCanned(req, res, path, NOT_FOUND, head);
    const { entry, format } = route;
    const params = query === '' ? null : new URLSearchParams(query);
    // A private feed without the right token is indistinguishable from no feed at all.
    if (entry.tokenDigest !== null) {
      const ok = tokenMatches(entry.tokenDigest, params?.get('token') ?? null) || tokenMatches(entry.tokenDigest, bearerToken(req.headers.authorization));
      if (!ok) return sendCanned(req, res, path, NOT_FOUND, head);
    }
    const asked = parseLimit(params?.get('limit') ?? null);
    if (asked === null) return sendCanned(req, res, path, BAD_LIMIT, head);
    const limit = limitStep(asked, entry.feed.maxEntries);
    const enc = chooseEncoding(req.headers['accept-encoding']);
    if (enc === null) return sendCanned(req, res, path, NOT_ACCEPTABLE, head);
    const id = entry.feed.id;
    const revision = deps.feedRevision(id);
    const slot = cache.slot(id, format, limit);
    if (slot.validators !== null && slot.validators.revision !== revision) cache.forget(slot);

    // From memory: validators answer a 304 even when the bytes were evicted.
    const known = slot.validators;
    if (known !== null) {
      if (isFresh(req, known, enc)) {
        cacheHit.inc();
        return send304(req, res, path, known, enc);
      }
      const held = cache.get(slot, enc);
      if (held !== undefined) {
        cacheHit.inc();
        return send200(req, res, path, held, head);
      }
    }

    // Build: from another cached coding of the same bytes when there is one, else render.
    cacheMiss.inc();
    const finish = (validators: Validators, plain: Buffer): number => {
      const variant = variantFor(validators, enc, plain);
      cache.put(slot, enc, variant);
      if (isFresh(req, validators, enc)) return send304(req, res, path, validators, enc);
      return send200(req, res, path, variant, head);
    };
    const plainHeld = known === null ? undefined : cache.plainFromHeld(slot);
    if (known !== null && plainHeld !== undefined) return finish(known, plainHeld);
    return deps.feedView(id, limit).then((view) => {
      if (view === null) return sendCanned(req, res, path, NOT_FOUND, head);
      const f = FORMATS[format] as (typeof FORMATS)[number];
      // Only a request that showed the token gets here, and a feed has one token: the cached
      // bytes of a private feed may carry it.
      const token = entry.feed.token;
      const plain = Buffer.from(renderFeed(token === null ? view : { ...view, selfToken: token }, f.format), 'utf8');
      const fresh = validatorsFor(plain, {
        revision,
        contentType: f.contentType,
        cacheControl: `${entry.tokenDigest === null ? 'public' : 'private'}, max-age=${entry.maxAge}`,
        lastModified: view.entries.length > 0 ? view.updated : deps.now(),
      });
      // The same bytes re-rendered after an eviction keep their validators, so an empty feed's
      // Last-Modified (its first render time) does not move; other bytes get their own.
      let validators = known;
      if (validators === null || validators.etag.identity !== fresh.etag.identity) {
        validators = fresh;
        slot.validators = fresh;
      }
      return finish(validators, plain);
    });
  };

  const indexPage = async (): Promise<IndexPage> => {
    const { publicFeeds } = currentCatalog();
    const feeds: FeedListing[] = [];
    for (const f of publicFeeds) {
      feeds.push({ id: f.id, title: f.title, kind: f.kind, urls: feedUrls(deps.baseUrl, f.id), htmlUrl: f.htmlUrl, status: await deps.feedStatus(f.id) });
    }
    return { title: deps.title, baseUrl: deps.baseUrl, version: deps.version, generatedAt: deps.now(), feeds };
  };

  type PageHandler = (req: IncomingMessage, res: ServerResponse, path: string, head: boolean) => number | Promise<number>;
  const pageMeta = (contentType: string, extraHeaders: readonly string[] = []) => ({ revision: -1, contentType, cacheControl: 'no-cache', lastModified: null, extraHeaders });
  /** The fixed paths; everything else but /feeds/<id>.<ext> is 404. */
  const PAGES = new Map<string, PageHandler>([
    ['/', async (req, res, path, head) => sendRepresentation(req, res, path, buildRepresentation(Buffer.from(renderIndex(await indexPage()), 'utf8'), pageMeta('text/html; charset=utf-8', ['Content-Security-Policy', INDEX_CSP])), head)],
    [
      '/feeds.opml',
      async (req, res, path, head) => {
        // OPML lists feeds only, so it is rendered once per catalog.
        const c = currentCatalog();
        c.opml ??= buildRepresentation(Buffer.from(renderOpml(await indexPage()), 'utf8'), pageMeta('text/x-opml; charset=utf-8'));
        return sendRepresentation(req, res, path, c.opml, head);
      },
    ],
    [
      '/healthz',
      (req, res, path, head) => {
        const h = deps.health(deps.now());
        return sendFresh(req, res, path, h.ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(h.body) + '\n', head);
      },
    ],
    [
      '/metrics',
      (req, res, path, head) => {
        const { privateIds } = currentCatalog();
        deps.metrics.feedCacheBytes.set({}, cache.bytes);
        deps.metrics.feedCacheEntries.set({}, cache.entries);
        const text = deps.metrics.render((name, value) => (name === 'source' || name === 'feed') && privateIds.has(value));
        return sendFresh(req, res, path, 200, 'text/plain; version=0.0.4; charset=utf-8', text, head);
      },
    ],
  ]);

  /** A response computed for this request only (health, metrics): never cached anywhere. */
  const sendFresh = (req: IncomingMessage, res: ServerResponse, path: string, status: number, contentType: string, text: string, head: boolean): number => {
    const body = Buffer.from(text, 'utf8');
    res.writeHead(status, ['Content-Type', contentType, 'Content-Length', String(body.length), 'Cache-Control', 'no-store']);
    res.end(head ? undefined : body);
    logAccess(req, path, status, head ? 0 : body.length);
    return status;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method;
    // Every path allows GET and HEAD only, so 405 says nothing about which paths exist.
    if (method !== 'GET' && method !== 'HEAD') {
      sendCanned(req, res, path, METHOD_NOT_ALLOWED, false);
      return;
    }
    const head = method === 'HEAD';
    const failed = (err: unknown): void => {
      deps.log.error('serve: request failed', { method, path: path.slice(0, 200), error: describeError(err) });
      if (path.startsWith(FEED_PREFIX)) countFeedRequest(500);
      if (res.headersSent) res.destroy();
      else sendCanned(req, res, path, SERVER_ERROR, head);
    };
    try {
      if (path.startsWith(FEED_PREFIX)) {
        // Answered at once from the cache; from the store (a promise) on a miss.
        const status = serveFeed(req, res, path, q < 0 ? '' : url.slice(q + 1), head);
        if (typeof status === 'number') countFeedRequest(status);
        else status.then(countFeedRequest, failed);
        return;
      }
      const page = PAGES.get(path);
      const status = page ? page(req, res, path, head) : sendCanned(req, res, path, NOT_FOUND, head);
      if (typeof status !== 'number') status.catch(failed);
    } catch (err) {
      failed(err);
    }
  };

  // The hub is read at every notification, so a hub a reload added or changed is the one told,
  // the same one the feeds rendered since then advertise; the old hub's retries are cancelled.
  let publisher: { hub: string; publisher: Publisher } | null = null;
  let closed = false;
  const publisherFor = (hub: string): Publisher => {
    if (publisher?.hub !== hub) {
      publisher?.publisher.close();
      publisher = { hub, publisher: createPublisher(hub, deps.log, opts.websubRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS) };
    }
    return publisher.publisher;
  };

  return {
    handle,
    notifyChanged(feedIds) {
      const hub = deps.websubHub;
      if (hub === null || closed) return;
      const { byId } = currentCatalog();
      // Private feeds need a token the hub does not have: they are never published.
      const urls = feedIds
        .filter((id) => byId.get(encodeURIComponent(id))?.tokenDigest === null)
        .flatMap((id) => FORMATS.map((f) => feedUrl(deps.baseUrl, id, f.format)));
      publisherFor(hub).publish(urls);
    },
    close() {
      closed = true;
      publisher?.publisher.close();
    },
  };
}
