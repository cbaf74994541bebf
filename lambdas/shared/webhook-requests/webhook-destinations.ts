/**
 * Where the webhook channel may deliver: `WEBHOOK_ALLOWED_URLS` plus the operator's default
 * `WEBHOOK_URL` (configured by the operator, so allowlisted by being configured). Read the same
 * way by the gateway (callback_url checks) and the processor (deliveries).
 */
import { z } from 'zod';
import { type DestinationAllowlist, mergeAllowlists, parseDestinationAllowlist } from '../outbound';

export const webhookDestinationsEnvSchema = z.object({
  WEBHOOK_ALLOWED_URLS: z.string().default(''),
  WEBHOOK_URL: z
    .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })])
    .default(''),
});

export type WebhookDestinationsEnv = z.infer<typeof webhookDestinationsEnvSchema>;

export function webhookDestinationAllowlist(env: WebhookDestinationsEnv): DestinationAllowlist {
  const configured = parseDestinationAllowlist(env.WEBHOOK_ALLOWED_URLS, 'WEBHOOK_ALLOWED_URLS');
  if (!env.WEBHOOK_URL) return configured;
  const url = new URL(env.WEBHOOK_URL);
  // The default URL's own path is the prefix; its query (often a token) is not part of the entry.
  const entry = `${url.protocol}//${url.host}${url.pathname}`;
  return mergeAllowlists(configured, parseDestinationAllowlist(entry, 'WEBHOOK_URL'));
}
