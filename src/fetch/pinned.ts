/**
 * The SSRF guard for HTTP fetches: each hop's host is resolved once, every address it got is
 * checked, and connections go through undici Agents that can reach only those checked addresses.
 * Apart from http.ts so the request/redirect loop reads on its own and the guard is in one place.
 */
import type { LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { resolveHost, specialPurpose, systemLookup, type ResolvedAddress } from './address.js';
import { FetchError } from './errors.js';
import type { HttpOptions, HttpRequest } from './http.js';

/**
 * Connection pools, one per connect timeout, host name and checked address list. An agent's
 * connections resolve its host name to exactly the addresses that were checked, so a second
 * DNS answer (rebinding) can never redirect a connection; a pool is reused while a host keeps
 * resolving to the same addresses. Least recently used first; at most MAX_AGENTS are kept.
 */
const agents = new Map<string, Agent>();
const MAX_AGENTS = 32;
/** Agents evicted while requests may still run on them; closeHttp waits for them. */
const closing = new Set<Promise<void>>();

/**
 * undici is imported on the first fetch, not at module load: importing it (and Node's own copy,
 * which undici's cookie module pulls in) took a sixth of the daemon's start, and the daemon
 * serves its stored feeds before the first poll answers. Concurrent first fetches share one import.
 */
let undici: Promise<typeof import('undici')> | null = null;

/** A net.connect `lookup` that answers `hostname` with the given addresses and nothing else. */
function pinnedLookup(hostname: string, addresses: readonly ResolvedAddress[]): LookupFunction {
  return (name, options, callback) => {
    const usable = addresses.filter((a) => !options.family || a.family === options.family);
    if (name !== hostname || usable.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`${name} has no checked address`);
      err.code = 'ENOTFOUND';
      return callback(err, '');
    }
    if (options.all) return callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    callback(null, usable[0]!.address, usable[0]!.family);
  };
}

export async function agentFor(connectTimeoutMs: number, hostname: string, addresses: readonly ResolvedAddress[]): Promise<Agent> {
  undici ??= import('undici');
  const { Agent } = await undici;
  const key = `${connectTimeoutMs} ${hostname} ${addresses.map((a) => a.address).join(',')}`;
  let agent = agents.get(key);
  if (agent) agents.delete(key);
  else agent = new Agent({ connect: { timeout: connectTimeoutMs, lookup: pinnedLookup(hostname, addresses) } });
  agents.set(key, agent);
  for (const [oldKey, old] of agents) {
    if (agents.size <= MAX_AGENTS) break;
    agents.delete(oldKey);
    // close() lets requests still running on `old` finish; it rejects only after destroy(), which nothing calls.
    const closed = old.close().finally(() => closing.delete(closed));
    closing.add(closed);
  }
  return agent;
}

/** Close the shared connection pools (at shutdown). */
export async function closeHttp(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all([...all.map((a) => a.close()), ...closing]);
}

/** Settles like `work`, or rejects with the abort reason when `signal` fires first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Resolve a hop's host once and decide on every address it got. The source's own URL may use
 * all of them: the operator chose that host, and sources on localhost or the LAN are normal.
 * Its special-purpose addresses become the source's own (unless `sourceIsPublic`). A redirect
 * is refused when any address of its host is special-purpose and not one of the source's own,
 * unless `allowPrivateRedirects`: a name that answers a public and a private address is not a
 * public host. A first hop with a `from` is a link from another host's page (HttpRequest.linkedFrom),
 * checked as a redirect is.
 */
export async function checkedAddresses(
  hop: { url: URL; from: URL | null; link: boolean },
  own: Set<string>,
  req: HttpRequest,
  opts: HttpOptions,
  signal: AbortSignal,
): Promise<ResolvedAddress[]> {
  // A refused redirect is the redirecting request's failure; a refused link is the link's own.
  const target = { verb: 'GET' as const, url: (hop.link ? hop.url : (hop.from ?? hop.url)).href };
  const addresses = await untilAborted(resolveHost(hop.url, opts.lookup ?? systemLookup), signal);
  if (addresses.length === 0) throw new FetchError('E_DNS', { verb: 'GET', url: hop.url.href }, `cannot resolve ${hop.url.hostname}`);
  if (hop.from === null) {
    if (!opts.sourceIsPublic) for (const a of addresses) if (specialPurpose(a.address) !== null) own.add(a.address);
    return addresses;
  }
  if (req.allowPrivateRedirects) return addresses;
  for (const a of addresses) {
    const why = own.has(a.address) ? null : specialPurpose(a.address);
    if (why !== null) {
      throw new FetchError(
        'E_PRIVATE_REDIRECT',
        target,
        `${hop.link ? `link from ${hop.from.href} ` : 'redirect '}to private address ${hop.url.href} refused (set allowPrivateRedirects: true to allow)`,
        { cause: new Error(why) },
      );
    }
  }
  return addresses;
}
