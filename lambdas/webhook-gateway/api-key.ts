/**
 * The `x-api-key` check for the local stack. In AWS, API Gateway enforces the key and its usage
 * plan before the Lambda runs; this check applies only when `REVBOT_API_KEYS` is set, and
 * compares digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '@revbot/core';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Returns a checker for the given keys; with no keys, every request passes. */
export function apiKeyChecker(keys: readonly string[]): (presented: string | undefined) => void {
  const digests = keys.filter((key) => key.length > 0).map(digest);
  return (presented) => {
    if (digests.length === 0) return;
    if (!presented) throw new AuthenticationError('Missing x-api-key header', 'MISSING_API_KEY');
    const candidate = digest(presented);
    let match = false;
    for (const known of digests) match = timingSafeEqual(known, candidate) || match;
    if (!match) throw new AuthenticationError('Invalid API key', 'INVALID_API_KEY');
  };
}

/** `REVBOT_API_KEYS`: comma-separated, blanks ignored. */
export const parseApiKeys = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
