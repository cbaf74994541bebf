/**
 * Structured JSON logs and CloudWatch metrics (embedded metric format) through Powertools,
 * created once per container. Correlation ids (tracking id, Slack event id, session id,
 * conversation id) are appended per event with `logger.appendKeys`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'RevBot';

// Marked pure so a bundle that never uses one (most handlers log but publish no metrics) drops
// it and its module instead of constructing it at every cold start.
export const logger = /* @__PURE__ */ new Logger();
export const metrics = /* @__PURE__ */ new Metrics({ namespace: METRIC_NAMESPACE });
