import { ConfigError } from '@revbot/core';
import { describe, expect, it } from 'vitest';
import {
  assertAllowedDestination,
  DestinationNotAllowedError,
  isPublicAddress,
  matchAllowedUrl,
  parseDestinationAllowlist,
  type Resolver,
} from '../../../shared/outbound';
import { rejectionOf } from '../../support/rejection-of';

const resolverFor =
  (answers: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

function refusal(run: () => unknown): DestinationNotAllowedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DestinationNotAllowedError);
    return error as DestinationNotAllowedError;
  }
  throw new Error('expected a refusal');
}

const asyncRefusal = (promise: Promise<unknown>) =>
  rejectionOf(promise, DestinationNotAllowedError);

describe('parseDestinationAllowlist', () => {
  it('reads URL prefixes, hosts, wildcards and address ranges', () => {
    const list = parseDestinationAllowlist(
      ' https://hooks.example.com/revbot/ , http://127.0.0.1:4000, *.crm.example.org, api.example.net:8443, 10.20.0.0/16, fd00::/8 ',
    );
    expect(list.urls.map(({ scheme, host, port, path }) => ({ scheme, host, port, path }))).toEqual(
      [
        { scheme: 'https', host: 'hooks.example.com', port: 443, path: '/revbot/' },
        { scheme: 'http', host: '127.0.0.1', port: 4000, path: '/' },
        { scheme: 'https', host: '*.crm.example.org', port: 443, path: '/' },
        { scheme: 'https', host: 'api.example.net', port: 8443, path: '/' },
      ],
    );
    expect(list.ranges.map(({ address, prefix, family }) => ({ address, prefix, family }))).toEqual(
      [
        { address: '10.20.0.0', prefix: 16, family: 'ipv4' },
        { address: 'fd00::', prefix: 8, family: 'ipv6' },
      ],
    );
  });

  it('treats an empty or missing value as an empty allowlist', () => {
    expect(parseDestinationAllowlist('')).toEqual({ urls: [], ranges: [] });
    expect(parseDestinationAllowlist(undefined)).toEqual({ urls: [], ranges: [] });
  });

  it.each([
    ['ftp://files.example.com/', 'entry 1 uses a scheme other than http or https'],
    ['https://user:pw@hooks.example.com/', 'entry 1 must not contain credentials'],
    ['https://hooks.example.com/?token=1', 'entry 1 must not contain a query or fragment'],
    ['10.0.0.0/33', 'entry 1 has an invalid prefix length (0..32)'],
    ['not a host', 'entry 1 is neither a URL, a host nor an address range'],
    ['*.10.0.0.1', 'entry 1 puts a wildcard on an IP address'],
  ])('refuses %s with a one-line error naming the variable and the entry', (entry, why) => {
    expect(() => parseDestinationAllowlist(entry)).toThrowError(
      new ConfigError(`Invalid configuration: WEBHOOK_ALLOWED_URLS: ${why}`),
    );
  });
});

