/** @revbot/lambdas/webhook-processor: the webhook processor's core. */
export { createWebhookProcessorHandler } from './webhook-processor';
