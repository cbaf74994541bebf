/**
 * The bodies RevBot POSTs to a receiver, in the documented shape: the request's identity, the
 * question, the answer (Markdown and plain) and when and where it was delivered; or, for a
 * request the agents could not answer, the `request.failed` event with the error. The caller's
 * `metadata`, when given, is echoed back. Built by the delivery stage at each attempt.
 */
import type { RequestError, StoredAnswer } from './request-status-store';
import type { WebhookJob } from './webhook-job';

type RequestIdentity = Pick<WebhookJob, 'tracking_id' | 'request'>;

export interface WebhookPayload {
  tracking_id: string;
  source_system: string;
  source_process: string | null;
  original_query: string;
  ai_response: {
    response: string;
    response_plain: string;
    session_id: string;
    timestamp: string;
  };
  webhook_metadata: {
    delivered_at: string;
    webhook_url: string;
  };
  metadata?: Record<string, unknown>;
}

export function buildWebhookPayload(
  job: RequestIdentity,
  answer: Pick<StoredAnswer, 'response' | 'response_plain' | 'session_id' | 'answered_at'>,
  delivery: { url: string; at: Date },
): WebhookPayload {
  const payload: WebhookPayload = {
    tracking_id: job.tracking_id,
    source_system: job.request.source_system,
    source_process: job.request.source_process ?? null,
    original_query: job.request.query,
    ai_response: {
      response: answer.response,
      response_plain: answer.response_plain,
      session_id: answer.session_id,
      timestamp: answer.answered_at,
    },
    webhook_metadata: {
      delivered_at: delivery.at.toISOString(),
      webhook_url: delivery.url,
    },
  };
  if (job.request.metadata) payload.metadata = job.request.metadata;
  return payload;
}

/** The `failed` event: the request's identity and why the agents gave no answer. */
export interface FailedEventPayload {
  event: 'request.failed';
  tracking_id: string;
  source_system: string;
  source_process: string | null;
  original_query: string;
  error: { code: string; message: string };
  webhook_metadata: { delivered_at: string; webhook_url: string };
  metadata?: Record<string, unknown>;
}

export function buildFailedEventPayload(
  job: RequestIdentity,
  error: Pick<RequestError, 'code' | 'message'>,
  delivery: { url: string; at: Date },
): FailedEventPayload {
  const payload: FailedEventPayload = {
    event: 'request.failed',
    tracking_id: job.tracking_id,
    source_system: job.request.source_system,
    source_process: job.request.source_process ?? null,
    original_query: job.request.query,
    error: { code: error.code, message: error.message },
    webhook_metadata: { delivered_at: delivery.at.toISOString(), webhook_url: delivery.url },
  };
  if (job.request.metadata) payload.metadata = job.request.metadata;
  return payload;
}
