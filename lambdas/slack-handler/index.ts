/** @revbot/lambdas/slack-handler: the Slack route's core and the pieces the local stack wires. */
export { dynamoDbEventClaims } from './event-claims';
export { sqsQueuePublisher } from './queue-publisher';
export { slackAccessEnvSchema, slackAccessPolicyFromEnv } from './slack-access';
export { createSlackHandler } from './slack-handler';
export { signSlackRequest } from './slack-signature';
