/**
 * Approve / Reject clicks on an approval request. Only the person who asked, or a member of the
 * configured approvers user group (`usergroups.users.list`), decides; anyone else is told, in an
 * ephemeral message only they see, that it is not theirs to approve. The first valid click
 * claims the approval (the same conditional write that de-duplicates events), so double clicks
 * and Slack's retries decide once; a click after the approval window queues its expiry instead.
 */
import { errorFields, type Logger } from '@revbot/core';
import type { WebClient } from '@slack/web-api';
import {
  APPROVE_ACTION_ID,
  decodeApprovalRef,
  REJECT_ACTION_ID,
} from '../shared/slack/approval-buttons';
import {
  QUEUE_MESSAGE_VERSION,
  type SlackApprovalMessage,
} from '../shared/slack/slack-queue-message';
import { slackCall } from '../shared/slack/slack-web-client';
import type { EventClaims } from './event-claims';
import type { QueuePublisher } from './queue-publisher';
import { blockActionsSchema } from './slack-interactions';

const clickSchema = blockActionsSchema;

export const NOT_YOURS_TEXT = (requester: string) =>
  `:no_entry: This approval is not yours to give: only <@${requester}>, who asked, or a RevBot approver can decide it.`;

export interface ApprovalClickDeps {
  claims: EventClaims;
  queue: QueuePublisher;
  /** The Web API client with the bot token (ephemeral replies, user group lookups). */
  slack: () => Promise<WebClient>;
  /** Slack user group id (`S…`) whose members may decide any approval. */
  approversGroup?: string;
  now: () => number;
  logger: Logger;
}

/** Handles the approval clicks of an interaction payload; false when it holds none. */
export async function handleApprovalClicks(
  payload: unknown,
  deps: ApprovalClickDeps,
): Promise<boolean> {
  if ((payload as { type?: unknown } | null)?.type !== 'block_actions') return false;
  const parsed = clickSchema.safeParse(payload);
  if (!parsed.success) return false;
  const p = parsed.data;
  const action = p.actions.find(
    (a) => a.action_id === APPROVE_ACTION_ID || a.action_id === REJECT_ACTION_ID,
  );
  if (!action) return false;
  const ref = decodeApprovalRef(action.value);
  const channel = p.channel?.id ?? p.container?.channel_id;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  const team = p.team?.id ?? (p.user as { team_id?: string }).team_id;
  if (!ref || !channel || !messageTs || !team) return true;
  const user = p.user.id;

  if (user !== ref.r && !(await isApprover(user, deps))) {
    const slack = await deps.slack();
    await slackCall(
      'chat.postEphemeral',
      slack.chat.postEphemeral({ channel, user, thread_ts: ref.t, text: NOT_YOURS_TEXT(ref.r) }),
    );
    deps.logger.info('approval click refused: not the requester or an approver', {
      conversation_id: ref.c,
    });
    return true;
  }

  const key = `approval#${ref.i}`;
  const claim = await deps.claims.claim(key, action.action_ts ?? messageTs);
  if (claim !== 'claimed') {
    deps.logger.info('approval already decided; click ignored', { conversation_id: ref.c });
    return true;
  }
  const now = deps.now();
  const expired = now >= ref.e * 1000;
  const message: SlackApprovalMessage = {
    kind: 'approval',
    version: QUEUE_MESSAGE_VERSION,
    decision: expired ? 'expired' : action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject',
    invocation_id: ref.i,
    action_group: ref.g,
    function: ref.f,
    ...(ref.a ? { agent_id: ref.a } : {}),
    team,
    channel,
    thread_ts: ref.t,
    message_ts: messageTs,
    message_blocks: p.message?.blocks?.slice(0, 50),
    requester: ref.r,
    user,
    conversation_id: ref.c,
    decided_at: new Date(now).toISOString(),
    expires_at: new Date(ref.e * 1000).toISOString(),
  };
  try {
    await deps.queue.publish(message);
  } catch (error) {
    // Not queued: the next click may try again.
    await deps.claims.release(key).catch(() => undefined);
    throw error;
  }
  await deps.claims.complete(key);
  deps.logger.info('approval decision queued', {
    conversation_id: ref.c,
    decision: message.decision,
  });
  return true;
}

async function isApprover(user: string, deps: ApprovalClickDeps): Promise<boolean> {
  if (!deps.approversGroup) return false;
  try {
    const slack = await deps.slack();
    const { users } = await slackCall(
      'usergroups.users.list',
      slack.usergroups.users.list({ usergroup: deps.approversGroup }),
    );
    return (users ?? []).includes(user);
  } catch (error) {
    // Unknown membership never grants: the requester can still decide.
    deps.logger.warn('approvers group could not be read', { error: errorFields(error) });
    return false;
  }
}
