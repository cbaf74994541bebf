/**
 * The Slack side of an approval: when the agents pause before an action, the placeholder says
 * so and an approval request (the action, its exact destination, its payload or fields, Approve
 * and Reject) goes into the thread; when a decision comes back from the handler, the request
 * shows the outcome (who, when) and the run resumes in the thread with a new placeholder. An
 * expired request says so and resumes nothing.
 */
import type { ReturnControlPayload } from '@aws-sdk/client-bedrock-agent-runtime';
import { type ConfirmationDecision, confirmationRequestOf, describeAction } from '@revbot/agents';
import type { WebClient } from '@slack/web-api';
import { approvalBlocks, decidedBlocks } from '../shared/slack/approval-buttons';
import {
  QUEUE_MESSAGE_VERSION,
  type SlackApprovalMessage,
  type SlackQuestionMessage,
} from '../shared/slack/slack-queue-message';
import { slackCall } from '../shared/slack/slack-web-client';
import type { AnswerTarget } from './slack-answer';
import { replacePlaceholder } from './slack-answer';

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 86_400;
export const WAITING_TEXT =
  ':raised_hand: Before I act, someone has to approve it: see the request below.';
export const RESUMING_TEXT = 'Carrying on… :hourglass_flowing_sand:';

/** Posts the approval request for a paused run; returns how many messages it took. */
export async function requestApproval(
  slack: WebClient,
  target: AnswerTarget,
  pause: ReturnControlPayload,
  question: Pick<SlackQuestionMessage, 'user' | 'thread_ts' | 'conversation_id'>,
  options: { now: number; timeoutSeconds?: number },
): Promise<number> {
  const input = confirmationRequestOf(pause);
  const view = describeAction(input);
  const timeout = options.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
  const blocks = approvalBlocks(view, {
    i: input.invocationId,
    g: input.actionGroup,
    f: input.function,
    ...(input.agentId ? { a: input.agentId } : {}),
    r: question.user,
    t: question.thread_ts,
    e: Math.floor(options.now / 1000) + timeout,
    c: question.conversation_id,
  });
  await replacePlaceholder(slack, target, { text: WAITING_TEXT });
  await slackCall(
    'chat.postMessage',
    slack.chat.postMessage({
      channel: target.channel,
      thread_ts: target.threadTs,
      text: `Approval needed: ${view.title} → ${view.destination}`,
      // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON built above.
      blocks: blocks as any,
    }),
  );
  return 2;
}

/** What the request shows once decided. */
export function outcomeText(message: SlackApprovalMessage): string {
  switch (message.decision) {
    case 'approve':
      return `:white_check_mark: Approved by <@${message.user}> at ${message.decided_at}.`;
    case 'reject':
      return `:x: Rejected by <@${message.user}> at ${message.decided_at}. Nothing was done.`;
    case 'expired':
      return `:hourglass: This approval expired at ${message.expires_at}; nothing was done. Ask again if it is still needed.`;
  }
}

/**
 * Shows the outcome on the request; for a decision (not an expiry) posts a new placeholder and
 * returns the question and confirmation to resume the run with.
 */
export async function applyDecision(
  slack: WebClient,
  message: SlackApprovalMessage,
): Promise<{ question: SlackQuestionMessage; confirmation: ConfirmationDecision } | undefined> {
  const text = outcomeText(message);
  await slackCall(
    'chat.update',
    slack.chat.update({
      channel: message.channel,
      ts: message.message_ts,
      text,
      // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON from the request itself.
      blocks: decidedBlocks(message.message_blocks, text) as any,
    }),
  );
  if (message.decision === 'expired') return undefined;
  const placeholder = await slackCall(
    'chat.postMessage',
    slack.chat.postMessage({
      channel: message.channel,
      thread_ts: message.thread_ts,
      text: RESUMING_TEXT,
    }),
  );
  return {
    question: {
      kind: 'question',
      version: QUEUE_MESSAGE_VERSION,
      conversation_id: `${message.conversation_id}.${message.invocation_id.slice(0, 8)}`,
      event_id: `approval#${message.invocation_id}`,
      team: message.team,
      channel: message.channel,
      thread_ts: message.thread_ts,
      message_ts: message.message_ts,
      user: message.requester,
      question: `(${message.decision === 'approve' ? 'approved' : 'rejected'}: ${message.action_group}.${message.function})`,
      placeholder_ts: String(placeholder.ts),
      received_at: message.decided_at,
    },
    confirmation: {
      invocationId: message.invocation_id,
      actionGroup: message.action_group,
      function: message.function,
      ...(message.agent_id ? { agentId: message.agent_id } : {}),
      confirmationState: message.decision === 'approve' ? 'CONFIRM' : 'DENY',
      decidedBy: message.user,
      decidedAt: message.decided_at,
    },
  };
}
