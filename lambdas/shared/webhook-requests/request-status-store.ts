/**
 * A webhook request's lifecycle, kept for `GET /webhook/{trackingId}`:
 *
 *   queued → processing → delivering → completed | delivery_failed
 *                       → completed (no webhook configured) | failed
 *                       ↘ awaiting_approval → (decision) queued → processing …
 *                                           ↘ failed (expired)
 *
 * The gateway creates the record (`queued`); the processor stores the answer and hands the
 * delivery to the delivery stage (`delivering`), which appends every attempt and finishes it. Every move is checked
 * against the current status (conditional writes in DynamoDB), so a redelivered SQS message
 * never rewinds a finished request. A `failed` request whose error was retryable may start again:
 * that is a message coming back from the dead-letter queue.
 */
import { RevbotError } from '@revbot/core';
import type { WebhookRequest } from './webhook-request';

export const REQUEST_STATUSES = [
  'queued',
  'processing',
  'delivering',
  'completed',
  'failed',
  'delivery_failed',
  'awaiting_approval',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'completed',
  'failed',
  'delivery_failed',
]);

/** The agents' answer, stored before delivery so a failed delivery never loses it. */
export interface StoredAnswer {
  /** Markdown, as the agents wrote it. */
  response: string;
  /** The same answer without Markdown syntax. */
  response_plain: string;
  session_id: string;
  /** When the agents finished (ISO 8601). */
  answered_at: string;
  /** Set when the stored copy was cut to fit the record; the delivery carried it whole. */
  truncated?: boolean;
  /** Where the traced conversation was exported, when it was. */
  conversation_location?: string;
}

export interface DeliveryOutcome {
  /**
   * `pending` (handed to the delivery stage), `retrying` (an attempt failed, another is
   * scheduled), `delivered`, `failed` (schedule used up or refused), `stopped` (the receiver
   * answered 410 Gone), or `not_configured` when neither callback_url nor WEBHOOK_URL is set.
   */
  status: 'pending' | 'retrying' | 'delivered' | 'failed' | 'stopped' | 'not_configured';
  /** What is delivered: the answer, or the `failed` event of a request the agents failed. */
  event?: 'answer' | 'failed';
  /** Origin only (paths and queries may carry tokens). */
  destination?: string;
  webhook_id?: string;
  attempts: number;
  http_status?: number;
  delivered_at?: string;
  /** When the next attempt is due, while `retrying`. */
  next_attempt_at?: string;
  error?: { code: string; message: string };
}

/** One attempt of the delivery stage, as appended to the record. */
export interface DeliveryAttempt {
  /** 1 for the first attempt of a delivery (or of a redelivery). */
  attempt: number;
  event: 'answer' | 'failed';
  /** When the attempt started (ISO 8601). */
  at: string;
  duration_ms: number;
  /** The receiver's HTTP status, when it answered. */
  http_status?: number;
  /** Why no 2xx came back (network error, refusal), when none did. */
  error?: string;
  /** Set on attempts of a `revbot webhook redeliver`. */
  redelivery_id?: string;
}

/** What the delivery stage writes after an attempt (see `RequestStatusStore.recordDelivery`). */
export interface DeliveryUpdate {
  attempt?: DeliveryAttempt;
  delivery: DeliveryOutcome;
  status?: 'completed' | 'delivery_failed';
}

export interface RequestError {
  code: string;
  message: string;
  /** True when trying again later may succeed (the message went to the dead-letter queue). */
  retryable: boolean;
}

/** The action a paused request waits on, and once decided, the decision. */
export interface ApprovalState {
  /** The runtime's returnControl `invocationId`. */
  invocation_id: string;
  action_group: string;
  function: string;
  agent_id?: string;
  parameters: { name: string; type: string; value: string }[];
  /** What will happen, for the caller to judge (destination, payload, fields). */
  action: { title: string; destination: string; fields: { name: string; value: string }[] };
  requested_at: string;
  /** After this (ISO 8601) the action can no longer be approved. */
  expires_at: string;
  decision?: 'approve' | 'reject';
  decided_by?: string;
  decided_at?: string;
}

/** A caller's decision on the pending action. */
export type ApprovalDecision = Required<
  Pick<ApprovalState, 'invocation_id' | 'decision' | 'decided_by' | 'decided_at'>
>;

