/**
 * Webhook requests as the webhook Lambdas see them: the request schema, the queue messages
 * (request jobs, delivery jobs) and their queues, the delivered payloads, and the status store
 * behind `GET /webhook/{trackingId}`.
 */
export {
  type DeliveryJob,
  type DeliveryJobInput,
  type DeliveryJobQueue,
  deliveryJobKey,
  deliveryJobSchema,
  MAX_DELAY_SECONDS,
} from './delivery-job';
export { DynamoDbRequestStatusStore } from './dynamodb-request-status-store';
export {
  DESTINATION_GONE_TTL_SECONDS,
  destinationOf,
  type GoneDestination,
  type GoneDestinations,
  goneDestinationKey,
} from './gone-destinations';
export { MemoryRequestStatusStore } from './memory-request-status-store';
export { parseQueueJob } from './parse-queue-job';
export * from './request-status-store';
export {
  requestStatusEnvSchema,
  requestStatusStoreFromEnv,
} from './request-status-store-from-env';
export { sqsDeliveryJobQueue } from './sqs-delivery-job-queue';
export { sqsWebhookJobQueue } from './sqs-webhook-job-queue';
export {
  type WebhookDestinationsEnv,
  webhookDestinationAllowlist,
  webhookDestinationsEnvSchema,
} from './webhook-destinations';
export { type WebhookJob, type WebhookJobQueue, webhookJobSchema } from './webhook-job';
export {
  buildFailedEventPayload,
  buildWebhookPayload,
  type FailedEventPayload,
  type WebhookPayload,
} from './webhook-payload';
export {
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MAX_QUERY_CHARS,
  type WebhookRequest,
  webhookRequestSchema,
} from './webhook-request';
export { foreignSessionProblem, webhookSessionId } from './webhook-session';
