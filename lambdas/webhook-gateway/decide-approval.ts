/**
 * `POST /webhook/{trackingId}/approval` with `{"decision": "approve" | "reject"}`: the caller's
 * answer to an action its request paused on. Only the API key that created the request may
 * decide; any other key gets the same 404 as an unknown id, so nothing about the request leaks.
 * The decision is one conditional write (a repeated or concurrent call is refused with 409), then
 * a job resumes the run. A decision after the approval window fails the request as expired.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { NotFoundError, RevbotError, ValidationError } from '@revbot/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { jsonResponse } from '../shared/api-response';
import {
  InvalidStatusTransitionError,
  type RequestStatusRecord,
  type RequestStatusStore,
  type WebhookJob,
  type WebhookJobQueue,
} from '../shared/webhook-requests';
import { headerValue } from './parse-webhook-request';

const decisionSchema = z.strictObject({ decision: z.enum(['approve', 'reject']) });

/** SHA-256 hex of an API key: what a request record keeps instead of the key. */
export const apiKeyDigest = (key: string): string =>
  createHash('sha256').update(key, 'utf8').digest('hex');

/** True when `presented` is the key whose digest the record holds (constant time). */
function sameKey(record: RequestStatusRecord, presented: string | undefined): boolean {
  // A request made without any key (a local stack with no keys configured) is open to all.
  if (!record.api_key_digest) return true;
  if (!presented) return false;
  const a = Buffer.from(record.api_key_digest, 'hex');
  const b = Buffer.from(apiKeyDigest(presented), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface DecideApprovalDeps {
  store: RequestStatusStore;
  queue: WebhookJobQueue;
  now: () => Date;
}

export async function decideApproval(
  event: APIGatewayProxyEvent,
  record: RequestStatusRecord | undefined,
  deps: DecideApprovalDeps,
): Promise<APIGatewayProxyResult> {
  const trackingId = event.pathParameters?.trackingId ?? '';
  const presented = headerValue(event.headers, 'x-api-key');
  if (!record || !sameKey(record, presented)) {
    throw new NotFoundError('No webhook request with this tracking id');
  }
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? '');
  } catch {
    throw new ValidationError('The request body is not valid JSON', undefined, 'INVALID_JSON');
  }
  const parsed = decisionSchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError(
      'Invalid request: decision must be "approve" or "reject"',
      [{ field: 'decision', message: 'must be "approve" or "reject"' }],
      'VALIDATION_ERROR',
    );
  }
  const approval = record.approval;
  if (record.status !== 'awaiting_approval' || !approval || approval.decision) {
    throw new RevbotError(`Webhook request ${trackingId} is not waiting for an approval`, {
      code: 'NOT_AWAITING_APPROVAL',
      statusCode: 409,
      details: { status: record.status, decision: approval?.decision ?? null },
    });
  }
  const at = deps.now();
  if (Date.parse(approval.expires_at) <= at.getTime()) {
    await expire(record, deps.store, at);
    throw new RevbotError(
      `The approval of ${approval.action_group}.${approval.function} expired at ${approval.expires_at}; nothing was done`,
      { code: 'APPROVAL_EXPIRED', statusCode: 410 },
    );
  }
  const decision = {
    invocation_id: approval.invocation_id,
    decision: parsed.data.decision,
    decided_by: `api-key:${(record.api_key_digest ?? 'none').slice(0, 12)}`,
    decided_at: at.toISOString(),
  };
  let decided: RequestStatusRecord;
  try {
    decided = await deps.store.decide(record.tracking_id, decision, at);
  } catch (error) {
    if (!(error instanceof InvalidStatusTransitionError)) throw error;
    throw new RevbotError(`Webhook request ${trackingId} was already decided`, {
      code: 'ALREADY_DECIDED',
      statusCode: 409,
    });
  }
  const job: WebhookJob = {
    version: 1,
    tracking_id: decided.tracking_id,
    session_id: decided.session_id,
    queued_at: at.toISOString(),
    request: decided.request,
    ...(decided.caller ? { caller: decided.caller } : {}),
    resume: {
      invocation_id: approval.invocation_id,
      action_group: approval.action_group,
      function: approval.function,
      ...(approval.agent_id ? { agent_id: approval.agent_id } : {}),
      decision: decision.decision,
      decided_by: decision.decided_by,
      decided_at: decision.decided_at,
      parameters: approval.parameters,
    },
  };
  await deps.queue.enqueue(job);
  return jsonResponse(202, {
    success: true,
    tracking_id: decided.tracking_id,
    status: 'queued',
    decision: decision.decision,
    decided_at: decision.decided_at,
  });
}

/** An approval past its window: the request fails as expired (once; a race is harmless). */
export async function expire(
  record: RequestStatusRecord,
  store: RequestStatusStore,
  at: Date,
): Promise<void> {
  await store
    .fail(
      record.tracking_id,
      {
        code: 'APPROVAL_EXPIRED',
        message: `Nobody approved ${record.approval?.action_group}.${record.approval?.function} before ${record.approval?.expires_at}; it was not done`,
        retryable: false,
      },
      at,
    )
    .catch((error) => {
      if (!(error instanceof InvalidStatusTransitionError)) throw error;
    });
}