export interface RequestStatusRecord {
  tracking_id: string;
  status: RequestStatus;
  request: WebhookRequest;
  /** Who asked: the name of the API key the request came with (`default` for a bare key). */
  caller?: string;
  /**
   * The agent session: the caller's session_id or `webhook_<tracking id>`, namespaced by the
   * caller (`<caller>:<id>`; the `default` caller's as sent).
   */
  session_id: string;
  queued_at: string;
  updated_at: string;
  started_at?: string;
  /** When it reached completed, failed or delivery_failed. */
  finished_at?: string;
  processing_attempts: number;
  result?: StoredAnswer;
  error?: RequestError;
  delivery?: DeliveryOutcome;
  /** Set while (and after) an action waited for the caller's approval. */
  approval?: ApprovalState;
  /** SHA-256 (hex) of the API key that created the request: only it may decide an approval. */
  api_key_digest?: string;
  /** Every delivery attempt, oldest first. */
  delivery_attempts?: DeliveryAttempt[];
  /** Epoch seconds; DynamoDB's TTL removes the record some time after. */
  expires_at: number;
}

export class InvalidStatusTransitionError extends RevbotError {
  constructor(
    readonly trackingId: string,
    /** Undefined when there is no record. */
    readonly from: RequestStatus | undefined,
    readonly to: RequestStatus | 'result' | 'decision',
  ) {
    super(
      from === undefined
        ? `Webhook request ${trackingId} does not exist`
        : `Webhook request ${trackingId} cannot move from ${from} to ${to}`,
      { code: 'INVALID_STATUS_TRANSITION', statusCode: 409, details: { from: from ?? null, to } },
    );
  }
}

export interface RequestStatusStore {
  /** Stores a new `queued` record; rejects when the tracking id exists. */
  create(record: RequestStatusRecord): Promise<void>;
  get(trackingId: string): Promise<RequestStatusRecord | undefined>;
  /** queued | processing | failed (retryable) → processing; counts the attempt. */
  startProcessing(trackingId: string, at: Date): Promise<RequestStatusRecord>;
  /** Stores the answer while processing, before any delivery is tried. */
  saveResult(trackingId: string, result: StoredAnswer, at: Date): Promise<void>;
  /** processing with a result → delivering: the delivery stage has the job. */
  startDelivery(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void>;
  /**
   * Appends an attempt (when given) and sets the delivery's state; with `status`, moves the
   * request on (a delivering or finished request with a result → completed | delivery_failed).
   */
  recordDelivery(trackingId: string, update: DeliveryUpdate, at: Date): Promise<void>;
  /** processing with a result → completed. */
  complete(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void>;
  /** processing with a result → delivery_failed: the answer stays retrievable. */
  failDelivery(trackingId: string, delivery: DeliveryOutcome, at: Date): Promise<void>;
  /** queued | processing | awaiting_approval → failed. */
  fail(trackingId: string, error: RequestError, at: Date): Promise<void>;
  /** processing → awaiting_approval, with the pending action. */
  awaitApproval(trackingId: string, approval: ApprovalState, at: Date): Promise<void>;
  /**
   * awaiting_approval on this invocation, undecided → queued with the decision: one conditional
   * write, so a second decision (a double click, a retried call) is refused.
   */
  decide(trackingId: string, decision: ApprovalDecision, at: Date): Promise<RequestStatusRecord>;
}

/**
 * The rules both stores apply: may `record` move to `to`? (`result` is saving the answer, which
 * keeps the status.) The DynamoDB store states the same rules as condition expressions.
 */
export function canTransition(
  record: Pick<RequestStatusRecord, 'status' | 'error' | 'result' | 'approval'> | undefined,
  to: RequestStatus | 'result' | 'decision',
): boolean {
  if (!record) return false;
  const from = record.status;
  switch (to) {
    case 'processing':
      return (
        from === 'queued' ||
        from === 'processing' ||
        (from === 'failed' && record.error?.retryable === true)
      );
    case 'result':
      return from === 'processing';
    case 'delivering':
      return from === 'processing' && record.result !== undefined;
    case 'completed':
    case 'delivery_failed':
      return from === 'processing' && record.result !== undefined;
    case 'failed':
      return from === 'queued' || from === 'processing' || from === 'awaiting_approval';
    case 'awaiting_approval':
      return from === 'processing';
    case 'decision':
      return from === 'awaiting_approval';
    case 'queued':
      return false;
  }
}

/** Statuses the delivery stage may finish: the first delivery, or a redelivery of an answer. */
export const DELIVERY_FINISHABLE: ReadonlySet<RequestStatus> = new Set([
  'processing',
  'delivering',
  'completed',
  'delivery_failed',
]);
