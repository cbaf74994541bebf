/**
 * One queued Slack question, answered: the agents run in the thread's session, their progress
 * shows in the placeholder, the answer replaces it (more messages in the thread if long), and the
 * traced conversation is exported whatever happened.
 *
 * Failures are told to the user in plain words with the conversation id as reference. Throttling,
 * timeouts and other transient errors are rethrown so SQS retries the message (the user sees
 * "trying again"); after the last attempt the message goes to the dead-letter queue. Errors no
 * retry can fix are told and not rethrown.
 */
import {
  type AgentRuntime,
  AgentRuntimeError,
  type AgentStreamEvent,
  type ConfirmationDecision,
} from '@revbot/agents';
import { errorFields, type Logger, RevbotError } from '@revbot/core';
import {
  type ConversationRecord,
  ConversationRecorder,
  type ConversationSink,
  conversationMetrics,
  describeProgress,
  EXPORT_FAILURE_METRIC,
  exportConversation,
  type RecorderOptions,
  type TraceExport,
} from '@revbot/monitoring';
import type { WebClient } from '@slack/web-api';
import type { ConversationRef } from '../shared/slack/feedback-buttons';
import type { SlackQuestionMessage } from '../shared/slack/slack-queue-message';
import { slackCall } from '../shared/slack/slack-web-client';
import type { ProcessorMetrics } from './processor-metrics';
import { ProgressUpdates } from './progress-updates';
import { requestApproval } from './request-approval';
import { slackSessionId } from './session-id';
import { type AnswerTarget, answerMessages, postAnswer, replacePlaceholder } from './slack-answer';
import { escapeSlackText } from './to-slack-mrkdwn';

export interface AnswerDeps {
  runtime: AgentRuntime;
  /** The Web API client with the current bot token. */
  slack: () => Promise<WebClient>;
  sink: ConversationSink;
  /** Sends the record as an OpenTelemetry trace too (when OTLP is configured). */
  traces?: TraceExport;
  metrics: ProcessorMetrics;
  logger: Logger;
  progressIntervalMs?: number;
  now?: () => number;
  recorderOptions?: RecorderOptions;
  /** How long an approval request stays open (default a day). */
  approvalTimeoutSeconds?: number;
}

export interface Attempt {
  /** SQS `ApproximateReceiveCount`: 1 on the first delivery. */
  receiveCount: number;
  /** The queue's redrive `maxReceiveCount`: the last attempt before the dead-letter queue. */
  maxReceiveCount: number;
  /** Aborts the agents before the Lambda deadline. */
  signal?: AbortSignal;
}

export interface AnswerOutcome {
  status: 'answered' | 'failed' | 'awaiting_approval';
  /** Messages the answer took. */
  messages: number;
  /** Where the conversation record went, when the export succeeded. */
  exportedTo?: string;
}

export interface FailureDescription {
  retryable: boolean;
  code: string;
  /** For the user: what went wrong, in a few plain words. */
  reason: string;
}

export function describeFailure(error: unknown): FailureDescription {
  const code =
    error instanceof AgentRuntimeError || error instanceof RevbotError
      ? error.code
      : 'INTERNAL_ERROR';
  const retryable =
    error instanceof AgentRuntimeError || error instanceof RevbotError ? error.retryable : false;
  let reason = 'something went wrong on my side';
  if (/throttl|toomanyrequests|quota|rate_?limit/i.test(code))
    reason = 'the AI service is busy right now';
  else if (/timeout|timed_?out/i.test(code)) reason = 'the agents took too long to answer';
  else if (/accessdenied|unauthori|forbidden/i.test(code)) {
    reason = 'RevBot is not allowed to use its AI model in this account';
  } else if (/^SLACK_/.test(code)) reason = 'Slack did not accept the answer';
  else if (/unavailable|unreachable|5\d\d|internalserver|dependencyfailed/i.test(code)) {
    reason = 'a service RevBot depends on is unavailable';
  }
  return { retryable, code, reason };
}

export function retryingText(reason: string, reference: string): string {
  return `:warning: I ran into a temporary problem (${escapeSlackText(reason)}) and will try again shortly. Reference: \`${escapeSlackText(reference)}\``;
}

export function failureText(reason: string, reference: string): string {
  return `:x: Sorry, I couldn't answer this: ${escapeSlackText(reason)}. Reference: \`${escapeSlackText(reference)}\` (share it with your RevBot admin if this keeps happening).`;
}

