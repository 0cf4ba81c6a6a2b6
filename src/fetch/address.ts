/**
 * Which addresses are not the open internet: every row of IANA's special-purpose registries
 * (loopback, private, shared, link-local, documentation, benchmarking, reserved, …) plus
 * multicast and the limited broadcast. A page on the internet must not be able to point wirefeed
 * at the host it runs on, its local network or a cloud metadata service (issue 19, finding 3).
 *
 * IPv6 forms that carry an IPv4 address are judged by that address, because that is where the
 * packets go: IPv4-mapped (the host's own IPv4 stack), IPv4-compatible (deprecated automatic
 * tunnels), NAT64 (the translator) and 6to4 (the relay). So `::ffff:7f00:1`, `::7f00:1`,
 * `64:ff9b::7f00:1` and `2002:7f00:1::` are all 127.0.0.1, while `64:ff9b::808:808` (how an
 * IPv6-only host behind DNS64 sees a public IPv4 site) is public.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** One registry row: the prefix, its name in the registry, and the document that reserves it. */
interface Range {
  prefix: string;
  name: string;
  ref: string;
}

/**
 * IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry), every row, then two
 * rows of the IANA IPv4 Address Space Registry that no fetch has business with. Rows the
 * registry marks globally reachable (PCP/TURN anycast, AS112, AMT) are refused too: no news
 * source lives there.
 */
