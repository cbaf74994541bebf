/**
 * firebolt_writer Lambda: parameterized inserts and updates to the allowlisted tables, with this
 * tool's own Firebolt service account (give it INSERT/UPDATE on those three tables and SELECT on
 * leads and opportunities, nothing more).
 */
import { z } from 'zod';
import { parseEnv } from '../../shared/env';
import { logger } from '../../shared/observability';
import { secretsManagerReader } from '../../shared/secrets';
import {
  createFireboltWarehouse,
  fireboltCredentialsFromSecret,
} from '../../shared/warehouse/firebolt-warehouse';
import { createFireboltWriterTool } from './writer-tool';

const env = parseEnv(
  z.object({
    FIREBOLT_SECRET_ID: z.string().min(1),
    FIREBOLT_ACCOUNT: z.string().min(1),
    FIREBOLT_DATABASE: z.string().min(1),
    FIREBOLT_ENGINE: z.string().min(1),
    FIREBOLT_API_ENDPOINT: z.string().min(1).optional(),
  }),
);

const warehouse = createFireboltWarehouse({
  account: env.FIREBOLT_ACCOUNT,
  database: env.FIREBOLT_DATABASE,
  engine: env.FIREBOLT_ENGINE,
  apiEndpoint: env.FIREBOLT_API_ENDPOINT,
  credentials: fireboltCredentialsFromSecret(secretsManagerReader(), env.FIREBOLT_SECRET_ID),
});

const tool = createFireboltWriterTool({ warehouse, logger });

export const handler = (event: unknown) => tool.handle(event);
