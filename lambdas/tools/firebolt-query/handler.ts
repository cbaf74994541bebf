/**
 * firebolt_query Lambda: Bedrock action-group events in, the warehouse answer out. Firebolt's
 * service-account credentials come from this tool's own secret; account, database and engine
 * from the environment.
 */
import { z } from 'zod';
import { parseEnv } from '../../shared/env';
import { logger } from '../../shared/observability';
import { secretsManagerReader } from '../../shared/secrets';
import {
  createFireboltWarehouse,
  fireboltCredentialsFromSecret,
} from '../../shared/warehouse/firebolt-warehouse';
import { createFireboltQueryTool } from './query-tool';

const env = parseEnv(
  z.object({
    FIREBOLT_SECRET_ID: z.string().min(1),
    FIREBOLT_ACCOUNT: z.string().min(1),
    FIREBOLT_DATABASE: z.string().min(1),
    FIREBOLT_ENGINE: z.string().min(1),
    FIREBOLT_API_ENDPOINT: z.string().min(1).optional(),
    QUERY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(60_000).default(20_000),
  }),
);

const warehouse = createFireboltWarehouse({
  account: env.FIREBOLT_ACCOUNT,
  database: env.FIREBOLT_DATABASE,
  engine: env.FIREBOLT_ENGINE,
  apiEndpoint: env.FIREBOLT_API_ENDPOINT,
  credentials: fireboltCredentialsFromSecret(secretsManagerReader(), env.FIREBOLT_SECRET_ID),
});

const tool = createFireboltQueryTool({ warehouse, queryTimeoutMs: env.QUERY_TIMEOUT_MS, logger });

export const handler = (event: unknown) => tool.handle(event);
