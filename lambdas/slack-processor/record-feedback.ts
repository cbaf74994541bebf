/**
 * A 👍/👎 click, recorded where answer quality is tracked: a `feedback-<action ts>-<user>.json`
 * file in the conversation's record folder (beside conversation.json), and a FeedbackPositive or
 * FeedbackNegative metric. The buttons are then swapped for a short thank-you, so one answer is
 * not rated twice by accident.
 */

import { errorFields, type Logger, RetryableError, RevbotError } from '@revbot/core';
import { type ConversationSink, conversationKeyPrefix } from '@revbot/monitoring';
import type { KnownBlock, WebClient } from '@slack/web-api';
import { FEEDBACK_BLOCK_ID } from '../shared/slack/feedback-buttons';
import type { SlackFeedbackMessage } from '../shared/slack/slack-queue-message';
import { slackCall } from '../shared/slack/slack-web-client';
import type { ProcessorMetrics } from './processor-metrics';

export const FEEDBACK_SCHEMA = 'revbot.slack-feedback/1';

export const FEEDBACK_METRICS = { positive: 'FeedbackPositive', negative: 'FeedbackNegative' };

export interface FeedbackDeps {
  sink: ConversationSink;
  metrics: ProcessorMetrics;
  slack: () => Promise<WebClient>;
  logger: Logger;
  now?: () => number;
}

const segment = (value: string) => value.replace(/[^A-Za-z0-9.-]/g, '-');

/** Where a click's record goes: inside the conversation's folder. */
export function feedbackKey(feedback: SlackFeedbackMessage): string {
  const folder = conversationKeyPrefix(feedback.started_at, feedback.conversation_id);
  return `${folder}feedback-${segment(feedback.action_ts)}-${segment(feedback.user)}.json`;
}

export async function recordFeedback(
  feedback: SlackFeedbackMessage,
  deps: FeedbackDeps,
): Promise<{ location: string }> {
  const now = deps.now ?? Date.now;
  const key = feedbackKey(feedback);
  const record = {
    schema: FEEDBACK_SCHEMA,
    conversation_id: feedback.conversation_id,
    rating: feedback.rating,
    user: feedback.user,
    team: feedback.team,
    channel: feedback.channel,
    message_ts: feedback.message_ts,
    action_ts: feedback.action_ts,
    recorded_at: new Date(now()).toISOString(),
  };
  try {
    await deps.sink.put(
      key,
      `${JSON.stringify(record, null, 2)}\n`,
      'application/json; charset=utf-8',
    );
  } catch (error) {
    const retryable = (error as { retryable?: unknown }).retryable !== false;
    const message = `Feedback for conversation ${feedback.conversation_id} could not be stored`;
    throw retryable
      ? new RetryableError(message, 'FEEDBACK_NOT_STORED', { cause: error })
      : new RevbotError(message, { code: 'FEEDBACK_NOT_STORED', cause: error });
  }
  deps.metrics.add(FEEDBACK_METRICS[feedback.rating], 'Count', 1);
  deps.logger.info('Answer feedback recorded', {
    conversation_id: feedback.conversation_id,
    rating: feedback.rating,
  });

  // Cosmetic: the record is what counts, so a failed message update is only logged.
  if (feedback.message_blocks) {
    try {
      const slack = await deps.slack();
      const blocks = thankedBlocks(feedback.message_blocks as KnownBlock[], feedback);
      await slackCall(
        'chat.update',
        slack.chat.update({
          channel: feedback.channel,
          ts: feedback.message_ts,
          text: fallbackText(blocks),
          blocks,
        }),
      );
    } catch (error) {
      deps.logger.warn('Feedback buttons could not be replaced', {
        conversation_id: feedback.conversation_id,
        error: errorFields(error),
      });
    }
  }
  return { location: deps.sink.locate(key) };
}

/** The answer's blocks with the buttons replaced by who rated it and how. */
export function thankedBlocks(blocks: KnownBlock[], feedback: SlackFeedbackMessage): KnownBlock[] {
  const note = feedback.rating === 'positive' ? '👍' : '👎';
  const who = /^[A-Z0-9]+$/.test(feedback.user) ? `, <@${feedback.user}>` : '';
  return blocks.map((block) =>
    block.block_id === FEEDBACK_BLOCK_ID
      ? {
          type: 'context',
          block_id: FEEDBACK_BLOCK_ID,
          elements: [{ type: 'mrkdwn', text: `${note} Thanks for the feedback${who}.` }],
        }
      : block,
  );
}

function fallbackText(blocks: KnownBlock[]): string {
  for (const block of blocks) {
    if (block.type === 'section' && block.text?.text) return block.text.text;
  }
  return 'RevBot answer';
}
