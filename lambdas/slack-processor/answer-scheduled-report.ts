/**
 * One run of a scheduled report: the question is answered like a mention, but in the channel
 * itself. A top-level message names the report and stands as the placeholder; the answer replaces
 * it (a long answer continues in its thread), so a follow-up asked in that thread continues the
 * report's session. RevBot's own bot user is the asker: no person asked. When the run will be
 * retried, its placeholder goes: nobody waits on a report, and the retry posts its own, so the
 * channel shows the report once.
 */
import { errorFields } from '@revbot/core';
import type {
  SlackQuestionMessage,
  SlackScheduledReportMessage,
} from '../shared/slack/slack-queue-message';
import { slackCall } from '../shared/slack/slack-web-client';
import {
  type AnswerDeps,
  type AnswerOutcome,
  type Attempt,
  answerQuestion,
} from './answer-question';
import { botIdentity } from './bot-identity';
import { escapeSlackText } from './to-slack-mrkdwn';

export function reportPlaceholderText(report: SlackScheduledReportMessage): string {
  return `:calendar: *${escapeSlackText(report.schedule)}* (scheduled report): ${escapeSlackText(report.question)}\nLooking into it… :hourglass_flowing_sand:`;
}

export async function answerScheduledReport(
  report: SlackScheduledReportMessage,
  attempt: Attempt,
  deps: AnswerDeps,
): Promise<AnswerOutcome> {
  const slack = await deps.slack();
  const { team, botUserId } = await botIdentity(slack);
  const placeholder = await slackCall(
    'chat.postMessage',
    slack.chat.postMessage({ channel: report.channel, text: reportPlaceholderText(report) }),
  );
  const ts = placeholder.ts as string;
  const question: SlackQuestionMessage = {
    kind: 'question',
    version: report.version,
    conversation_id: report.execution_id,
    event_id: `schedule:${report.schedule}:${report.execution_id}`.slice(0, 255),
    team,
    channel: report.channel,
    thread_ts: ts,
    message_ts: ts,
    user: botUserId,
    question: report.question,
    placeholder_ts: ts,
    received_at: report.scheduled_at,
  };
  deps.logger.info('Scheduled report started', {
    schedule: report.schedule,
    conversation_id: question.conversation_id,
    channel: report.channel,
  });
  try {
    // Not streamed: a stream lives in a thread and is addressed to the person who asked, and a
    // report has neither; its answer replaces the top-level placeholder.
    return await answerQuestion(question, attempt, { ...deps, streaming: undefined });
  } catch (error) {
    if (attempt.receiveCount < attempt.maxReceiveCount) {
      await slackCall('chat.delete', slack.chat.delete({ channel: report.channel, ts })).catch(
        (cause: unknown) =>
          deps.logger.warn('Scheduled report placeholder not removed', {
            schedule: report.schedule,
            error: errorFields(cause),
          }),
      );
    }
    throw error;
  }
}
