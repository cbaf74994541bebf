/** @revbot/lambdas/webhook-delivery: the outbound delivery stage's core. */
export {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  type DeliveryResult,
  deliverWebhookJob,
  type WebhookDeliveryDeps,
} from './deliver-webhook-job';
export { createWebhookDeliveryHandler, parseDeliveryJob } from './webhook-delivery';