export async function answerQuestion(
  question: SlackQuestionMessage,
  attempt: Attempt,
  deps: AnswerDeps,
  /** A person's decision: resume the run that paused on it instead of asking afresh. */
  confirmation?: ConfirmationDecision,
): Promise<AnswerOutcome> {
  const { logger } = deps;
  const sessionId = slackSessionId(question.team, question.channel, question.thread_ts);
  const ref: ConversationRef = {
    conversationId: question.conversation_id,
    startedAt: question.received_at,
  };
  const target: AnswerTarget = {
    channel: question.channel,
    threadTs: question.thread_ts,
    placeholderTs: question.placeholder_ts,
  };
  const ids = {
    conversation_id: question.conversation_id,
    event_id: question.event_id,
    session_id: sessionId,
    attempt: attempt.receiveCount,
  };
  if (attempt.receiveCount <= 1) deps.metrics.add('Questions', 'Count', 1, { channel: 'slack' });

  const recorder = new ConversationRecorder(
    {
      conversationId: question.conversation_id,
      sessionId,
      userQuery: question.question,
      startedAt: question.received_at,
      channel: {
        kind: 'slack',
        team: question.team,
        channel: question.channel,
        thread_ts: question.thread_ts,
        user: question.user,
        event_id: question.event_id,
      },
    },
    deps.recorderOptions,
  );

  const outcome: AnswerOutcome = { status: 'failed', messages: 0 };
  let agentsFinished = false;
  try {
    const slack = await deps.slack();
    const progress = new ProgressUpdates({
      show: (text) =>
        slackCall(
          'chat.update',
          slack.chat.update({ channel: target.channel, ts: target.placeholderTs, text }),
        ).then(() => undefined),
      logger,
      minIntervalMs: deps.progressIntervalMs,
      now: deps.now,
    });

    const decoder = new TextDecoder('utf-8');
    let answer = '';
    let pause: AgentStreamEvent['returnControl'];
    for await (const event of deps.runtime.ask({
      question: question.question,
      sessionId,
      sessionAttributes: {
        channel: 'slack',
        slack_channel: question.channel,
        slack_user: question.user,
        conversation_id: question.conversation_id,
      },
      signal: attempt.signal,
      confirmation,
    })) {
      recorder.add(event);
      if (event.returnControl) pause = event.returnControl;
      if (event.chunk?.bytes) answer += decoder.decode(event.chunk.bytes, { stream: true });
      const hint = describeProgress(event, { agentNames: recorder.agentNames });
      if (hint) await progress.report(`:hourglass_flowing_sand: ${escapeSlackText(hint)}`);
      else await progress.tick();
    }
    answer += decoder.decode();
    agentsFinished = true;

    if (pause) {
      outcome.messages = await requestApproval(slack, target, pause, question, {
        now: (deps.now ?? Date.now)(),
        timeoutSeconds: deps.approvalTimeoutSeconds,
      });
      outcome.status = 'awaiting_approval';
      logger.info('Slack question awaits approval', ids);
      outcome.exportedTo = await exportRecord(recorder, deps, ids);
      return outcome;
    }
    const messages = answerMessages(answer, ref);
    await postAnswer(slack, target, messages);
    outcome.status = 'answered';
    outcome.messages = messages.length;
    logger.info('Slack question answered', {
      ...ids,
      messages: messages.length,
      progress_updates: progress.sent.length,
    });
  } catch (error) {
    if (!agentsFinished) recorder.recordFailure(error);
    const failure = describeFailure(error);
    const willRetry = failure.retryable && attempt.receiveCount < attempt.maxReceiveCount;
    logger.error('Slack question failed', {
      ...ids,
      retryable: failure.retryable,
      will_retry: willRetry,
      error: errorFields(error),
    });
    await tell(deps, target, {
      text: willRetry
        ? retryingText(failure.reason, question.conversation_id)
        : failureText(failure.reason, question.conversation_id),
    });
    // Retryable errors go back to SQS even after the last attempt: the DLQ keeps the message.
    if (failure.retryable) {
      await exportRecord(recorder, deps, ids);
      throw error;
    }
  }
  outcome.exportedTo = await exportRecord(recorder, deps, ids);
  return outcome;
}

/** Best effort: if Slack itself is failing, the log line above is what remains. */
async function tell(
  deps: AnswerDeps,
  target: AnswerTarget,
  message: { text: string },
): Promise<void> {
  try {
    await replacePlaceholder(await deps.slack(), target, message);
  } catch (error) {
    deps.logger.warn('Could not tell the user about the failure', { error: errorFields(error) });
  }
}

async function exportRecord(
  recorder: ConversationRecorder,
  deps: AnswerDeps,
  ids: Record<string, unknown>,
): Promise<string | undefined> {
  const record = recorder.finish();
  for (const metric of conversationMetrics(record)) {
    deps.metrics.add(metric.name, metric.unit, metric.value);
  }
  // The trace goes out beside the record, so a slow collector adds no time of its own.
  const trace = sendTrace(record, deps, ids);
  try {
    const { location } = await exportConversation(record, deps.sink);
    deps.logger.info('Conversation exported', { ...ids, location });
    await trace;
    return location;
  } catch (error) {
    // Alarmed in the monitoring stack; the answer was given, so the message is not retried.
    deps.metrics.add(EXPORT_FAILURE_METRIC, 'Count', 1);
    deps.logger.error('Conversation export failed', { ...ids, error: errorFields(error) });
    await trace;
    return undefined;
  }
}

/** The trace is a copy for observability tools: a failure is counted and logged, never retried. */
async function sendTrace(
  record: ConversationRecord,
  deps: AnswerDeps,
  ids: Record<string, unknown>,
): Promise<void> {
  if (!deps.traces) return;
  try {
    await deps.traces(record);
  } catch (error) {
    deps.metrics.add(EXPORT_FAILURE_METRIC, 'Count', 1);
    deps.logger.error('Conversation trace export failed', { ...ids, error: errorFields(error) });
  }
}
