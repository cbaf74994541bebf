/**
 * The body RevBot POSTs to a receiver, in the documented shape: the request's identity, the
 * question, the answer (Markdown and plain) and when and where it was delivered. The caller's
 * `metadata`, when given, is echoed back.
 */
import type { StoredAnswer, WebhookJob } from '../shared/webhook-requests';

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
  job: WebhookJob,
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
