/**
 * The final answer in Slack: Markdown converted to mrkdwn, split into messages, the first
 * replacing the placeholder and the rest following in the thread; the last carries the 👍/👎
 * buttons. Failures to tell the user are plain sentences with the reference id.
 */
import type { KnownBlock, WebClient } from '@slack/web-api';
import {
  type ConversationRef,
  feedbackButtons,
  feedbackContextActions,
} from '../shared/slack/feedback-buttons';
import { slackCall, slackPlatformError, toSlackApiError } from '../shared/slack/slack-web-client';
import { splitSlackMessage } from './split-slack-message';
import { escapeSlackText, toSlackMrkdwn } from './to-slack-mrkdwn';

export interface SlackMessage {
  /** Notification and fallback text. */
  text: string;
  blocks?: KnownBlock[];
}

export interface AnswerTarget {
  channel: string;
  threadTs: string;
  placeholderTs: string;
}

export const NO_ANSWER_TEXT =
  "I couldn't come up with an answer to that. Try rephrasing the question or adding detail.";

/**
 * The messages that carry `markdown`, buttons on the last: Slack's `feedback_buttons` where the
 * workspace has the AI features (`'feedback_buttons'`), the older button pair otherwise.
 */
export function answerMessages(
  markdown: string,
  ref: ConversationRef,
  buttons: 'feedback_buttons' | 'buttons' = 'buttons',
): SlackMessage[] {
  const pieces = splitSlackMessage(toSlackMrkdwn(markdown));
  if (pieces.length === 0) pieces.push(escapeSlackText(NO_ANSWER_TEXT));
  const feedback =
    buttons === 'feedback_buttons' ? feedbackContextActions(ref) : feedbackButtons(ref);
  return pieces.map((text, i) => ({
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      ...(i === pieces.length - 1 ? [feedback] : []),
    ],
  }));
}

/** Slack refuses to edit a message that is gone or too old: the answer is posted instead. */
const CANNOT_UPDATE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** Replaces the placeholder with the first message and posts the rest in the thread. */
export async function postAnswer(
  slack: WebClient,
  target: AnswerTarget,
  messages: SlackMessage[],
): Promise<void> {
  const [first, ...rest] = messages;
  if (!first) return;
  await replacePlaceholder(slack, target, first);
  for (const message of rest) {
    await postInThread(slack, target, message);
  }
}

/** Shows `message` where the placeholder is (or in the thread if the placeholder is gone). */
export async function replacePlaceholder(
  slack: WebClient,
  target: AnswerTarget,
  message: SlackMessage,
): Promise<void> {
  try {
    await slack.chat.update({
      channel: target.channel,
      ts: target.placeholderTs,
      text: message.text,
      blocks: message.blocks ?? [],
    });
  } catch (error) {
    const code = slackPlatformError(error);
    if (!code || !CANNOT_UPDATE.has(code)) throw toSlackApiError(error, 'chat.update');
    await postInThread(slack, target, message);
  }
}

/** Posts `message` in the answer's thread, without link or media previews. */
export async function postInThread(
  slack: WebClient,
  target: AnswerTarget,
  message: SlackMessage,
): Promise<void> {
  await slackCall(
    'chat.postMessage',
    slack.chat.postMessage({
      channel: target.channel,
      thread_ts: target.threadTs,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    }),
  );
}
