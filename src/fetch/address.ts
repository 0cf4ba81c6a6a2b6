/**
 * Which addresses a redirect must not lead to: loopback, private, link-local and unspecified
 * ranges (RFC 1918, RFC 3927, RFC 4193, RFC 4291). A page on the internet must not be able to
 * point wirefeed at the host it runs on or at its local network.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** IPv4 ranges as [first octets, prefix length]. */
const PRIVATE_V4: [number[], number][] = [
  [[0, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16],
  [[172, 16, 0, 0], 12],
  [[192, 168, 0, 0], 16],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4Range(ip: string, [base, bits]: [number[], number]): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(v4ToInt(ip) / size) === Math.floor(v4ToInt(base.join('.')) / size);
}

/** Expand an IPv6 address to its 8 groups. */
function v6Groups(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return PRIVATE_V4.some((range) => inV4Range(ip, range));
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return isPrivateAddress(mapped[1]);
  const g = v6Groups(ip);
  const first = g[0] ?? 0;
  const unspecifiedOrLoopback = g.slice(0, 7).every((x) => x === 0) && (g[7] === 0 || g[7] === 1);
  return unspecifiedOrLoopback || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/** True when the URL's host is, or resolves to, a private address (any of its addresses). */
export async function hostIsPrivate(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return isPrivateAddress(host);
  const found = await lookup(host, { all: true, verbatim: true });
  return found.some((a) => isPrivateAddress(a.address));
}
