/**
 * The status store on DynamoDB (table keyed by `tracking_id`, TTL on `expires_at`). Each
 * transition is one conditional write stating the rule of `canTransition`, so concurrent or
 * repeated processors cannot rewind a record; reads are strongly consistent, so a poll right
 * after the 202 sees the record. The caller's request is stored as one JSON string: its free-form
 * `metadata` may hold what DynamoDB's types refuse (numbers past 38 digits or 1e125, nesting
 * deeper than 32 levels), and a caller's data must never fail the write. The client is created
 * once per container by the caller.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '@revbot/core';
import {
  DESTINATION_GONE_TTL_SECONDS,
  type GoneDestination,
  type GoneDestinations,
  goneDestinationKey,
} from './gone-destinations';
import {
  type ApprovalDecision,
  type ApprovalState,
  type DeliveryOutcome,
  type DeliveryUpdate,
  InvalidStatusTransitionError,
  type RequestError,
  type RequestStatus,
  type RequestStatusRecord,
  type RequestStatusStore,
  type StoredAnswer,
} from './request-status-store';

type Names = Record<string, string>;
type Values = Record<string, unknown>;

/** The condition each target status needs, mirroring `canTransition`. */
const CONDITIONS: Record<RequestStatus | 'result' | 'decision', string> = {
  queued: 'attribute_not_exists(tracking_id)',
  processing:
    'attribute_exists(tracking_id) AND (#status IN (:queued, :processing) OR (#status = :failed AND #error.retryable = :true))',
  result: 'attribute_exists(tracking_id) AND #status = :processing',
  delivering:
    'attribute_exists(tracking_id) AND #status = :processing AND attribute_exists(#result)',
  completed:
    'attribute_exists(tracking_id) AND #status = :processing AND attribute_exists(#result)',
  delivery_failed:
    'attribute_exists(tracking_id) AND #status = :processing AND attribute_exists(#result)',
  failed: 'attribute_exists(tracking_id) AND #status IN (:queued, :processing, :awaiting_approval)',
  awaiting_approval: 'attribute_exists(tracking_id) AND #status = :processing',
  decision:
    'attribute_exists(tracking_id) AND #status = :awaiting_approval AND #approval.invocation_id = :invocation AND attribute_not_exists(#approval.decision)',
};

