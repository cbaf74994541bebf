/**
 * The webhook_executor action group: `send_notification` posts a notification to the configured
 * notification webhook, `trigger_webhook` posts a JSON payload to an allowlisted URL. Both go
 * through the shared outbound module (SSRF guard, Standard Webhooks signature, bounded retries),
 * the same path the webhook channel delivers answers on, and report what was sent and what the
 * receiver answered.
 *
 * The schema the model sees is `agents/src/tools/webhook-executor.ts`; its Lambda entry
 * point is `handler.ts` beside this file and its tests are in `lambdas/tests/tools/webhook-executor/`.
 */

import {
  type ActionGroupTool,
  createActionGroupTool,
  defineToolFunction,
  ToolInputError,
  type ToolInvocation,
  toolParam,
} from '@revbot/agents/action-group';
import type { Logger } from '@revbot/core';
import { z } from 'zod';
import {
  type Clock,
  type DestinationAllowlist,
  deliverSignedWebhook,
  describeDestination,
  type Resolver,
  type RetryPolicy,
  type SignerSource,
  WebhookDeliveryError,
} from '../../shared/outbound';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_PAYLOAD_BYTES = 64 * 1024;

export const sendNotificationParameters = z.object({
  message: toolParam.text({ maxLength: 4_000 }),
  severity: toolParam.oneOf(SEVERITIES).default('info'),
  recipient: toolParam.text({ maxLength: 200 }).optional(),
});

export const triggerWebhookParameters = z.object({
  url: toolParam.text({ maxLength: 2_000 }),
  payload: toolParam.jsonObject(),
  event_type: toolParam.text({ maxLength: 64 }).default('revbot.event'),
});

/** Bounded to stay inside the tool Lambda's 30 s timeout, retries included. */
export const TOOL_RETRY_POLICY: Partial<RetryPolicy> = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 5_000,
  maxTotalMs: 20_000,
  timeoutMs: 8_000,
};

export interface WebhookExecutorToolDeps {
  allowlist: DestinationAllowlist;
  /** Where send_notification posts; it must pass the allowlist like any other URL. */
  notificationUrl?: string;
  signer: SignerSource;
  retry?: Partial<RetryPolicy>;
  resolve?: Resolver;
  clock?: Clock;
  /** Extra trusted CA certificates (PEM), for private receivers. */
  ca?: string | string[];
  now?: () => Date;
  logger?: Logger;
}

export function createWebhookExecutorTool(deps: WebhookExecutorToolDeps): ActionGroupTool {
  const now = deps.now ?? (() => new Date());

  /** Signs and delivers; a receiver's refusal or silence is reported, not thrown. */
  async function deliver(url: string, payload: Record<string, unknown>) {
    const body = JSON.stringify(payload);
    if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) {
      throw new ToolInputError(
        `The payload is ${Buffer.byteLength(body)} bytes; at most ${MAX_PAYLOAD_BYTES} can be sent.`,
      );
    }
    const signer = await deps.signer();
    const attempts: { attempt: number; status?: number; error?: string }[] = [];
    try {
      const receipt = await deliverSignedWebhook(
        { url, payload },
        {
          allowlist: deps.allowlist,
          signingSecret: signer,
          retry: { ...TOOL_RETRY_POLICY, ...deps.retry },
          resolve: deps.resolve,
          clock: deps.clock,
          ca: deps.ca,
          onAttempt: (report) =>
            attempts.push({ attempt: report.attempt, status: report.status, error: report.error }),
        },
      );
      return {
        delivered: true,
        destination: receipt.destination,
        webhook_id: receipt.webhookId,
        receiver_status: receipt.status,
        attempts: receipt.attempts,
        sent: payload,
      };
    } catch (error) {
      if (!(error instanceof WebhookDeliveryError)) throw error;
      deps.logger?.warn('webhook delivery failed', {
        destination: describeDestination(url),
        code: error.code,
        attempts: error.attempts,
      });
      return {
        delivered: false,
        destination: describeDestination(url),
        receiver_status: error.lastStatus ?? null,
        attempts: error.attempts,
        error: error.message,
        ...(error.retryable
          ? {
              note: 'The receiver did not accept the delivery in time; it may be down. Tell the user it was not delivered.',
            }
          : {}),
        sent: payload,
      };
    }
  }

  /** Who sent it, kept apart from `data` so a payload cannot impersonate RevBot's fields. */
  const source = (invocation: ToolInvocation) => ({
    system: 'revbot',
    session_id: invocation.sessionId,
    agent: invocation.agent.name,
  });

  return createActionGroupTool({
    markUntrusted: true,
    name: 'webhook_executor',
    logger: deps.logger,
    functions: [
      defineToolFunction({
        name: 'send_notification',
        parameters: sendNotificationParameters,
        async run({ message, severity, recipient }, invocation) {
          if (!deps.notificationUrl) {
            throw new ToolInputError(
              'No notification channel is configured for RevBot (NOTIFICATION_WEBHOOK_URL), so nothing was sent. Tell the user the notification could not be delivered.',
            );
          }
          return deliver(deps.notificationUrl, {
            type: 'revbot.notification',
            timestamp: now().toISOString(),
            data: { message, severity, ...(recipient ? { recipient } : {}) },
            source: source(invocation),
          });
        },
      }),
      defineToolFunction({
        name: 'trigger_webhook',
        parameters: triggerWebhookParameters,
        async run({ url, payload, event_type }, invocation) {
          if (!EVENT_TYPE.test(event_type)) {
            throw new ToolInputError(
              `event_type must be letters, digits, dots, dashes or underscores (at most 64), got ${JSON.stringify(event_type)}.`,
            );
          }
          return deliver(url, {
            type: event_type,
            timestamp: now().toISOString(),
            data: payload,
            source: source(invocation),
          });
        },
      }),
    ],
  });
}
