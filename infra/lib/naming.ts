/**
 * Stage-aware resource names (`revops-<stage>-<part>`). The dashboard and alarms are built from
 * these names, so stacks that own a resource and the monitoring stack never disagree.
 */
/** A stage names every resource (`revops-<stage>-…`), so it must fit every service's names. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;
export const STAGE_RULE = 'lowercase letters, digits and dashes, at most 16 characters';

export const resourceName = (stage: string, part: string): string => `revops-${stage}-${part}`;

export const NAMES = {
  slackHandler: 'slack-handler',
  slackProcessor: 'slack-processor',
  slackQueue: 'slack-queue',
  slackDlq: 'slack-dlq',
  webhookGateway: 'webhook-gateway',
  webhookProcessor: 'webhook-processor',
  webhookQueue: 'webhook-queue',
  webhookDlq: 'webhook-dlq',
  webhookDelivery: 'webhook-delivery',
  webhookDeliveryQueue: 'webhook-delivery-queue',
  webhookDeliveryDlq: 'webhook-delivery-dlq',
} as const;

/** Metric namespace the Lambdas publish to with Powertools Metrics (embedded metric format). */
export const METRIC_NAMESPACE = 'RevBot';

/** Bucket names are global: the account and region make the conversation bucket's unique. */
export const conversationBucketName = (stage: string, account: string, region: string): string =>
  resourceName(stage, `conversations-${account}-${region}`);
