/**
 * firebolt_query Lambda: Bedrock action-group events in, the warehouse answer out. Firebolt's
 * service-account credentials come from this tool's own secret; account, database and engine
 * from the environment.
 */

import { logger, parseEnv, secretsManagerReader } from '@revbot/core';
import { z } from 'zod';
import {
  fireboltEnvSchema,
  fireboltWarehouseFromEnv,
} from '../../shared/warehouse/firebolt-warehouse';
import { createFireboltQueryTool } from './firebolt-query';

const env = parseEnv(
  fireboltEnvSchema.extend({
    QUERY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(60_000).default(20_000),
  }),
);
const warehouse = fireboltWarehouseFromEnv(env, secretsManagerReader());

const tool = createFireboltQueryTool({ warehouse, queryTimeoutMs: env.QUERY_TIMEOUT_MS, logger });

export const handler = (event: unknown) => tool.handle(event);
