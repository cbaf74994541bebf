/**
 * Structured JSON logs and CloudWatch metrics (embedded metric format) through Powertools,
 * created once per container. Correlation ids (tracking id, Slack event id, session id,
 * conversation id) are appended per event with `logger.appendKeys`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'RevBot';

export const logger = new Logger();
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