export class DynamoDbRequestStatusStore implements RequestStatusStore, GoneDestinations {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async create(record: RequestStatusRecord): Promise<void> {
    await this.write('queued', record.tracking_id, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, request: JSON.stringify(record.request) },
          ConditionExpression: CONDITIONS.queued,
        }),
      ),
    );
  }

  async get(trackingId: string): Promise<RequestStatusRecord | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { tracking_id: trackingId },
          ConsistentRead: true,
        }),
      );
      return Item ? fromItem(Item) : undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async startProcessing(trackingId: string, at: Date): Promise<RequestStatusRecord> {
    const attributes = await this.update(
      trackingId,
      'processing',
      'SET #status = :processing, started_at = if_not_exists(started_at, :now), updated_at = :now ADD processing_attempts :one REMOVE #error',
      { ':now': at.toISOString(), ':one': 1 },
      true,
    );
    return fromItem(attributes as Record<string, unknown>);
  }

  async saveResult(trackingId: string, result: StoredAnswer, at: Date): Promise<void> {
    await this.update(trackingId, 'result', 'SET #result = :result, updated_at = :now', {
      ':result': result,
      ':now': at.toISOString(),
    });
  }

  async startDelivery(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void> {
    await this.update(
      trackingId,
      'delivering',
      'SET #status = :delivering, #delivery = :delivery, updated_at = :now',
      { ':delivering': 'delivering', ':delivery': delivery, ':now': at.toISOString() },
      false,
      { '#delivery': 'delivery' },
    );
  }

  async recordDelivery(trackingId: string, update: DeliveryUpdate, at: Date): Promise<void> {
    const sets = ['#delivery = :delivery', 'updated_at = :now'];
    const values: Values = { ':delivery': update.delivery, ':now': at.toISOString() };
    if (update.attempt) {
      // One list per record, appended in place: concurrent attempts never overwrite each other.
      sets.push(
        'delivery_attempts = list_append(if_not_exists(delivery_attempts, :none), :attempt)',
      );
      values[':none'] = [];
      values[':attempt'] = [update.attempt];
    }
    let condition = 'attribute_exists(tracking_id)';
    if (update.status) {
      sets.push('#status = :to', 'finished_at = :now');
      // DELIVERY_FINISHABLE, as a condition.
      Object.assign(values, {
        ':to': update.status,
        ':processing': 'processing',
        ':delivering': 'delivering',
        ':completed': 'completed',
        ':delivery_failed': 'delivery_failed',
      });
      condition =
        'attribute_exists(tracking_id) AND attribute_exists(#result) AND #status IN (:processing, :delivering, :completed, :delivery_failed)';
    }
    await this.write(update.status ?? 'result', trackingId, () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tracking_id: trackingId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: {
            '#delivery': 'delivery',
            ...(update.status ? { '#status': 'status', '#result': 'result' } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async complete(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void> {
    await this.finish(trackingId, 'completed', 'delivery', delivery, at);
  }

  async failDelivery(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void> {
    await this.finish(trackingId, 'delivery_failed', 'delivery', delivery, at);
  }

  async fail(trackingId: string, error: RequestError, at: Date): Promise<void> {
    await this.finish(trackingId, 'failed', 'error', error, at);
  }

  async awaitApproval(trackingId: string, approval: ApprovalState, at: Date): Promise<void> {
    await this.update(
      trackingId,
      'awaiting_approval',
      'SET #status = :awaiting_approval, #approval = :approval, updated_at = :now',
      { ':approval': approval, ':now': at.toISOString() },
    );
  }

  async decide(
    trackingId: string,
    decision: ApprovalDecision,
    at: Date,
  ): Promise<RequestStatusRecord> {
    const attributes = await this.update(
      trackingId,
      'decision',
      'SET #status = :queued, #approval.decision = :decision, #approval.decided_by = :by, #approval.decided_at = :at, updated_at = :now',
      {
        ':invocation': decision.invocation_id,
        ':decision': decision.decision,
        ':by': decision.decided_by,
        ':at': decision.decided_at,
        ':now': at.toISOString(),
      },
      true,
    );
    return fromItem(attributes as Record<string, unknown>);
  }

  private async finish(
    trackingId: string,
    to: 'completed' | 'delivery_failed' | 'failed',
    field: 'delivery' | 'error',
    value: DeliveryOutcome | RequestError,
    at: Date,
  ): Promise<void> {
    await this.update(
      trackingId,
      to,
      `SET #status = :to, #${field} = :value, finished_at = :now, updated_at = :now`,
      { ':to': to, ':value': value, ':now': at.toISOString() },
      false,
      { [`#${field}`]: field },
    );
  }

  private async update(
    trackingId: string,
    to: RequestStatus | 'result' | 'decision',
    expression: string,
    values: Values,
    returnRecord = false,
    extraNames: Names = {},
  ): Promise<unknown> {
    const condition = CONDITIONS[to];
    const names: Names = { '#status': 'status', ...extraNames };
    // DynamoDB refuses names and values the expressions do not use.
    const used = `${expression} ${condition}`;
    if (used.includes('#error')) names['#error'] = 'error';
    if (used.includes('#result')) names['#result'] = 'result';
    if (used.includes('#approval')) names['#approval'] = 'approval';
    const allValues: Values = { ...values };
    for (const status of ['queued', 'processing', 'failed', 'awaiting_approval'] as const) {
      if (used.includes(`:${status}`)) allValues[`:${status}`] = status;
    }
    if (used.includes(':true')) allValues[':true'] = true;
    const output = await this.write(to, trackingId, () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tracking_id: trackingId },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: allValues,
          ReturnValues: returnRecord ? 'ALL_NEW' : 'NONE',
        }),
      ),
    );
    return (output as { Attributes?: unknown }).Attributes;
  }

  async markDestinationGone(destination: string, at: Date): Promise<void> {
    await this.plain(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            tracking_id: goneDestinationKey(destination),
            destination,
            gone_at: at.toISOString(),
            expires_at: Math.floor(at.getTime() / 1000) + DESTINATION_GONE_TTL_SECONDS,
          },
        }),
      ),
    );
  }

  async destinationGone(destination: string): Promise<GoneDestination | undefined> {
    const { Item } = await this.plain(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { tracking_id: goneDestinationKey(destination) },
          ConsistentRead: true,
        }),
      ),
    );
    // DynamoDB's TTL removes items some time after they expire: an expired mark no longer counts.
    if (!Item || Number(Item.expires_at) * 1000 <= this.now()) return undefined;
    return { destination: String(Item.destination), gone_at: String(Item.gone_at) };
  }

  async clearDestinationGone(destination: string): Promise<void> {
    await this.plain(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { tracking_id: goneDestinationKey(destination) },
        }),
      ),
    );
  }

  /** Runs an unconditional call; throttling and outages become retryable. */
  private async plain<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Runs a conditional write; a failed condition becomes an InvalidStatusTransitionError. */
  private async write<T>(
    to: RequestStatus | 'result' | 'decision',
    trackingId: string,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const current = await this.get(trackingId);
        throw new InvalidStatusTransitionError(trackingId, current?.status, to);
      }
      throw unavailable(error);
    }
  }
}

function fromItem(item: Record<string, unknown>): RequestStatusRecord {
  const { request } = item;
  return {
    ...item,
    request: typeof request === 'string' ? JSON.parse(request) : request,
  } as RequestStatusRecord;
}

/**
 * Throttling, 5xx and network errors reach us after the SDK's own retries: let the caller's
 * queue (or client) try again. Anything else is a bug or a misconfiguration, rethrown as is.
 */
function unavailable(error: unknown): unknown {
  const aws = error as { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string };
  const status = aws.$metadata?.httpStatusCode;
  const name = error instanceof Error ? error.name : '';
  const network =
    name === 'TimeoutError' ||
    (typeof aws.code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)/.test(aws.code));
  const serviceSide =
    aws.$metadata !== undefined &&
    (aws.$fault === 'server' ||
      status === undefined ||
      status >= 500 ||
      /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name));
  if (network || serviceSide) {
    return new RetryableError(
      'The request status table is unavailable',
      'STATUS_STORE_UNAVAILABLE',
      {
        cause: error,
      },
    );
  }
  return error;
}
