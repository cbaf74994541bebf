/**
 * Outbound HTTP for RevBot: SSRF-guarded, Standard-Webhooks-signed, retried delivery. The one
 * module the webhook channel and the webhook_executor tool send through.
 */
export {
  type AssertDestinationOptions,
  assertAllowedDestination,
  type CheckedDestination,
  isPublicAddress,
  type ResolvedAddress,
  type Resolver,
  systemResolver,
} from './assert-allowed-destination';
export {
  type AttemptReport,
  type DeliveryOptions,
  type DeliveryReceipt,
  deliverSignedWebhook,
  USER_AGENT,
  type WebhookDelivery,
} from './deliver-signed-webhook';
export {
  type AllowedUrl,
  type DestinationAllowlist,
  describeDestination,
  EMPTY_ALLOWLIST,
  matchAllowedUrl,
  mergeAllowlists,
  parseDestinationAllowlist,
} from './destination-allowlist';
export {
  type DeliveryFailureCode,
  DestinationNotAllowedError,
  type DestinationRefusal,
  WebhookDeliveryError,
} from './errors';
export * from './retry-policy';
export {
  DEFAULT_RETRY_SCHEDULE,
  nextRetryDelay,
  parseRetrySchedule,
  type RetrySchedule,
} from './retry-schedule';
export {
  type SignerSource,
  type SigningSecretEnv,
  signingSecretSource,
} from './signing-secret-source';
export {
  createWebhookSigner,
  type SignatureHeaders,
  toSigningKey,
  type WebhookSigner,
} from './webhook-signing';
