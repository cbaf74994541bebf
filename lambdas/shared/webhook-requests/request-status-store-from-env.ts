/**
 * The start-up both webhook Lambdas share: the environment naming the destinations allowlist and
 * the status table, and the DynamoDB status store on that table. Call it at module scope, so the
 * client is created once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoDbRequestStatusStore } from './dynamodb-request-status-store';
import { webhookDestinationsEnvSchema } from './webhook-destinations';

export const requestStatusEnvSchema = webhookDestinationsEnvSchema.extend({
  WEBHOOK_REQUESTS_TABLE: z.string().min(1),
});

export function requestStatusStoreFromEnv(env: {
  WEBHOOK_REQUESTS_TABLE: string;
}): DynamoDbRequestStatusStore {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new DynamoDbRequestStatusStore(documents, env.WEBHOOK_REQUESTS_TABLE);
}
