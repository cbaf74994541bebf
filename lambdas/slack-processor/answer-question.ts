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
import { DENIED_AGENTS_ATTRIBUTE, deniedAgentsAttribute } from '@revbot/agents/action-group';
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
  usageMetrics,
} from '@revbot/monitoring';
import type { WebClient } from '@slack/web-api';
import { type BudgetHold, budgetRefusalText, type DailyBudgets } from '../shared/budgets';
import type { ConversationRef } from '../shared/slack/feedback-buttons';
import type { SlackQuestionMessage } from '../shared/slack/slack-queue-message';
import { slackCall } from '../shared/slack/slack-web-client';
import type { StopRequests } from '../shared/slack/stop-requests';
import type { AgentAccess } from './agent-access';
import { AgentSteps } from './agent-steps';
import { AnswerStream } from './answer-stream';
import type { ProcessorMetrics } from './processor-metrics';
import { ProgressUpdates } from './progress-updates';
import { QueryResultCollector, shareQueryResults } from './query-result-files';
import { requestApproval } from './request-approval';
import { type SessionKeySource, slackSessionId } from './session-id';
import { type AnswerTarget, answerMessages, postAnswer, replacePlaceholder } from './slack-answer';
import { prepareThreadQuestion } from './thread-context';
import { escapeSlackText } from './to-slack-mrkdwn';

export interface AnswerDeps {
  runtime: AgentRuntime;
  /** The Web API client with the current bot token. */
  slack: () => Promise<WebClient>;
  sink: ConversationSink;
  /** The server key thread session ids are derived under. */
  sessionKey: SessionKeySource;
  /** The agent access policy (`SLACK_AGENT_GROUPS`): the agents the asker may not use. */
  agentAccess?: AgentAccess;
  /** Sends the record as an OpenTelemetry trace too (when OTLP is configured). */
  traces?: TraceExport;
  metrics: ProcessorMetrics;
  logger: Logger;
  progressIntervalMs?: number;
  now?: () => number;
  recorderOptions?: RecorderOptions;
  /**
   * Stream answers live in the thread (see answer-stream.ts); absent, answers replace the
   * placeholder as they always did.
   */
  streaming?: {
    /** The app is declared as an agent: set `agents.sessions.setStatus` (title, Stop button). */
    agentSession?: boolean;
    appendIntervalMs?: number;
    stopCheckMs?: number;
  };
  /**
   * Stop presses the Slack handler recorded (stop-requests.ts): read every `stopPollMs` while
   * an answer is not streamed, since only a stream hears Stop from Slack itself.
   */
  stopRequests?: StopRequests;
  /** Default 3 s: Stop is heard within about that, at one read per poll. */
  stopPollMs?: number;
  /** Daily budgets per Slack user and channel (`BUDGETS`); none: no limit. */
  budgets?: DailyBudgets;
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
  status: 'answered' | 'failed' | 'stopped' | 'over_budget' | 'awaiting_approval';
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

export const STOPPED_TEXT = ':black_square_for_stop: Stopped at your request.';

const DEFAULT_STOP_POLL_MS = 3_000;

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
  const sessionId = slackSessionId(
    await deps.sessionKey(),
    question.team,
    question.channel,
    question.thread_ts,
  );
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
  // Mid-thread: the thread's earlier messages go with the question (and into the record).
  const asked = await prepareThreadQuestion(deps.slack, question, logger);
  const queryResults = new QueryResultCollector();

  // Before any model call: a spent budget gets its answer in the thread instead.
  const admission = await deps.budgets?.admit([
    { kind: 'slackUser', id: `${question.team}:${question.user}` },
    { kind: 'slackChannel', id: `${question.team}:${question.channel}` },
  ]);
  if (admission && !admission.admitted) {
    deps.metrics.add('BudgetRefusals', 'Count', 1, { channel: 'slack' });
    logger.info('Slack question over budget', {
      ...ids,
      budget: admission.refusal.subject.kind,
      day: admission.refusal.day,
    });
    await tell(deps, target, {
      text: `:no_entry: ${escapeSlackText(budgetRefusalText(admission.refusal))}`,
    });
    return { status: 'over_budget', messages: 1 };
  }
  const holds = admission?.holds ?? [];

