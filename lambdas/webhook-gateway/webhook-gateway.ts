/**
 * The webhook API: `POST /webhook` validates, records a `queued` status, enqueues one job and
 * answers 202 at once; `GET /webhook/{trackingId}` returns the status and, once answered, the
 * answer. Dependencies come in (status store, job queue, allowlist, clock, ids), so the Lambda,
 * the local stack and the tests run this same code.
 */

import { randomUUID } from 'node:crypto';
import { type Logger, NotFoundError, RevbotError, silentLogger } from '@revbot/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, jsonResponse } from '../shared/api-response';
import { BudgetExceededError, type DailyBudgets } from '../shared/budgets';
import type { DestinationAllowlist } from '../shared/outbound';
import {
  type RequestStatusRecord,
  type RequestStatusStore,
  type WebhookJob,
  type WebhookJobQueue,
  webhookSessionId,
} from '../shared/webhook-requests';
import { type ApiKey, apiKeyChecker, gatewayCaller } from './api-key';
import { apiKeyDigest, decideApproval, expire } from './decide-approval';
import { headerValue, parseWebhookRequest } from './parse-webhook-request';

/** The Powertools logger's shape, narrowed to what the gateway uses. */
export interface WebhookGatewayDeps {
  store: RequestStatusStore;
  queue: WebhookJobQueue;
  /** Where callback_url may point (WEBHOOK_ALLOWED_URLS plus WEBHOOK_URL). */
  allowlist: DestinationAllowlist;
  /**
   * Keys checked in code (`REVBOT_API_KEYS`, local stack), each with its caller's name (a bare
   * string is `default`); empty: API Gateway checks them and the caller is the key's id.
   */
  apiKeys?: readonly (string | ApiKey)[];
  /** How long a status record is kept (default 7 days). */
  statusTtlSeconds?: number;
  /** The hint returned with each 202. */
  estimatedProcessingTime?: string;
  now?: () => Date;
  newTrackingId?: () => string;
  logger?: Logger;
  /** Daily budgets per API key (`BUDGETS`); none: no limit. */
  budgets?: DailyBudgets;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export const DEFAULT_STATUS_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_ESTIMATED_PROCESSING_TIME = '30-90 seconds';
const TRACKING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createWebhookGatewayHandler(deps: WebhookGatewayDeps): ProxyHandler {
  const now = deps.now ?? (() => new Date());
  const newTrackingId = deps.newTrackingId ?? randomUUID;
  const ttl = deps.statusTtlSeconds ?? DEFAULT_STATUS_TTL_SECONDS;
  const estimate = deps.estimatedProcessingTime ?? DEFAULT_ESTIMATED_PROCESSING_TIME;
  const logger = deps.logger ?? silentLogger;
  const checkApiKey = apiKeyChecker(deps.apiKeys ?? []);
  const checksKeys = (deps.apiKeys ?? []).length > 0;
  /** The caller's name: the key checked here, or the one API Gateway checked. */
  const callerOf = (event: APIGatewayProxyEvent): string => {
    const named = checkApiKey(headerValue(event.headers, 'x-api-key'));
    return checksKeys ? named : gatewayCaller(event);
  };

  async function accept(
    event: APIGatewayProxyEvent,
    caller: string,
  ): Promise<APIGatewayProxyResult> {
    const request = parseWebhookRequest(event, deps.allowlist);
    // Refused here, before anything is queued: no model call for a spent budget.
    const admission = await deps.budgets?.admit([{ kind: 'webhookKey', id: caller }]);
    if (admission && !admission.admitted) throw new BudgetExceededError(admission.refusal);
    const holds = admission?.holds ?? [];
    // A request that is not queued uses nothing: its reservation is given back.
    const giveBack = async () => {
      if (holds.length > 0)
        await deps.budgets?.settle(holds, { tokens: 0, costUsd: 0 }).catch(() => undefined);
    };
    const trackingId = newTrackingId();
    const queuedAt = now();
    const record: RequestStatusRecord = {
      tracking_id: trackingId,
      status: 'queued',
      request,
      caller,
      // Namespaced by the caller; another channel's or caller's session is refused (400).
      session_id: webhookSessionId(request.session_id ?? `webhook_${trackingId}`, caller),
      queued_at: queuedAt.toISOString(),
      updated_at: queuedAt.toISOString(),
      processing_attempts: 0,
      expires_at: Math.floor(queuedAt.getTime() / 1000) + ttl,
    };
    // Only the key that asked may later approve an action of this request.
    const key = headerValue(event.headers, 'x-api-key');
    if (key) record.api_key_digest = apiKeyDigest(key);
    // The record first: the processor may pick the job up before this function returns.
    await deps.store.create(record).catch(async (error: unknown) => {
      await giveBack();
      throw error;
    });
    const job: WebhookJob = {
      version: 1,
      tracking_id: trackingId,
      session_id: record.session_id,
      queued_at: record.queued_at,
      request,
      caller,
      ...(holds.length > 0 ? { budget_holds: holds } : {}),
    };
    try {
      await deps.queue.enqueue(job);
    } catch (error) {
      await deps.store
        .fail(
          trackingId,
          {
            code: 'QUEUE_UNAVAILABLE',
            message: 'The request could not be queued',
            retryable: false,
          },
          now(),
        )
        .catch(() => undefined);
      await giveBack();
      throw error;
    }
    logger.info('webhook request queued', {
      tracking_id: trackingId,
      caller,
      source_system: request.source_system,
      has_callback_url: request.callback_url !== undefined,
    });
    const statusUrl = statusUrlFor(event, trackingId);
    return jsonResponse(
      202,
      {
        success: true,
        tracking_id: trackingId,
        message: 'Request accepted; the answer will be delivered to your webhook when ready',
        queued_at: record.queued_at,
        status: 'queued',
        status_url: statusUrl,
        estimated_processing_time: estimate,
      },
      { location: statusUrl },
    );
  }

  async function find(
    event: APIGatewayProxyEvent,
    caller: string,
  ): Promise<RequestStatusRecord | undefined> {
    const trackingId = event.pathParameters?.trackingId ?? '';
    // Anything that is not one of our ids is unknown: no lookup for odd keys.
    const record = TRACKING_ID.test(trackingId) ? await deps.store.get(trackingId) : undefined;
    // Another caller's request is as unknown as a missing one.
    const foreign = record?.caller !== undefined && record.caller !== caller;
    return record && !foreign && record.expires_at * 1000 > now().getTime() ? record : undefined;
  }

  async function status(
    event: APIGatewayProxyEvent,
    caller: string,
  ): Promise<APIGatewayProxyResult> {
    let record = await find(event, caller);
    if (!record) {
      throw new NotFoundError(
        `No webhook request with tracking id ${clip(event.pathParameters?.trackingId ?? '')}`,
      );
    }
    // An approval nobody gave in time expires when next looked at, and says so.
    const approval = record.approval;
    if (
      record.status === 'awaiting_approval' &&
      approval &&
      Date.parse(approval.expires_at) <= now().getTime()
    ) {
      await expire(record, deps.store, now());
      record = (await deps.store.get(record.tracking_id)) ?? record;
    }
    return jsonResponse(200, statusView(record), { 'cache-control': 'no-store' });
  }

  return async function handleWebhookApi(event) {
    const referenceId = event.requestContext?.requestId;
    try {
      const caller = callerOf(event);
      const route = `${event.httpMethod} ${event.resource}`;
      if (route === 'POST /webhook') return await accept(event, caller);
      if (route === 'GET /webhook/{trackingId}') return await status(event, caller);
      if (route === 'POST /webhook/{trackingId}/approval') {
        return await decideApproval(event, await find(event, caller), { ...deps, now });
      }
      throw new NotFoundError(`No route for ${event.httpMethod} ${clip(event.path ?? '')}`);
    } catch (error) {
      if (!(error instanceof RevbotError) || error.statusCode >= 500) {
        logger.error('webhook API request failed', {
          reference_id: referenceId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
      const response = errorResponse(error, referenceId);
      if (response.statusCode === 503)
        response.headers = { ...response.headers, 'retry-after': '5' };
      if (error instanceof BudgetExceededError)
        response.headers = { ...response.headers, 'retry-after': String(error.retryAfterSeconds) };
      return response;
    }
  };
}

/** What `GET /webhook/{trackingId}` shows: stable keys, null until known. */
export function statusView(record: RequestStatusRecord) {
  const { request, result, delivery, error } = record;
  return {
    success: true,
    tracking_id: record.tracking_id,
    status: record.status,
    source_system: request.source_system,
    source_process: request.source_process ?? null,
    original_query: request.query,
    session_id: record.session_id,
    queued_at: record.queued_at,
    started_at: record.started_at ?? null,
    finished_at: record.finished_at ?? null,
    updated_at: record.updated_at,
    response: result?.response ?? null,
    response_plain: result?.response_plain ?? null,
    answered_at: result?.answered_at ?? null,
    response_truncated: result?.truncated ?? false,
    error: error ? { code: error.code, message: error.message } : null,
    delivery: delivery
      ? {
          status: delivery.status,
          destination: delivery.destination ?? null,
          attempts: delivery.attempts,
          http_status: delivery.http_status ?? null,
          delivered_at: delivery.delivered_at ?? null,
          event: delivery.event ?? 'answer',
          next_attempt_at: delivery.next_attempt_at ?? null,
          error: delivery.error ?? null,
          /** Every attempt, oldest first: when, what came back, how long it took. */
          history: (record.delivery_attempts ?? []).map((attempt) => ({
            attempt: attempt.attempt,
            event: attempt.event,
            at: attempt.at,
            http_status: attempt.http_status ?? null,
            error: attempt.error ?? null,
            duration_ms: attempt.duration_ms,
            redelivery_id: attempt.redelivery_id ?? null,
          })),
        }
      : null,
    metadata: request.metadata ?? null,
    // Present only once an action waited for approval, so earlier readers see the same keys.
    ...(record.approval
      ? {
          approval: {
            action: record.approval.action,
            action_group: record.approval.action_group,
            function: record.approval.function,
            requested_at: record.approval.requested_at,
            expires_at: record.approval.expires_at,
            decision: record.approval.decision ?? null,
            decided_at: record.approval.decided_at ?? null,
          },
        }
      : {}),
  };
}

/**
 * Absolute status URL as the caller reached the API: API Gateway's domain and stage path in AWS,
 * the Host header locally; relative when neither is known.
 */
function statusUrlFor(event: APIGatewayProxyEvent, trackingId: string): string {
  const suffix = `/${encodeURIComponent(trackingId)}`;
  const context = event.requestContext;
  if (context?.domainName && context.path) {
    return `https://${context.domainName}${context.path.replace(/\/$/, '')}${suffix}`;
  }
  const host = headerValue(event.headers, 'host');
  const path = (event.path || '/webhook').replace(/\/$/, '');
  if (host && /^[\w.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(host)) {
    const proto = headerValue(event.headers, 'x-forwarded-proto') === 'https' ? 'https' : 'http';
    return `${proto}://${host}${path}${suffix}`;
  }
  return `${path}${suffix}`;
}

/**
 * The API key a budget is kept for: API Gateway's key id in AWS; locally a digest of the key
 * itself (never the key); `anonymous` when no key is required.
 */
const clip = (value: string) => (value.length > 80 ? `${value.slice(0, 80)}…` : value);
