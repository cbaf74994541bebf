/**
 * `@RevBot test connectivity` and `@RevBot test <agent> functionality`, answered in the thread
 * before any agent runs: the self-test table (no model call), or what testing an agent needs.
 */
import type { Logger } from '@revbot/core';
import type { WebClient } from '@slack/web-api';
import {
  type FunctionalityTest,
  noGoldenSetAnswer,
  renderSelfTestTable,
  type SelfTestCommand,
  type SelfTestReport,
} from '../shared/self-test';
import type { SlackQuestionMessage } from '../shared/slack/slack-queue-message';
import { replacePlaceholder } from './slack-answer';
import { escapeSlackText } from './to-slack-mrkdwn';

export interface SelfTestDeps {
  slack: () => Promise<WebClient>;
  logger: Logger;
  /** Runs the self-test with the pieces this processor holds. */
  selfTest?: () => Promise<SelfTestReport>;
  /** Runs an agent's golden set; absent where no golden set is deployed. */
  functionalityTest?: FunctionalityTest;
}

/** The self-test report as a Slack message: a heading and the table in a code block. */
export function selfTestText(report: SelfTestReport): string {
  const heading = report.healthy
    ? `:white_check_mark: *RevBot self-test* (${escapeSlackText(report.where)}): everything answered`
    : `:x: *RevBot self-test* (${escapeSlackText(report.where)}): some pieces do not work`;
  return `${heading}\n\`\`\`\n${escapeSlackText(renderSelfTestTable(report))}\n\`\`\``;
}

export async function answerSelfTest(
  command: SelfTestCommand,
  question: SlackQuestionMessage,
  deps: SelfTestDeps,
): Promise<void> {
  let text: string;
  if (command.kind === 'connectivity') {
    text = deps.selfTest
      ? selfTestText(await deps.selfTest())
      : ':warning: This RevBot has no self-test configured: run `revbot doctor` against its stage.';
  } else {
    text = escapeSlackText(
      deps.functionalityTest
        ? await deps.functionalityTest(command.agent)
        : noGoldenSetAnswer(command.agent),
    );
  }
  await replacePlaceholder(
    await deps.slack(),
    {
      channel: question.channel,
      threadTs: question.thread_ts,
      placeholderTs: question.placeholder_ts,
    },
    { text },
  );
  deps.logger.info('Slack self-test answered', {
    conversation_id: question.conversation_id,
    event_id: question.event_id,
    command: command.kind,
  });
}
