/**
 * Interactivity requests (`POST /slack/interactions`): a form-encoded body whose `payload` field
 * is JSON. RevBot's only interactive elements are the 👍/👎 buttons under answers (either shape,
 * see feedback-buttons.ts); a click
 * becomes a feedback message for the processor, anything else is acknowledged and ignored.
 */

import { ValidationError } from '@revbot/core';
import * as z from 'zod/mini';
import { feedbackClick } from '../shared/slack/feedback-buttons';
import {
  QUEUE_MESSAGE_VERSION,
  type SlackFeedbackMessage,
} from '../shared/slack/slack-queue-message';

const idObject = z.looseObject({ id: z.string().check(z.minLength(1)) });

/** A `block_actions` payload: who clicked which button of which message. */
export const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  team: z.nullable(idObject),
  user: idObject,
  channel: z.optional(idObject),
  container: z.optional(
    z.looseObject({ message_ts: z.optional(z.string()), channel_id: z.optional(z.string()) }),
  ),
  message: z.optional(z.looseObject({ ts: z.string(), blocks: z.optional(z.array(z.unknown())) })),
  actions: z.array(
    z.looseObject({
      action_id: z.string(),
      value: z.optional(z.string()),
      action_ts: z.optional(z.string()),
    }),
  ),
});

/** The payload JSON of a verified interactivity body. */
export function parseInteractionPayload(body: string): unknown {
  const payload = new URLSearchParams(body).get('payload');
  if (!payload) throw new ValidationError('Interaction body has no payload field');
  try {
    return JSON.parse(payload);
  } catch {
    throw new ValidationError('Interaction payload is not JSON');
  }
}

/**
 * The feedback clicks in an interaction payload (usually one), ready to queue; none for other
 * interactions. `user.team_id` stands in for the team on enterprise-grid payloads without one.
 */
export function feedbackFromInteraction(payload: unknown): SlackFeedbackMessage[] {
  if ((payload as { type?: unknown } | null)?.type !== 'block_actions') return [];
  const parsed = blockActionsSchema.safeParse(payload);
  if (!parsed.success) throw new ValidationError('Malformed block_actions payload');
  const p = parsed.data;
  const channel = p.channel?.id ?? p.container?.channel_id;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  const team = p.team?.id ?? (p.user as { team_id?: string }).team_id;
  if (!channel || !messageTs || !team) return [];
  const clicks: SlackFeedbackMessage[] = [];
  for (const action of p.actions) {
    const click = feedbackClick(action.action_id, action.value);
    if (!click) continue;
    const { rating, ref } = click;
    clicks.push({
      kind: 'feedback',
      version: QUEUE_MESSAGE_VERSION,
      conversation_id: ref.conversationId,
      started_at: ref.startedAt,
      rating,
      team,
      channel,
      user: p.user.id,
      message_ts: messageTs,
      action_ts: action.action_ts ?? messageTs,
      message_blocks: p.message?.blocks?.slice(0, 50),
    });
  }
  return clicks;
}
