/**
 * The webhook API: `POST /webhook` validates, records a `queued` status, enqueues one job and
 * answers 202 at once; `GET /webhook/{trackingId}` returns the status and, once answered, the
 * answer. Dependencies come in (status store, job queue, allowlist, clock, ids), so the Lambda,
 * the local stack and the tests run this same code.
 */

import { createHash, randomUUID } from 'node:crypto';
import { type Logger, NotFoundError, RevbotError, silentLogger } from '@revbot/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, jsonResponse } from '../shared/api-response';
import { BudgetExceededError, type DailyBudgets } from '../shared/budgets';
import type { DestinationAllowlist } from '../shared/outbound';
import type {
  RequestStatusRecord,
  RequestStatusStore,
  WebhookJob,
  WebhookJobQueue,
} from '../shared/webhook-requests';
import { apiKeyChecker } from './api-key';
import { headerValue, parseWebhookRequest } from './parse-webhook-request';

/** The Powertools logger's shape, narrowed to what the gateway uses. */
export interface WebhookGatewayDeps {
  store: RequestStatusStore;
  queue: WebhookJobQueue;
  /** Where callback_url may point (WEBHOOK_ALLOWED_URLS plus WEBHOOK_URL). */
  allowlist: DestinationAllowlist;
  /** Keys checked in code (`REVBOT_API_KEYS`, local stack); empty: API Gateway checks them. */
  apiKeys?: readonly string[];
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

  async function accept(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const request = parseWebhookRequest(event, deps.allowlist);
    // Refused here, before anything is queued: no model call for a spent budget.
    const admission = await deps.budgets?.admit([{ kind: 'webhookKey', id: apiKeyIdOf(event) }]);
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
      session_id: request.session_id ?? `webhook_${trackingId}`,
      queued_at: queuedAt.toISOString(),
      updated_at: queuedAt.toISOString(),
      processing_attempts: 0,
      expires_at: Math.floor(queuedAt.getTime() / 1000) + ttl,
    };
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

  async function status(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const trackingId = event.pathParameters?.trackingId ?? '';
    // Anything that is not one of our ids is unknown: no lookup for odd keys.
    const record = TRACKING_ID.test(trackingId) ? await deps.store.get(trackingId) : undefined;
    if (!record || record.expires_at * 1000 <= now().getTime()) {
      throw new NotFoundError(`No webhook request with tracking id ${clip(trackingId)}`);
    }
    return jsonResponse(200, statusView(record), { 'cache-control': 'no-store' });
  }

  return async function handleWebhookApi(event) {
    const referenceId = event.requestContext?.requestId;
    try {
      checkApiKey(headerValue(event.headers, 'x-api-key'));
      const route = `${event.httpMethod} ${event.resource}`;
      if (route === 'POST /webhook') return await accept(event);
      if (route === 'GET /webhook/{trackingId}') return await status(event);
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
          error: delivery.error ?? null,
        }
      : null,
    metadata: request.metadata ?? null,
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
function apiKeyIdOf(event: APIGatewayProxyEvent): string {
  const id = event.requestContext?.identity?.apiKeyId;
  if (id) return id;
  const key = headerValue(event.headers, 'x-api-key');
  return key
    ? `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
    : 'anonymous';
}

const clip = (value: string) => (value.length > 80 ? `${value.slice(0, 80)}…` : value);