const IPV4_SPECIAL: readonly Range[] = [
  { prefix: '0.0.0.0/8', name: '"This network"', ref: 'RFC 791' },
  { prefix: '0.0.0.0/32', name: '"This host on this network"', ref: 'RFC 1122' },
  { prefix: '10.0.0.0/8', name: 'Private-Use', ref: 'RFC 1918' },
  { prefix: '100.64.0.0/10', name: 'Shared Address Space', ref: 'RFC 6598' },
  { prefix: '127.0.0.0/8', name: 'Loopback', ref: 'RFC 1122' },
  { prefix: '169.254.0.0/16', name: 'Link Local', ref: 'RFC 3927' },
  { prefix: '172.16.0.0/12', name: 'Private-Use', ref: 'RFC 1918' },
  { prefix: '192.0.0.0/24', name: 'IETF Protocol Assignments', ref: 'RFC 6890' },
  { prefix: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', ref: 'RFC 7335' },
  { prefix: '192.0.0.8/32', name: 'IPv4 dummy address', ref: 'RFC 7600' },
  { prefix: '192.0.0.9/32', name: 'Port Control Protocol Anycast', ref: 'RFC 7723' },
  { prefix: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', ref: 'RFC 8155' },
  { prefix: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', ref: 'RFC 8880' },
  { prefix: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', ref: 'RFC 8880' },
  { prefix: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', ref: 'RFC 5737' },
  { prefix: '192.31.196.0/24', name: 'AS112-v4', ref: 'RFC 7535' },
  { prefix: '192.52.193.0/24', name: 'AMT', ref: 'RFC 7450' },
  { prefix: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', ref: 'RFC 7526' },
  { prefix: '192.168.0.0/16', name: 'Private-Use', ref: 'RFC 1918' },
  { prefix: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', ref: 'RFC 7534' },
  { prefix: '198.18.0.0/15', name: 'Benchmarking', ref: 'RFC 2544' },
  { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', ref: 'RFC 5737' },
  { prefix: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', ref: 'RFC 5737' },
  { prefix: '240.0.0.0/4', name: 'Reserved', ref: 'RFC 1112' },
  { prefix: '255.255.255.255/32', name: 'Limited Broadcast', ref: 'RFC 919' },
  // IANA IPv4 Address Space Registry:
  { prefix: '224.0.0.0/4', name: 'Multicast', ref: 'RFC 5771' },
];

/**
 * IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry), every row, then rows
 * of the IANA IPv6 Address Space Registry outside global unicast that a fetch must not reach.
 * The rows for IPv4-mapped, NAT64 and 6to4 addresses are here for completeness; such an
 * address is judged by the IPv4 address it carries before this table is consulted.
 */
const IPV6_SPECIAL: readonly Range[] = [
  { prefix: '::1/128', name: 'Loopback Address', ref: 'RFC 4291' },
  { prefix: '::/128', name: 'Unspecified Address', ref: 'RFC 4291' },
  { prefix: '::ffff:0:0/96', name: 'IPv4-mapped Address', ref: 'RFC 4291' },
  { prefix: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', ref: 'RFC 6052' },
  { prefix: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat. (local use)', ref: 'RFC 8215' },
  { prefix: '100::/64', name: 'Discard-Only Address Block', ref: 'RFC 6666' },
  { prefix: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', ref: 'RFC 9780' },
  { prefix: '2001::/23', name: 'IETF Protocol Assignments', ref: 'RFC 2928' },
  { prefix: '2001::/32', name: 'TEREDO', ref: 'RFC 4380' },
  { prefix: '2001:1::1/128', name: 'Port Control Protocol Anycast', ref: 'RFC 7723' },
  { prefix: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', ref: 'RFC 8155' },
  { prefix: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', ref: 'RFC 9665' },
  { prefix: '2001:2::/48', name: 'Benchmarking', ref: 'RFC 5180' },
  { prefix: '2001:3::/32', name: 'AMT', ref: 'RFC 7450' },
  { prefix: '2001:4:112::/48', name: 'AS112-v6', ref: 'RFC 7535' },
  { prefix: '2001:10::/28', name: 'Deprecated (previously ORCHID)', ref: 'RFC 4843' },
  { prefix: '2001:20::/28', name: 'ORCHIDv2', ref: 'RFC 7343' },
  { prefix: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', ref: 'RFC 9374' },
  { prefix: '2001:db8::/32', name: 'Documentation', ref: 'RFC 3849' },
  { prefix: '2002::/16', name: '6to4', ref: 'RFC 3056' },
  { prefix: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', ref: 'RFC 7534' },
  { prefix: '3fff::/20', name: 'Documentation', ref: 'RFC 9637' },
  { prefix: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', ref: 'RFC 9602' },
  { prefix: 'fc00::/7', name: 'Unique-Local', ref: 'RFC 4193' },
  { prefix: 'fe80::/10', name: 'Link-Local Unicast', ref: 'RFC 4291' },
  // IANA IPv6 Address Space Registry:
  { prefix: '::/8', name: 'Reserved by IETF (IPv4-compatible and other embedded forms)', ref: 'RFC 4291' },
  { prefix: 'fec0::/10', name: 'Site-Local (deprecated)', ref: 'RFC 3879' },
  { prefix: 'ff00::/8', name: 'Multicast', ref: 'RFC 4291' },
];

interface CompiledRange extends Range {
  bits: number;
  list: BlockList;
}

function compile(rows: readonly Range[], family: 'ipv4' | 'ipv6'): CompiledRange[] {
  return rows.map((row) => {
    const [net = '', bits = ''] = row.prefix.split('/');
    const list = new BlockList();
    list.addSubnet(net, Number(bits), family);
    return { ...row, bits: Number(bits), list };
  });
}

const V4 = compile(IPV4_SPECIAL, 'ipv4');
const V6 = compile(IPV6_SPECIAL, 'ipv6');

/** The most specific row that holds `ip`, so that 0.0.0.0 reads "This host", not "This network". */
function mostSpecific(rows: readonly CompiledRange[], ip: string, family: 'ipv4' | 'ipv6'): CompiledRange | null {
  let best: CompiledRange | null = null;
  for (const row of rows) if ((best === null || row.bits > best.bits) && row.list.check(ip, family)) best = row;
  return best;
}

/** An IPv6 address (validated, no zone) as its 8 groups; a dotted IPv4 tail counts as two. */
function v6Groups(ip: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  let text = ip;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${ip.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const zero = (groups: number[]): boolean => groups.every((g) => g === 0);

/** IPv6 forms that carry an IPv4 address, with the group at which its 32 bits start. */
const EMBEDDINGS: { name: string; at: number; holds: (g: number[]) => boolean }[] = [
  { name: 'IPv4-mapped', at: 6, holds: (g) => zero(g.slice(0, 5)) && g[5] === 0xffff },
  // :: and ::1 are the unspecified and loopback addresses, not 0.0.0.0 and 0.0.0.1.
  { name: 'IPv4-compatible', at: 6, holds: (g) => zero(g.slice(0, 6)) && !(g[6] === 0 && (g[7] ?? 0) <= 1) },
  { name: 'NAT64', at: 6, holds: (g) => g[0] === 0x64 && g[1] === 0xff9b && zero(g.slice(2, 6)) },
  { name: '6to4', at: 1, holds: (g) => g[0] === 0x2002 },
];

function describeRow(row: Range): string {
  return `${row.prefix} ${row.name} (${row.ref})`;
}

/**
 * Why `address` is not an address on the open internet, e.g. `127.0.0.1 is in 127.0.0.0/8
 * Loopback (RFC 1122)`; null for an ordinary public address. Anything that is not an IP address
 * is refused too.
 */
export function specialPurpose(address: string): string | null {
  const known = verdicts.get(address);
  if (known !== undefined) return known;
  const why = classify(address);
  if (verdicts.size >= VERDICTS_MAX) verdicts.clear();
  verdicts.set(address, why);
  return why;
}

/**
 * specialPurpose by address: a poll checks every address its host resolved to, and node's
 * BlockList takes ~40 µs an address and range table (a daemon's first polls of 1,000 sources on
 * one host spent 45 ms of its start there). Sources resolve to few distinct addresses.
 */
const verdicts = new Map<string, string | null>();
const VERDICTS_MAX = 1024;

function classify(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) {
    const row = mostSpecific(V4, ip, 'ipv4');
    return row === null ? null : `${ip} is in ${describeRow(row)}`;
  }
  if (family !== 6) return `${address} is not an IP address`;
  const groups = v6Groups(ip);
  const embedding = EMBEDDINGS.find((e) => e.holds(groups));
  if (embedding) {
    const hi = groups[embedding.at] ?? 0;
    const lo = groups[embedding.at + 1] ?? 0;
    const v4 = [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
    const why = specialPurpose(v4);
    return why === null ? null : `${ip} is ${embedding.name} ${why}`;
  }
  const row = mostSpecific(V6, ip, 'ipv6');
  return row === null ? null : `${ip} is in ${describeRow(row)}`;
}

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name. Injectable (HttpOptions.lookup) so that tests can answer for a name. */
export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The addresses a URL's host stands for: an IP literal itself (no DNS), a name what `lookup` answers. */
export async function resolveHost(url: URL, lookup: Lookup): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  return family !== 0 ? [{ address: host, family }] : lookup(host);
}
