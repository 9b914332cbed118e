import net from 'node:net';

/**
 * SSRF rules for webhook URLs: the API never calls an address inside the operator's network unless the operator says
 * so. Checked on the URL's literal IP at creation, and on every address a name resolves to at delivery time.
 */
export interface AddressPolicy {
  /** Deliver to any address (trusted networks only). */
  allowPrivate: boolean;
  /** Host names or IP literals allowed whatever they resolve to. */
  allowedHosts: readonly string[];
}

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // unspecified, "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['fc00::', 7], // unique-local
  ['ff00::', 8], // multicast
  ['::', 96], // IPv4-compatible (deprecated)
  ['100::', 64], // discard-only
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad included). */
function groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0];
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1].split('.').map(Number);
    text = `${text.slice(0, -quad[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === null ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
}

const v4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 one carries inside (mapped, NAT64, 6to4), which is where it really goes. */
function embeddedV4(address: string): string | null {
  const g = groups(address);
  if (g.length !== 8) return null;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4Of(g[6], g[7]); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4Of(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x2002) return v4Of(g[1], g[2]); // 6to4
  return null;
}

/** True for an address the API must not call by default: loopback, private, link-local, multicast, unspecified... */
export function isForbiddenAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedV4(address);
  if (inner !== null) return BLOCKED.check(inner, 'ipv4');
  return BLOCKED.check(address.split('%')[0], 'ipv6');
}

/** The URL's host as the policy compares it: lower case, IPv6 without brackets. */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, '');

/** Whether the operator allows this host (by name or literal) or every private address. */
export function hostAllowed(policy: AddressPolicy, host: string): boolean {
  return policy.allowPrivate || policy.allowedHosts.includes(host);
}

/** Whether an address a host resolved to may be called. */
export function addressAllowed(policy: AddressPolicy, host: string, address: string): boolean {
  return hostAllowed(policy, host) || policy.allowedHosts.includes(address) || !isForbiddenAddress(address);
}
