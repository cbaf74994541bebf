/**
 * gong_retrieval Lambda: Gong REST v2 with the access key pair from this tool's own secret
 * (`{"access_key": "...", "access_key_secret": "..."}`) and the customer's API base URL.
 */

import { logger, parseEnv, readJsonSecret, secretsManagerReader } from '@revbot/core';
import { z } from 'zod';
import { GongClient } from './gong-client';
import { createGongRetrievalTool } from './gong-retrieval';

const env = parseEnv(
  z.object({
    GONG_SECRET_ID: z.string().min(1),
    GONG_BASE_URL: z.url().default('https://api.gong.io'),
    GONG_MAX_PAGES: z.coerce.number().int().min(1).max(50).default(10),
  }),
);

export const gongSecretSchema = z.object({
  access_key: z.string().min(1),
  access_key_secret: z.string().min(1),
});

const secrets = secretsManagerReader();
const gong = new GongClient({
  baseUrl: env.GONG_BASE_URL,
  maxPages: env.GONG_MAX_PAGES,
  credentials: async () => {
    const secret = await readJsonSecret(secrets, env.GONG_SECRET_ID, gongSecretSchema);
    return { accessKey: secret.access_key, accessKeySecret: secret.access_key_secret };
  },
});

const tool = createGongRetrievalTool({ gong, logger });

export const handler = (event: unknown) => tool.handle(event);
