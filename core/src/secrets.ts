/**
 * Secrets: read from Secrets Manager through Powertools Parameters (cached per container, so a
 * warm Lambda does not call Secrets Manager per event), or from the environment in the local
 * stack. Values are never logged; errors name the secret, not its content.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import type { ZodMiniType } from 'zod/mini';
import { ConfigError, RetryableError } from './errors';

export interface SecretReader {
  /** The secret's string value. */
  read(secretId: string): Promise<string>;
}

/** Secrets Manager, cached for `maxAgeSeconds` (default 5 minutes, so rotations are picked up). */
export function secretsManagerReader(
  options: { client?: SecretsManagerClient; maxAgeSeconds?: number } = {},
): SecretReader {
  const provider = new SecretsProvider(
    options.client ? { awsSdkV3Client: options.client } : undefined,
  );
  const maxAge = options.maxAgeSeconds ?? 300;
  return {
    async read(secretId) {
      let value: unknown;
      try {
        value = await provider.get(secretId, { maxAge });
      } catch (error) {
        throw new RetryableError(`Could not read secret ${secretId}`, 'SECRET_UNAVAILABLE', {
          cause: error,
        });
      }
      if (typeof value !== 'string' || value.length === 0) {
        throw new ConfigError(`Secret ${secretId} has no string value`);
      }
      return value;
    },
  };
}

/** Fixed values keyed by secret id, for the local stack and tests. */
export function staticSecretReader(values: Record<string, string>): SecretReader {
  return {
    async read(secretId) {
      const value = values[secretId];
      if (value === undefined) throw new ConfigError(`Secret ${secretId} is not configured`);
      return value;
    },
  };
}

/** Reads a JSON secret and validates its shape; field errors name the key, never the value. */
export async function readJsonSecret<S extends z.ZodType | ZodMiniType>(
  reader: SecretReader,
  secretId: string,
  schema: S,
): Promise<z.infer<S>> {
  const raw = await reader.read(secretId);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(`Secret ${secretId} is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const keys = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new ConfigError(`Secret ${secretId} is missing or has invalid keys: ${keys.join(', ')}`);
  }
  return parsed.data as z.infer<S>;
}
