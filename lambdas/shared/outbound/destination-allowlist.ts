/**
 * The outbound allowlist (`WEBHOOK_ALLOWED_URLS`, comma-separated) and the static half of the SSRF
 * guard: which URLs RevBot may send to, decided without DNS. Entry forms:
 *
 * - `https://hooks.example.com/revbot/` — a URL prefix: same scheme, host and port, and a path
 *   under the given one (on a segment boundary: `/revbot` admits `/revbot/x`, not `/revbotx`).
 *   The safe form: it pins one receiver, where a host entry admits every path of the host. A
 *   path checked against a prefix may not carry `%2f`, `%5c` or `%2e` (any case, or encoded
 *   again as `%252f`…): a receiver that decodes them would see a path outside the prefix;
 * - `http://127.0.0.1:4000/` — the same with plain http: the only way http is ever allowed,
 *   meant for local receivers;
 * - `hooks.example.com`, `*.example.com`, `hooks.example.com:8443` — a host (or its subdomains)
 *   over https, on port 443 unless given, any path;
 * - `10.1.0.0/16`, `127.0.0.1/32`, `::1/128` — a CIDR range of addresses a name may resolve to.
 *   Private, loopback, link-local, CGNAT and similar addresses are refused unless a range admits
 *   them, the matching entry names that IP literally, or the entry's host is `localhost`.
 */
import { isIP } from 'node:net';
import { ConfigError } from '@revbot/core';
import { DestinationNotAllowedError } from './errors';

export interface UrlEntry {
  kind: 'url';
  scheme: 'http' | 'https';
  /** Lower-case host, IPv6 without brackets, `*.` prefix for a wildcard. */
  host: string;
  port: number;
  /** Path prefix; `/` admits every path. */
  path: string;
  /** How the entry was written, for messages. */
  source: string;
}

export interface AddressRangeEntry {
  kind: 'range';
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
  source: string;
}

export interface DestinationAllowlist {
  urls: UrlEntry[];
  ranges: AddressRangeEntry[];
}

export const EMPTY_ALLOWLIST: DestinationAllowlist = { urls: [], ranges: [] };

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** Host as compared: lower case, no trailing dot, IPv6 without brackets. */
export function normalizeHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Parses the comma-separated allowlist. A malformed entry throws a ConfigError naming
 * `variable` and the entry's position.
 */
export function parseDestinationAllowlist(
  value: string | undefined,
  variable = 'WEBHOOK_ALLOWED_URLS',
): DestinationAllowlist {
  const allowlist: DestinationAllowlist = { urls: [], ranges: [] };
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  entries.forEach((entry, index) => {
    const problem = (why: string) =>
      new ConfigError(`Invalid configuration: ${variable}: entry ${index + 1} ${why}`);
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') throw problem(parsed);
    if (parsed.kind === 'range') allowlist.ranges.push(parsed);
    else allowlist.urls.push(parsed);
  });
  return allowlist;
}

/** Both lists' entries in one allowlist (e.g. the operator's default URL added to the list). */
export function mergeAllowlists(...lists: DestinationAllowlist[]): DestinationAllowlist {
  return {
    urls: lists.flatMap((list) => list.urls),
    ranges: lists.flatMap((list) => list.ranges),
  };
}

