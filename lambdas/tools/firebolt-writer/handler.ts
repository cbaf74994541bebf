/**
 * firebolt_writer Lambda: parameterized inserts and updates to the allowlisted tables, with this
 * tool's own Firebolt service account (give it INSERT/UPDATE on those three tables and SELECT on
 * leads and opportunities, nothing more).
 */
import { logger, parseEnv, secretsManagerReader } from '@revbot/core';
import {
  fireboltEnvSchema,
  fireboltWarehouseFromEnv,
} from '../../shared/warehouse/firebolt-warehouse';
import { createFireboltWriterTool } from './firebolt-writer';

const env = parseEnv(fireboltEnvSchema);
const warehouse = fireboltWarehouseFromEnv(env, secretsManagerReader());

// REVBOT_STAGE is set on every RevBot function: agent names carry it (`revops-<stage>-…`).
const tool = createFireboltWriterTool({ warehouse, stage: process.env.REVBOT_STAGE, logger });

export const handler = (event: unknown) => tool.handle(event);
