/**
 * The webhook channel's side of approvals: when the agents pause before an action, the request
 * waits as `awaiting_approval` with the action described (destination, payload, fields) for
 * `GET /webhook/{id}`, and the callback is told with a signed `revbot.approval_requested` event;
 * when the caller's decision resumes it, the callback hears `revbot.approval_decided` first.
 * Telling the callback is best effort: the status record is the source of truth.
 */

import type { ReturnControlPayload } from '@aws-sdk/client-bedrock-agent-runtime';
import { type ConfirmationDecision, confirmationRequestOf, describeAction } from '@revbot/agents';
import type { Logger } from '@revbot/core';
import type { ApprovalState, WebhookJob } from '../shared/webhook-requests';
import type { WebhookProcessorDeps } from './answer-webhook-job';

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86_400;

/** The runtime's resume input for a job that carries the caller's decision. */
export function confirmationOf(job: WebhookJob): ConfirmationDecision | undefined {
  const resume = job.resume;
  if (!resume) return undefined;
  return {
    invocationId: resume.invocation_id,
    actionGroup: resume.action_group,
    function: resume.function,
    ...(resume.agent_id ? { agentId: resume.agent_id } : {}),
    confirmationState: resume.decision === 'approve' ? 'CONFIRM' : 'DENY',
    decidedBy: resume.decided_by,
    decidedAt: resume.decided_at,
    ...(resume.parameters ? { parameters: resume.parameters } : {}),
  };
}

/** Records the pause (processing → awaiting_approval) and tells the callback. */
export async function awaitApproval(
  job: WebhookJob,
  pause: ReturnControlPayload,
  deps: WebhookProcessorDeps,
  logger: Logger,
): Promise<void> {
  const input = confirmationRequestOf(pause);
  const now = (deps.now ?? (() => new Date()))();
  const { parameters } = input;
  const timeout = deps.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
  const approval: ApprovalState = {
    invocation_id: input.invocationId,
    action_group: input.actionGroup,
    function: input.function,
    ...(input.agentId ? { agent_id: input.agentId } : {}),
    parameters,
    action: describeAction({
      actionGroup: input.actionGroup,
      function: input.function,
      parameters,
    }),
    requested_at: now.toISOString(),
    expires_at: new Date(now.getTime() + timeout * 1000).toISOString(),
  };
  await deps.store.awaitApproval(job.tracking_id, approval, now);
  logger.info('webhook request awaits approval', {
    tracking_id: job.tracking_id,
    action: `${approval.action_group}.${approval.function}`,
  });
  await tellCallback(job, deps, logger, approval.invocation_id, {
    type: 'revbot.approval_requested',
    tracking_id: job.tracking_id,
    session_id: job.session_id,
    approval: {
      action: approval.action,
      action_group: approval.action_group,
      function: approval.function,
      requested_at: approval.requested_at,
      expires_at: approval.expires_at,
    },
    decide: {
      method: 'POST',
      path: `/webhook/${job.tracking_id}/approval`,
      body: { decision: 'approve | reject' },
    },
  });
}

/** Tells the callback the caller's decision, before the run resumes. */
export async function announceDecision(
  job: WebhookJob,
  deps: WebhookProcessorDeps,
  logger: Logger,
): Promise<void> {
  const resume = job.resume;
  if (!resume) return;
  await tellCallback(job, deps, logger, resume.invocation_id, {
    type: 'revbot.approval_decided',
    tracking_id: job.tracking_id,
    session_id: job.session_id,
    action_group: resume.action_group,
    function: resume.function,
    decision: resume.decision,
    decided_at: resume.decided_at,
  });
}

/** Hands the notice to the delivery stage: signed, retried by its schedule, never blocking. */
async function tellCallback(
  job: WebhookJob,
  deps: WebhookProcessorDeps,
  logger: Logger,
  /** The paused action's invocation: each notice has its own message id. */
  invocationId: string,
  payload: Record<string, unknown> & { type: string },
): Promise<void> {
  if (!job.request.callback_url && !deps.defaultWebhookUrl) return;
  try {
    await deps.deliveries.enqueue({
      version: 1,
      tracking_id: job.tracking_id,
      kind: 'notice',
      attempt: 1,
      notice: { id: invocationId, type: payload.type, payload },
    });
  } catch (error) {
    logger.warn('approval event not queued; the status shows it', {
      tracking_id: job.tracking_id,
      type: payload.type,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
