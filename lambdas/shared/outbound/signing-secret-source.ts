/**
 * Where the signing key comes from: `WEBHOOK_SIGNING_SECRET` (the local stack) or the Secrets
 * Manager secret named by `WEBHOOK_SIGNING_SECRET_ARN` (AWS, read through the cached reader, so
 * a rotation is picked up within the cache age). The value is never logged.
 */

import { ConfigError, type SecretReader } from '@revbot/core';
import { createWebhookSigner, type WebhookSigner } from './webhook-signing';

export interface SigningSecretEnv {
  WEBHOOK_SIGNING_SECRET?: string;
  WEBHOOK_SIGNING_SECRET_ARN?: string;
}

/** A signer for the current key; parses the key again only when its value changes. */
export type SignerSource = () => Promise<WebhookSigner>;

export function signingSecretSource(env: SigningSecretEnv, reader?: SecretReader): SignerSource {
  const inline = env.WEBHOOK_SIGNING_SECRET?.trim();
  const secretId = env.WEBHOOK_SIGNING_SECRET_ARN?.trim();
  if (inline) {
    const signer = createWebhookSigner(inline, 'WEBHOOK_SIGNING_SECRET');
    return async () => signer;
  }
  if (!secretId || !reader) {
    throw new ConfigError(
      'Invalid configuration: WEBHOOK_SIGNING_SECRET or WEBHOOK_SIGNING_SECRET_ARN: one is required to sign webhooks',
    );
  }
  let cached: { value: string; signer: WebhookSigner } | undefined;
  return async () => {
    const value = await reader.read(secretId);
    if (cached?.value !== value) {
      cached = { value, signer: createWebhookSigner(value, `secret ${secretId}`) };
    }
    return cached.signer;
  };
}
