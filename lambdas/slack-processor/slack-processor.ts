/**
 * The Slack processor's core: an SQS batch of questions and feedback clicks, each record handled
 * on its own and reported back as a partial batch failure when it should be retried (Powertools
 * batch). A malformed message fails too: after its retries it waits in the dead-letter queue
 * rather than vanishing.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ValidationError } from '@revbot/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type IdempotencyOptions, idempotentByKey } from '../shared/idempotency';
import {
  type FunctionalityTest,
  parseSelfTestCommand,
  type SelfTestReport,
} from '../shared/self-test';
import {
  type SlackQueueMessage,
  slackQueueMessageSchema,
} from '../shared/slack/slack-queue-message';
import { type AnswerDeps, answerQuestion } from './answer-question';
import { answerScheduledReport } from './answer-scheduled-report';
import { answerSelfTest } from './answer-self-test';
import { recordFeedback } from './record-feedback';
import { applyDecision } from './request-approval';

/** What answering needs (`AnswerDeps`), plus the processor's own settings. */
export interface SlackProcessorDeps extends AnswerDeps {
  /** The queue's redrive maxReceiveCount (3 in the Slack gateway stack). */
  maxReceiveCount: number;
  /** Kept back from the Lambda deadline to tell the user and export. Default 20 s. */
  deadlineMarginMs?: number;
  /** `@RevBot test connectivity`: the self-test of the pieces this processor holds. */
  selfTest?: () => Promise<SelfTestReport>;
  /** `@RevBot test <agent> functionality`: the agent's golden set, where one is deployed. */
  functionalityTest?: FunctionalityTest;
  /** Handle-once persistence: a message SQS delivers twice is answered (or recorded) once. */
  idempotency?: IdempotencyOptions;
}

export type SlackProcessor = (
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse>;

const DEFAULT_DEADLINE_MARGIN_MS = 20_000;

export function parseQueueMessage(record: SQSRecord) {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    throw new ValidationError(`SQS message ${record.messageId} is not JSON`);
  }
  const parsed = slackQueueMessageSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      `SQS message ${record.messageId} is not a Slack question, feedback or scheduled report: ${parsed.error.issues
        .map((issue) => issue.path.join('.') || '(root)')
        .join(', ')}`,
    );
  }
  return parsed.data;
}

export function createSlackProcessor(deps: SlackProcessorDeps): SlackProcessor {
  const margin = deps.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;

  return async (event, context) => {
    const processor = new BatchProcessor(EventType.SQS);
    const remaining = context?.getRemainingTimeInMillis();
    const signal =
      remaining !== undefined
        ? AbortSignal.timeout(Math.max(1_000, remaining - margin))
        : undefined;

    // Made per invocation: the work closes over this invocation's deadline signal.
    const once = deps.idempotency
      ? idempotentByKey(
          (item: { message: SlackQueueMessage; receiveCount: number }) => handleMessage(item),
          deps.idempotency,
        )
      : undefined;
    once?.registerContext(context);

    const handleRecord = async (record: SQSRecord): Promise<void> => {
      let message: ReturnType<typeof parseQueueMessage>;
      try {
        message = parseQueueMessage(record);
      } catch (error) {
        deps.logger.error('Unreadable Slack queue message', {
          message_id: record.messageId,
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      if (once) await once.run(idempotencyKey(message), { message, receiveCount });
      else await handleMessage({ message, receiveCount });
    };

    const handleMessage = async ({
      message,
      receiveCount,
    }: {
      message: SlackQueueMessage;
      receiveCount: number;
    }): Promise<void> => {
      if (message.kind === 'feedback') {
        await recordFeedback(message, deps);
        return;
      }
      const attempt = {
        receiveCount,
        maxReceiveCount: deps.maxReceiveCount,
        signal,
      };
      if (message.kind === 'scheduled_report') {
        await answerScheduledReport(message, attempt, deps);
        return;
      }
      if (message.kind === 'approval') {
        const resume = await applyDecision(await deps.slack(), message);
        if (resume) await answerQuestion(resume.question, attempt, deps, resume.confirmation);
        return;
      }
      // Matched before any agent runs, so the self-test answers when the agents cannot.
      const command = parseSelfTestCommand(message.question);
      if (command) {
        await answerSelfTest(command, message, deps);
        return;
      }
      await answerQuestion(message, attempt, deps);
    };

    return processPartialResponse(event, handleRecord, processor, {
      // A batch that fails as a whole is reported like any other, record by record.
      throwOnFullBatchFailure: false,
    });
  };
}

/**
 * A question is its Slack event; a click is one user's action on one answer; a report is one
 * run of its schedule; a decision is one per paused action.
 */
function idempotencyKey(message: SlackQueueMessage): string {
  switch (message.kind) {
    case 'question':
      return `slack-question/${message.event_id}`;
    case 'feedback':
      return `slack-feedback/${message.conversation_id}/${message.user}/${message.action_ts}`;
    case 'scheduled_report':
      return `slack-report/${message.schedule}/${message.execution_id}`;
    case 'approval':
      return `slack-approval/${message.invocation_id}/${message.decision}`;
  }
}
