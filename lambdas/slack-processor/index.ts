/** @revbot/lambdas/slack-processor: the Slack processor's core and its metrics. */
export { parseAgentGroups, slackAgentAccess } from './agent-access';
export { recordingProcessorMetrics } from './processor-metrics';
export { createSlackProcessor } from './slack-processor';
