/** Handle-once for queue processors: the Powertools idempotency utility on DynamoDB. */
export {
  DEFAULT_IDEMPOTENCY_SECONDS,
  dynamoDbIdempotencyStore,
  type IdempotencyOptions,
  type IdempotentWork,
  idempotentByKey,
} from './idempotent-by-key';
