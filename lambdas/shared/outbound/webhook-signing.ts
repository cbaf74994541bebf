/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com) with the `standardwebhooks`
 * package: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64
 * HMAC-SHA256 of "<id>.<timestamp>.<body>">`, so receivers verify with the same library.
 */

import { ConfigError } from '@revbot/core';
import { Webhook } from 'standardwebhooks';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The key as `whsec_<base64>`. Accepts the bare base64 value too (what the Secrets Manager
 * secret holds). The spec asks for 24 to 64 random bytes; anything else is a ConfigError that
 * never repeats the value.
 */
export function toSigningKey(secret: string, name = 'webhook signing secret'): string {
  const trimmed = secret.trim();
  const encoded = trimmed.startsWith(PREFIX) ? trimmed.slice(PREFIX.length) : trimmed;
  const bytes = BASE64.test(encoded) && encoded.length % 4 === 0 ? (encoded.length / 4) * 3 : 0;
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  const length = bytes - padding;
  if (length < 24 || length > 64) {
    throw new ConfigError(
      `Invalid configuration: ${name} must be whsec_ followed by the base64 of 24 to 64 random bytes`,
    );
  }
  return `${PREFIX}${encoded}`;
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface WebhookSigner {
  /** Headers for `body` sent as message `id` at `at` (the signature covers all three). */
  sign(id: string, at: Date, body: string): SignatureHeaders;
}

/** Parses the key once; signing is then one HMAC per delivery attempt. */
export function createWebhookSigner(secret: string, name?: string): WebhookSigner {
  const webhook = new Webhook(toSigningKey(secret, name));
  return {
    sign(id, at, body) {
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': webhook.sign(id, at, body),
      };
    },
  };
}
