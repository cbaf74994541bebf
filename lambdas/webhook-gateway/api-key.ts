/**
 * Who is calling the webhook API. Each API key carries a name (its caller's identity), recorded
 * with every request and used to keep callers' agent sessions apart.
 *
 * - In AWS, API Gateway enforces the key and its usage plan before the Lambda runs; the caller is
 *   the key's id (`requestContext.identity.apiKeyId`).
 * - Locally (and wherever `REVBOT_API_KEYS` is set) this module checks the key, comparing digests
 *   in constant time. `REVBOT_API_KEYS` is comma-separated `name:key` entries, or a JSON object
 *   `{"name": "key"}`; a bare key (older configurations) is named `default`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, ConfigError } from '@revbot/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The name of a bare key, and of every caller when no key is configured. */
export const DEFAULT_CALLER = 'default';
/** Letters, digits, `_` and `-`: a caller name is part of its sessions' ids. */
export const CALLER_NAME = /^[A-Za-z0-9_-]{1,40}$/;

export interface ApiKey {
  name: string;
  key: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

const named = (key: string | ApiKey): ApiKey =>
  typeof key === 'string' ? { name: DEFAULT_CALLER, key } : key;

/**
 * Returns a checker for the given keys, answering the presented key's name; with no keys, every
 * request passes as `default`.
 */
export function apiKeyChecker(
  keys: readonly (string | ApiKey)[],
): (presented: string | undefined) => string {
  const known = keys
    .map(named)
    .filter(({ key }) => key.length > 0)
    .map(({ name, key }) => ({ name, digest: digest(key) }));
  return (presented) => {
    if (known.length === 0) return DEFAULT_CALLER;
    if (!presented) throw new AuthenticationError('Missing x-api-key header', 'MISSING_API_KEY');
    const candidate = digest(presented);
    let match: string | undefined;
    // Every key is compared, so the time taken does not tell which one matched.
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, candidate)) match ??= entry.name;
    }
    if (match === undefined) throw new AuthenticationError('Invalid API key', 'INVALID_API_KEY');
    return match;
  };
}

/**
 * The caller of a request API Gateway already authenticated: its API key's id, or `default`
 * when the method needs no key.
 */
export function gatewayCaller(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string {
  const id = event.requestContext?.identity?.apiKeyId;
  return id && CALLER_NAME.test(id) ? id : DEFAULT_CALLER;
}

/** `REVBOT_API_KEYS`: `name:key` entries or bare keys, comma-separated, or a JSON object. */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  const text = (value ?? '').trim();
  if (text.startsWith('{')) return parseJsonKeys(text);
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const name = colon > 0 ? entry.slice(0, colon) : '';
      // A bare key may itself hold a colon: only a valid name before it makes it a name.
      return CALLER_NAME.test(name) && colon < entry.length - 1
        ? { name, key: entry.slice(colon + 1) }
        : { name: DEFAULT_CALLER, key: entry };
    });
}

function parseJsonKeys(text: string): ApiKey[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('Invalid configuration: REVBOT_API_KEYS: not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError('Invalid configuration: REVBOT_API_KEYS: must be an object of name: key');
  }
  return Object.entries(json).map(([name, key]) => {
    if (!CALLER_NAME.test(name) || typeof key !== 'string' || key.length === 0) {
      throw new ConfigError(
        `Invalid configuration: REVBOT_API_KEYS: "${name.slice(0, 40)}" needs a name of letters, digits, _ or - and a key`,
      );
    }
    return { name, key };
  });
}
