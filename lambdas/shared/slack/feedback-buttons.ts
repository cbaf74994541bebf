/**
 * The 👍/👎 buttons under each answer. The processor adds them; clicks come back to the handler
 * through `POST /slack/interactions`. Each button's value names the conversation and when it
 * started, which is all it takes to find the conversation's record folder.
 *
 * Two shapes: Slack's `feedback_buttons` element in a `context_actions` block (AI apps, used
 * where the workspace streams answers) and the older pair of `button`s in an `actions` block
 * (used where it does not, and on every answer posted before). A `feedback_buttons` click names
 * one action for both buttons, so its value carries the rating (`r`); an old button's rating is
 * its action id.
 */
import type { ActionsBlock, ContextActionsBlock } from '@slack/web-api';
import * as z from 'zod/mini';
import type { FeedbackRating } from './slack-queue-message';

export const FEEDBACK_BLOCK_ID = 'revbot_feedback';

export const FEEDBACK_ACTION_IDS: Record<FeedbackRating, string> = {
  positive: 'revbot_feedback_positive',
  negative: 'revbot_feedback_negative',
};

/** The action id of the `feedback_buttons` element (both buttons). */
export const FEEDBACK_BUTTONS_ACTION_ID = 'revbot_feedback';

export interface ConversationRef {
  conversationId: string;
  /** ISO 8601 time the question was received. */
  startedAt: string;
}

const buttonValueSchema = z.object({
  c: z.string().check(z.minLength(1), z.maxLength(255)),
  t: z.iso.datetime(),
  r: z.optional(z.enum(['positive', 'negative'])),
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

/**
 * A click on either shape of buttons: the rating and the conversation, or null when the action is
 * not one of ours.
 */
export function feedbackClick(
  actionId: string,
  value: string | undefined,
): { rating: FeedbackRating; ref: ConversationRef } | null {
  const ref = decodeFeedbackValue(value);
  if (!ref) return null;
  if (actionId === FEEDBACK_BUTTONS_ACTION_ID) {
    const rating = (JSON.parse(value as string) as { r?: FeedbackRating }).r;
    return rating ? { rating, ref } : null;
  }
  const rating = ratingOfAction(actionId);
  return rating ? { rating, ref } : null;
}

/** Slack's `feedback_buttons` in a `context_actions` block, for answers in AI-enabled workspaces. */
export function feedbackContextActions(ref: ConversationRef): ContextActionsBlock {
  const value = (rating: FeedbackRating) =>
    JSON.stringify({ c: ref.conversationId, t: ref.startedAt, r: rating });
  return {
    type: 'context_actions',
    block_id: FEEDBACK_BLOCK_ID,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: FEEDBACK_BUTTONS_ACTION_ID,
        positive_button: {
          text: { type: 'plain_text', text: 'Helpful' },
          accessibility_label: 'Mark this answer as helpful',
          value: value('positive'),
        },
        negative_button: {
          text: { type: 'plain_text', text: 'Not helpful' },
          accessibility_label: 'Mark this answer as not helpful',
          value: value('negative'),
        },
      },
    ],
  };
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
