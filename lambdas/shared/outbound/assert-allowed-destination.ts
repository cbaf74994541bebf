/**
 * The SSRF guard: an allowlisted URL (see destination-allowlist.ts) whose host resolves only to
 * addresses RevBot may reach. Non-public addresses (private, loopback, link-local, CGNAT,
 * IPv6 ULA, IPv4-mapped and translated forms, documentation, multicast…) are refused unless the
 * allowlist admits them explicitly. The result carries the checked address: the request is sent
 * to it, so a second DNS answer (rebinding) can never redirect the delivery.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import {
  type AllowedUrl,
  canonicalIPv6,
  type DestinationAllowlist,
  describeDestination,
  matchAllowedUrl,
} from './destination-allowlist';
import { DestinationNotAllowedError } from './errors';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the OS resolver by default). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({
    address: answer.address,
    family: answer.family === 6 ? 6 : 4,
  }));
};

export interface CheckedDestination extends AllowedUrl {
  /** The address every request for this delivery attempt connects to. */
  address: string;
  family: 4 | 6;
}

/** Address ranges that are not the public internet (IANA special-purpose registries). */
const NON_PUBLIC: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // CGNAT shared address space
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local (instance metadata lives here)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // TEST-NET-1
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // TEST-NET-2
  ['203.0.113.0', 24, 'ipv4'], // TEST-NET-3
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['::', 96, 'ipv6'], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96, 'ipv6'], // NAT64: may translate to a private IPv4
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['100::', 64, 'ipv6'], // discard
  ['2001::', 32, 'ipv6'], // Teredo
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['2002::', 16, 'ipv6'], // 6to4: embeds an IPv4
  ['fc00::', 7, 'ipv6'], // unique local (ULA)
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];

const nonPublic = new BlockList();
for (const [address, prefix, family] of NON_PUBLIC) nonPublic.addSubnet(address, prefix, family);
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * `::ffff:a.b.c.d`. Checked on its own: a BlockList rule for `::ffff:0:0/96` would also match
 * every plain IPv4 address.
 */
function isIPv4Mapped(address: string): boolean {
  if (isIP(address) !== 6) return false;
  const canonical = canonicalIPv6(address);
  return canonical.startsWith('::ffff:') && canonical.split(':').length === 5;
}

/** True when `address` is on the public internet. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6 && isIPv4Mapped(address)) return false;
  return !nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function explicitlyAllowed(
  address: string,
  family: 4 | 6,
  allowed: AllowedUrl,
  allowlist: DestinationAllowlist,
): boolean {
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const ranges = new BlockList();
  for (const range of allowlist.ranges) ranges.addSubnet(range.address, range.prefix, range.family);
  if (ranges.check(address, type)) return true;
  const entryHost = allowed.entry.host;
  if (entryHost === 'localhost') return loopback.check(address, type);
  if (isIP(entryHost) !== 0) {
    const named = new BlockList();
    named.addAddress(entryHost, isIP(entryHost) === 4 ? 'ipv4' : 'ipv6');
    return named.check(address, type);
  }
  return false;
}

export interface AssertDestinationOptions {
  resolve?: Resolver;
}

/**
 * Checks `url` against the allowlist, resolves its host and checks every address. Resolves
 * with the address to connect to; throws DestinationNotAllowedError (never retryable). A
 * resolver failure is rethrown as is: the caller decides whether to retry.
 */
export async function assertAllowedDestination(
  url: string,
  allowlist: DestinationAllowlist,
  options: AssertDestinationOptions = {},
): Promise<CheckedDestination> {
  const allowed = matchAllowedUrl(url, allowlist);
  const where = describeDestination(allowed.url);
  const literal = isIP(allowed.hostname);
  const addresses: ResolvedAddress[] =
    literal !== 0
      ? [{ address: allowed.hostname, family: literal === 6 ? 6 : 4 }]
      : await (options.resolve ?? systemResolver)(allowed.hostname);
  if (addresses.length === 0) {
    throw new DestinationNotAllowedError(`${where} resolves to no address`, 'unresolvable');
  }
  // Every answer must pass: the one chosen is then the one connected to.
  for (const { address, family } of addresses) {
    if (isIP(address) === 0) {
      throw new DestinationNotAllowedError(
        `${where} resolved to an invalid address`,
        'unresolvable',
      );
    }
    if (!isPublicAddress(address) && !explicitlyAllowed(address, family, allowed, allowlist)) {
      throw new DestinationNotAllowedError(
        `${where} resolves to a non-public address, which is not allowlisted`,
        'private_address',
      );
    }
  }
  const first = addresses[0] as ResolvedAddress;
  return { ...allowed, address: first.address, family: first.family };
}
