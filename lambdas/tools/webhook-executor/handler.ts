/**
 * webhook_executor Lambda: notifications and allowlisted webhooks, signed with this tool's own
 * Standard Webhooks key (the secret named by WEBHOOK_SIGNING_SECRET_ARN).
 */

import { logger, parseEnv, secretsManagerReader } from '@revbot/core';
import { z } from 'zod';
import {
  mergeAllowlists,
  parseDestinationAllowlist,
  signingSecretSource,
} from '../../shared/outbound';
import { createWebhookExecutorTool } from './webhook-executor';

const env = parseEnv(
  z.object({
    WEBHOOK_ALLOWED_URLS: z.string().default(''),
    NOTIFICATION_WEBHOOK_URL: z.string().default(''),
    WEBHOOK_SIGNING_SECRET: z.string().optional(),
    WEBHOOK_SIGNING_SECRET_ARN: z.string().optional(),
  }),
);

// The notification URL is the operator's own choice, so it is allowed like an allowlist entry.
const allowlist = mergeAllowlists(
  parseDestinationAllowlist(env.WEBHOOK_ALLOWED_URLS),
  parseDestinationAllowlist(env.NOTIFICATION_WEBHOOK_URL, 'NOTIFICATION_WEBHOOK_URL'),
);

const tool = createWebhookExecutorTool({
  allowlist,
  notificationUrl: env.NOTIFICATION_WEBHOOK_URL || undefined,
  signer: signingSecretSource(env, secretsManagerReader()),
  logger,
});

export const handler = (event: unknown) => tool.handle(event);