describe('matchAllowedUrl', () => {
  const list = parseDestinationAllowlist(
    'https://hooks.example.com/revbot, *.crm.example.org, http://127.0.0.1:4000/',
  );

  it('admits URLs under an allowlisted prefix, on a path segment boundary', () => {
    expect(matchAllowedUrl('https://hooks.example.com/revbot', list).entry.host).toBe(
      'hooks.example.com',
    );
    expect(matchAllowedUrl('https://HOOKS.example.com./revbot/deals?x=1', list).hostname).toBe(
      'hooks.example.com',
    );
    expect(refusal(() => matchAllowedUrl('https://hooks.example.com/revbotx', list)).reason).toBe(
      'not_allowlisted',
    );
    expect(refusal(() => matchAllowedUrl('https://hooks.example.com/other', list)).reason).toBe(
      'not_allowlisted',
    );
  });

  it('admits subdomains of a wildcard entry but not the bare domain', () => {
    expect(matchAllowedUrl('https://eu.crm.example.org/in', list).hostname).toBe(
      'eu.crm.example.org',
    );
    expect(refusal(() => matchAllowedUrl('https://crm.example.org/in', list)).reason).toBe(
      'not_allowlisted',
    );
    expect(refusal(() => matchAllowedUrl('https://evilcrm.example.org/in', list)).reason).toBe(
      'not_allowlisted',
    );
  });

  it('requires the same port as the entry', () => {
    expect(
      refusal(() => matchAllowedUrl('https://hooks.example.com:8443/revbot', list)).reason,
    ).toBe('not_allowlisted');
    expect(refusal(() => matchAllowedUrl('http://127.0.0.1:4001/', list)).reason).toBe('scheme');
  });

  it('allows plain http only to hosts allowlisted with an http:// entry', () => {
    expect(matchAllowedUrl('http://127.0.0.1:4000/hook', list).entry.scheme).toBe('http');
    const error = refusal(() => matchAllowedUrl('http://hooks.example.com/revbot', list));
    expect(error.reason).toBe('scheme');
    expect(error.message).toContain('Plain http is only allowed');
  });

  it.each([
    ['ftp://hooks.example.com/revbot', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['https://user:secret@hooks.example.com/revbot', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(refusal(() => matchAllowedUrl(url, list)).reason).toBe(reason);
  });

  it.each([
    'https://hooks.example.com/revbot/%2e%2e%2fadmin',
    'https://hooks.example.com/revbot/..%2Fadmin',
    'https://hooks.example.com/revbot/%5Cadmin',
    'https://hooks.example.com/revbot/%2E%2Ehtaccess',
    'https://hooks.example.com/revbot/x%252f..%252fadmin',
    'https://hooks.example.com/revbot/%25252e',
  ])('refuses a percent-encoded separator under a prefix entry: %s', (url) => {
    const error = refusal(() => matchAllowedUrl(url, list));
    expect(error.reason).toBe('encoded_path');
    expect(error.message).not.toContain('admin');
  });

  it('keeps admitting other percent-encoding under a prefix, and any path of a host entry', () => {
    expect(
      matchAllowedUrl('https://hooks.example.com/revbot/deal%20notes%21', list).entry.path,
    ).toBe('/revbot');
    const hosts = parseDestinationAllowlist('hooks.example.com');
    expect(matchAllowedUrl('https://hooks.example.com/a%2fb', hosts).entry.path).toBe('/');
    // A host entry beside the prefix admits the path: the prefix is not what vouches for it.
    const both = parseDestinationAllowlist('https://hooks.example.com/revbot, hooks.example.com');
    expect(matchAllowedUrl('https://hooks.example.com/revbot/%2e%2e', both).entry.path).toBe('/');
  });

  it('names only the origin in its messages, never the path or query', () => {
    const error = refusal(() =>
      matchAllowedUrl('https://other.example.com/services/T000/B000/secret-token', list),
    );
    expect(error.message).toBe(
      'https://other.example.com is not in the webhook allowlist (WEBHOOK_ALLOWED_URLS)',
    );
  });
});

describe('isPublicAddress', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '127.255.0.9',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.254',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '192.0.2.10',
    '::',
    '::1',
    'fd00::1',
    'fc12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:8.8.8.8',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    'ff02::1',
    '2001:db8::1',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
  ])('admits %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('assertAllowedDestination', () => {
  it('connects to the address the name resolved to when every answer is public', async () => {
    const checked = await assertAllowedDestination(
      'https://hooks.example.com/revbot/in',
      parseDestinationAllowlist('hooks.example.com'),
      { resolve: resolverFor({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'] }) },
    );
    expect(checked).toMatchObject({
      address: '93.184.216.34',
      family: 4,
      port: 443,
      hostname: 'hooks.example.com',
    });
  });

  it('refuses an allowlisted name that resolves to a private address', async () => {
    const error = await asyncRefusal(
      assertAllowedDestination(
        'https://hooks.example.com/in',
        parseDestinationAllowlist('hooks.example.com'),
        { resolve: resolverFor({ 'hooks.example.com': ['10.0.0.7'] }) },
      ),
    );
    expect(error.reason).toBe('private_address');
    expect(error.message).toBe(
      'https://hooks.example.com resolves to a non-public address, which is not allowlisted',
    );
  });

  it('refuses a name when any of its answers is non-public', async () => {
    const resolve = resolverFor({ 'hooks.example.com': ['93.184.216.34', '169.254.169.254'] });
    const error = await asyncRefusal(
      assertAllowedDestination(
        'https://hooks.example.com/',
        parseDestinationAllowlist('hooks.example.com'),
        { resolve },
      ),
    );
    expect(error.reason).toBe('private_address');
  });

  it.each([
    ['IPv6 loopback', '::1'],
    ['IPv6 unique local', 'fd12::5'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['CGNAT', '100.100.1.1'],
    ['link-local metadata', '169.254.169.254'],
  ])('refuses a name resolving to %s', async (_label, address) => {
    const error = await asyncRefusal(
      assertAllowedDestination(
        'https://hooks.example.com/',
        parseDestinationAllowlist('hooks.example.com'),
        {
          resolve: resolverFor({ 'hooks.example.com': [address] }),
        },
      ),
    );
    expect(error.reason).toBe('private_address');
  });

  it('reads IP literals in any notation as the address they are, not as allowlisted names', async () => {
    const list = parseDestinationAllowlist('http://localhost:4000/, https://hooks.example.com');
    for (const url of [
      'http://0x7f000001:4000/',
      'http://2130706433:4000/',
      'https://[::ffff:7f00:1]/',
      'https://169.254.169.254/latest/meta-data/',
    ]) {
      const error = await asyncRefusal(
        assertAllowedDestination(url, list, { resolve: resolverFor({}) }),
      );
      expect(error.reason, url).toBe(url.startsWith('http:') ? 'scheme' : 'not_allowlisted');
    }
  });

  it('admits a private address only when the allowlist names it', async () => {
    const resolve = resolverFor({
      'crm.internal.example.com': ['10.20.1.5'],
      localhost: ['127.0.0.1', '::1'],
    });
    const ranged = parseDestinationAllowlist('crm.internal.example.com, 10.20.0.0/16');
    await expect(
      assertAllowedDestination('https://crm.internal.example.com/in', ranged, { resolve }),
    ).resolves.toMatchObject({ address: '10.20.1.5' });

    const literal = parseDestinationAllowlist('http://127.0.0.1:4000/');
    await expect(
      assertAllowedDestination('http://127.0.0.1:4000/hook', literal, { resolve }),
    ).resolves.toMatchObject({ address: '127.0.0.1', port: 4000 });

    const local = parseDestinationAllowlist('http://localhost:4000/');
    await expect(
      assertAllowedDestination('http://localhost:4000/hook', local, { resolve }),
    ).resolves.toMatchObject({ address: '127.0.0.1' });
  });

  it('does not let a localhost entry reach anything but loopback', async () => {
    const resolve = resolverFor({ localhost: ['10.0.0.1'] });
    const error = await asyncRefusal(
      assertAllowedDestination(
        'http://localhost:4000/',
        parseDestinationAllowlist('http://localhost:4000'),
        {
          resolve,
        },
      ),
    );
    expect(error.reason).toBe('private_address');
  });

  it('checks the allowlist before resolving anything', async () => {
    let lookups = 0;
    const resolve: Resolver = async () => {
      lookups += 1;
      return [{ address: '93.184.216.34', family: 4 }];
    };
    await asyncRefusal(
      assertAllowedDestination(
        'https://elsewhere.example.com/',
        parseDestinationAllowlist('hooks.example.com'),
        {
          resolve,
        },
      ),
    );
    expect(lookups).toBe(0);
  });

  it('refuses a name with no addresses', async () => {
    const error = await asyncRefusal(
      assertAllowedDestination(
        'https://hooks.example.com/',
        parseDestinationAllowlist('hooks.example.com'),
        {
          resolve: async () => [],
        },
      ),
    );
    expect(error.reason).toBe('unresolvable');
  });
});
