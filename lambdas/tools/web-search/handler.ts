/**
 * web_search Lambda: Tavily with the API key from this tool's own secret
 * (`{"api_key": "tvly-..."}`); the base URL is configurable.
 */

import { logger, parseEnv, readJsonSecret, secretsManagerReader } from '@revbot/core';
import { z } from 'zod';
import { createTavilyProvider, DEFAULT_TAVILY_BASE_URL } from './tavily-provider';
import { createWebSearchTool } from './web-search';

const env = parseEnv(
  z.object({
    SEARCH_SECRET_ID: z.string().min(1),
    SEARCH_BASE_URL: z.url().default(DEFAULT_TAVILY_BASE_URL),
    SEARCH_DEPTH: z.enum(['basic', 'advanced']).default('basic'),
  }),
);

export const searchSecretSchema = z.object({ api_key: z.string().min(1) });

const secrets = secretsManagerReader();
const provider = createTavilyProvider({
  baseUrl: env.SEARCH_BASE_URL,
  searchDepth: env.SEARCH_DEPTH,
  apiKey: async () =>
    (await readJsonSecret(secrets, env.SEARCH_SECRET_ID, searchSecretSchema)).api_key,
});

const tool = createWebSearchTool({ provider, logger });

export const handler = (event: unknown) => tool.handle(event);
