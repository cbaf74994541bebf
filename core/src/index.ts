/**
 * @revbot/core: what every RevBot package shares: the error root, configuration parsing,
 * retry timing, secrets and the Powertools logger and metrics.
 */
export { backoffDelay, parseRetryAfter } from './backoff';
export { parseEnv, parseJsonEnv } from './env';
export * from './errors';
export { errorFields, type Logger, silentLogger } from './logger';
export { logger, METRIC_NAMESPACE, metrics } from './observability';
export * from './secrets';
