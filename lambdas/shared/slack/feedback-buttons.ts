/**
 * The 👍/👎 buttons under each answer. The processor adds them; clicks come back to the handler
 * through `POST /slack/interactions`. Each button's value names the conversation and when it
 * started, which is all it takes to find the conversation's record folder.
 */
import type { ActionsBlock } from '@slack/web-api';
import * as z from 'zod/mini';
import type { FeedbackRating } from './slack-queue-message';

export const FEEDBACK_BLOCK_ID = 'revbot_feedback';

export const FEEDBACK_ACTION_IDS: Record<FeedbackRating, string> = {
  positive: 'revbot_feedback_positive',
  negative: 'revbot_feedback_negative',
};

export interface ConversationRef {
  conversationId: string;
  /** ISO 8601 time the question was received. */
  startedAt: string;
}

const buttonValueSchema = z.object({
  c: z.string().check(z.minLength(1), z.maxLength(255)),
  t: z.iso.datetime(),
});

/** Short JSON: a button value holds at most 2,000 characters. */
export function encodeFeedbackValue(ref: ConversationRef): string {
  return JSON.stringify({ c: ref.conversationId, t: ref.startedAt });
}

/** The conversation a button names, or null when the value is not one of ours. */
export function decodeFeedbackValue(value: string | undefined): ConversationRef | null {
  if (!value) return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  const parsed = buttonValueSchema.safeParse(json);
  return parsed.success ? { conversationId: parsed.data.c, startedAt: parsed.data.t } : null;
}

export function ratingOfAction(actionId: string): FeedbackRating | null {
  if (actionId === FEEDBACK_ACTION_IDS.positive) return 'positive';
  if (actionId === FEEDBACK_ACTION_IDS.negative) return 'negative';
  return null;
}

export function feedbackButtons(ref: ConversationRef): ActionsBlock {
  const value = encodeFeedbackValue(ref);
  return {
    type: 'actions',
    block_id: FEEDBACK_BLOCK_ID,
    elements: [
      {
        type: 'button',
        action_id: FEEDBACK_ACTION_IDS.positive,
        text: { type: 'plain_text', text: '👍 Helpful', emoji: true },
        value,
      },
      {
        type: 'button',
        action_id: FEEDBACK_ACTION_IDS.negative,
        text: { type: 'plain_text', text: '👎 Not helpful', emoji: true },
        value,
      },
    ],
  };
}