  const recorder = new ConversationRecorder(
    {
      conversationId: question.conversation_id,
      sessionId,
      userQuery: asked,
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
  let live: AnswerStream | undefined;
  // Stop (in Slack) cancels the run as the Lambda deadline does.
  const cancel = new AbortController();
  const signal = attempt.signal ? AbortSignal.any([attempt.signal, cancel.signal]) : cancel.signal;
  // Stop recorded by the handler, for an answer that is not streamed (see AnswerDeps.stopRequests).
  let stopRecorded = false;
  let stopPoll: ReturnType<typeof setInterval> | undefined;
  try {
    const slack = await deps.slack();
    if (deps.streaming) {
      live = new AnswerStream({
        slack,
        target: { ...target, team: question.team, user: question.user },
        logger,
        title: question.question,
        agentSession: deps.streaming.agentSession,
        appendIntervalMs: deps.streaming.appendIntervalMs,
        stopCheckMs: deps.streaming.stopCheckMs,
        onStopped: () => cancel.abort(new Error('Stopped in Slack')),
      });
      await live.begin();
    }
    const stream = live;
    const { stopRequests } = deps;
    if (stopRequests) {
      const askedAt = Date.parse(question.received_at);
      stopPoll = setInterval(() => {
        if (stopRecorded || (stream && stream.mode !== 'fallback')) return;
        stopRequests.latest(question.team, question.channel, question.thread_ts).then(
          (at) => {
            if (at === undefined || at < askedAt || stopRecorded) return;
            stopRecorded = true;
            cancel.abort(new Error('Stopped in Slack'));
          },
          (error: unknown) => logger.warn('Stop requests not read', { error: errorFields(error) }),
        );
      }, deps.stopPollMs ?? DEFAULT_STOP_POLL_MS);
      stopPoll.unref?.();
    }
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
    const steps = new AgentSteps(recorder.agentNames);

    // Set whenever a policy is configured, so an earlier asker's attribute never lingers.
    const denied = deps.agentAccess ? await deps.agentAccess(question.user) : undefined;
    const decoder = new TextDecoder('utf-8');
    let answer = '';
    let pause: AgentStreamEvent['returnControl'];
    try {
      for await (const event of deps.runtime.ask({
        question: asked,
        sessionId,
        sessionAttributes: {
          channel: 'slack',
          slack_channel: question.channel,
          slack_user: question.user,
          conversation_id: question.conversation_id,
          ...(denied ? { [DENIED_AGENTS_ATTRIBUTE]: deniedAgentsAttribute(denied) } : {}),
        },
        signal,
        confirmation,
      })) {
        recorder.add(event);
        if (event.returnControl) pause = event.returnControl;
        queryResults.add(event);
        if (event.chunk?.bytes) {
          const text = decoder.decode(event.chunk.bytes, { stream: true });
          answer += text;
          stream?.append(text);
        }
        stream?.steps(steps.update(event));
        const hint = describeProgress(event, { agentNames: recorder.agentNames });
        // The placeholder shows progress unless the thread's status or the stream does.
        if (stream && stream.mode !== 'fallback') {
          if (hint) await stream.hint(escapeSlackText(hint));
        } else if (hint) await progress.report(`:hourglass_flowing_sand: ${escapeSlackText(hint)}`);
        else await progress.tick();
        if (stream?.mode === 'stopped' || stopRecorded) break;
      }
    } catch (error) {
      if (stream?.mode !== 'stopped' && !stopRecorded) throw error;
    }
    answer += decoder.decode();
    agentsFinished = true;

    if (stream?.mode === 'stopped' || stopRecorded) {
      recorder.recordFailure(new Error('Stopped by the user in Slack'));
      if (stream) {
        await stream.abandon();
        await stream.stopped(STOPPED_TEXT);
      } else await replacePlaceholder(slack, target, { text: STOPPED_TEXT });
      outcome.status = 'stopped';
      logger.info('Slack question stopped by the user', ids);
      outcome.exportedTo = await exportRecord(recorder, deps, ids, holds);
      return outcome;
    }
    stream?.steps(steps.close('complete'));
    if (pause) {
      // The streamed steps go: the approval request says what waits, and the resume answers.
      await stream?.abandon();
      outcome.messages = await requestApproval(slack, target, pause, question, {
        now: (deps.now ?? Date.now)(),
        timeoutSeconds: deps.approvalTimeoutSeconds,
      });
      outcome.status = 'awaiting_approval';
      logger.info('Slack question awaits approval', ids);
      outcome.exportedTo = await exportRecord(recorder, deps, ids, holds);
      return outcome;
    }
    const messages = answerMessages(
      answer,
      ref,
      stream?.aiFeatures ? 'feedback_buttons' : 'buttons',
    );
    const delivered = stream ? await stream.finish(messages) : 'placeholder';
    if (!stream) await postAnswer(slack, target, messages);
    await shareQueryResults(
      slack,
      { ...target, conversationId: question.conversation_id },
      queryResults,
      logger,
    );
    outcome.status = 'answered';
    outcome.messages = messages.length;
    logger.info('Slack question answered', {
      ...ids,
      messages: messages.length,
      delivered,
      progress_updates: progress.sent.length,
      ...(stream ? { stream_calls: stream.streamCalls } : {}),
    });
  } catch (error) {
    if (!agentsFinished) recorder.recordFailure(error);
    // An unfinished stream goes, so the placeholder tells what happened and a retry starts clean.
    await live?.abandon();
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
      await exportRecord(recorder, deps, ids, holds);
      throw error;
    }
  } finally {
    if (stopPoll) clearInterval(stopPoll);
  }
  outcome.exportedTo = await exportRecord(recorder, deps, ids, holds);
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
  holds: readonly BudgetHold[],
): Promise<string | undefined> {
  const record = recorder.finish();
  // What the question actually used replaces what it reserved.
  if (holds.length > 0) {
    const { total_tokens, estimated_cost_usd } = record.conversation.usage;
    await deps.budgets
      ?.settle(holds, { tokens: total_tokens, costUsd: estimated_cost_usd })
      .catch((error: unknown) =>
        deps.logger.error('Budget usage not recorded', { ...ids, error: errorFields(error) }),
      );
  }
  for (const metric of [...conversationMetrics(record), ...usageMetrics(record)]) {
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
