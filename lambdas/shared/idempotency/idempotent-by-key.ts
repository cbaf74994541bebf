/**
 * Handle-once for SQS records: SQS delivers at least once, so a record's work runs behind the
 * Powertools idempotency utility, keyed on the message's logical id (a Slack event id, a
 * delivery job's tracking id and attempt) rather than its SQS message id, which a re-sent copy
 * does not share. A copy arriving while the first is still running fails (SQS tries it again
 * later); a copy arriving after it finished gets the stored result without running the work.
 * A failed run leaves no record, so retries run it again.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';

export interface IdempotencyOptions {
  persistenceStore: BasePersistenceLayer;
  /** How long a finished key is remembered (default 24 h; the table's TTL removes it after). */
  expiresAfterSeconds?: number;
}

export interface IdempotentWork<T, R> {
  /** Runs `work(item)` once per `key`. */
  run(key: string, item: T): Promise<R>;
  /**
   * Tells the utility the invocation's deadline: a key left in progress by a run that died
   * (timeout, crash) is released once that deadline has passed. Without a context (the local
   * stack), Lambda's longest run, 15 minutes, stands in for it.
   */
  registerContext(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): void;
}

export const DEFAULT_IDEMPOTENCY_SECONDS = 24 * 3600;
const LONGEST_RUN = { getRemainingTimeInMillis: () => 15 * 60_000 };

export function idempotentByKey<T, R>(
  work: (item: T) => Promise<R>,
  options: IdempotencyOptions,
): IdempotentWork<T, R> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_SECONDS,
  });
  const once = makeIdempotent(async (input: { key: string; item: T }) => work(input.item), {
    persistenceStore: options.persistenceStore,
    config,
  });
  return {
    run: (key, item) => once({ key, item }) as Promise<R>,
    registerContext(context) {
      config.registerLambdaContext((context ?? LONGEST_RUN) as Context);
    },
  };
}

/** The persistence table (`id` key, TTL on `expiration`), with a client made once per container. */
export function dynamoDbIdempotencyStore(
  tableName: string,
  client?: DynamoDBClient,
): BasePersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    ...(client ? { awsSdkV3Client: client } : {}),
  });
}
