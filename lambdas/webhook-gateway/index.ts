/** @revbot/lambdas/webhook-gateway: the webhook route's core and its API keys. */
export { type ApiKey, parseApiKeys } from './api-key';
export { createWebhookGatewayHandler } from './webhook-gateway';