function parseEntry(entry: string): UrlEntry | AddressRangeEntry | string {
  const slash = entry.indexOf('/');
  if (slash > 0 && !entry.includes('://')) {
    const address = entry.slice(0, slash);
    const family = isIP(address);
    const prefix = Number(entry.slice(slash + 1));
    if (family === 0) return 'is neither a URL, a host nor an address range';
    const max = family === 4 ? 32 : 128;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      return `has an invalid prefix length (0..${max})`;
    }
    return {
      kind: 'range',
      address,
      prefix,
      family: family === 4 ? 'ipv4' : 'ipv6',
      source: entry,
    };
  }
  if (/^https?:\/\//i.test(entry)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return 'is not a valid URL';
    }
    if (url.username || url.password) return 'must not contain credentials';
    if (url.search || url.hash) return 'must not contain a query or fragment';
    const scheme = url.protocol === 'http:' ? 'http' : 'https';
    return {
      kind: 'url',
      scheme,
      host: normalizeHost(url.hostname),
      port: url.port ? Number(url.port) : DEFAULT_PORT[scheme],
      path: url.pathname || '/',
      source: entry,
    };
  }
  if (entry.includes('://')) return 'uses a scheme other than http or https';
  const match = /^(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i.exec(entry);
  if (!match) return 'is neither a URL, a host nor an address range';
  const [, wildcard, host = '', port] = match;
  const normalized = normalizeHost(host);
  if (wildcard && isIP(normalized) !== 0) return 'puts a wildcard on an IP address';
  const portNumber = port ? Number(port) : DEFAULT_PORT.https;
  if (portNumber < 1 || portNumber > 65_535) return 'has an invalid port';
  return {
    kind: 'url',
    scheme: 'https',
    host: `${wildcard ?? ''}${normalized}`,
    port: portNumber,
    path: '/',
    source: entry,
  };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".example.com"
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  if (isIP(pattern) === 6 && isIP(host) === 6) {
    return canonicalIPv6(pattern) === canonicalIPv6(host);
  }
  return pattern === host;
}

/**
 * `/`, `\` and `.` percent-encoded, once or more (`%2f`, `%252f`…): a receiver or proxy that
 * decodes them can climb out of a prefix (`/revbot/%2e%2e%2fadmin`) the parsed path stays under.
 */
const ENCODED_SEPARATOR = /%(?:25)*(?:2f|5c|2e)/i;

function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Compressed lower-case form, as the WHATWG URL parser writes it. */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Origin only, for logs, errors and status records: paths and queries can carry tokens. */
export function describeDestination(url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(invalid URL)';
  }
}

export interface AllowedUrl {
  url: URL;
  /** Host as compared and connected to (IPv6 without brackets). */
  hostname: string;
  port: number;
  entry: UrlEntry;
}

/**
 * The static checks: a valid http(s) URL without credentials, matching an allowlist entry
 * (scheme, host, port and path). Throws DestinationNotAllowedError; no DNS.
 */
export function matchAllowedUrl(rawUrl: string, allowlist: DestinationAllowlist): AllowedUrl {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new DestinationNotAllowedError('The destination is not a valid URL', 'invalid_url');
  }
  const where = describeDestination(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DestinationNotAllowedError(
      `Only https destinations are allowed (got ${url.protocol.replace(':', '')})`,
      'scheme',
    );
  }
  if (url.username || url.password) {
    throw new DestinationNotAllowedError(
      'The destination URL must not contain credentials',
      'credentials_in_url',
    );
  }
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const hostname = normalizeHost(url.hostname);
  const port = url.port ? Number(url.port) : DEFAULT_PORT[scheme];
  const matches = allowlist.urls.filter(
    (candidate) =>
      candidate.scheme === scheme &&
      candidate.port === port &&
      hostMatches(candidate.host, hostname) &&
      pathMatches(candidate.path, url.pathname),
  );
  // A prefix entry only vouches for a path whose separators are what they seem.
  const encoded = ENCODED_SEPARATOR.test(url.pathname);
  const entry = matches.find((candidate) => !encoded || candidate.path === '/');
  if (!entry && matches.length > 0) {
    throw new DestinationNotAllowedError(
      `The path to ${where} has a percent-encoded /, \\ or ., which a path prefix entry does not admit`,
      'encoded_path',
    );
  }
  if (!entry) {
    const httpAllowedElsewhere = scheme === 'http';
    throw new DestinationNotAllowedError(
      httpAllowedElsewhere
        ? `Plain http is only allowed to hosts allowlisted with an http:// entry; ${where} is not`
        : `${where} is not in the webhook allowlist (WEBHOOK_ALLOWED_URLS)`,
      httpAllowedElsewhere ? 'scheme' : 'not_allowlisted',
    );
  }
  return { url, hostname, port, entry };
}
