/**
 * `revbot ask "question"`: the full pipeline in process — the agents on the portable runtime
 * (offline model unless configured otherwise), every tool against the embedded warehouse and
 * the local Gong and search APIs, the conversation recorded and exported — with the agents'
 * hand-offs shown as they happen.
 */

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { actionSummary, confirmationRequestOf, describeAction } from '@revbot/agents';
import { createAgentRuntime } from '@revbot/agents/runtime';
import {
  ConversationRecorder,
  describeProgress,
  exportConversation,
  localConversationSink,
} from '@revbot/monitoring';
import { startLocalToolStack } from '@revbot/testing/local-tool-stack';
import type { Command } from '../command';
import { seededAsOf } from '../local/warehouse-settings';
import { startProgress } from '../ops/progress';
import { parseQuestionArgs } from '../question-args';

export const askCommand: Command = {
  name: 'ask',
  summary: 'ask the agents a question in process and print the answer',
  usage: `usage: revbot ask "question" [--session ID] [--data-dir .revbot] [--json]

Runs the whole pipeline in this process: the six agents on the portable runtime
(AGENT_RUNTIME, default offline: no network, answers only from real tool results), the
tools against the embedded warehouse and local Gong/search APIs, and the conversation
exported to <data-dir>/conversation-history/. Reuse --session for follow-up questions
within one run of a runtime that keeps history.`,
  async run(args, io) {
    const { values, question } = parseQuestionArgs(args, {
      session: { type: 'string' },
      'data-dir': { type: 'string', default: io.env.REVBOT_DATA_DIR ?? '.revbot' },
      json: { type: 'boolean', default: false },
    });
    const sessionId = values.session ?? `cli_${randomUUID()}`;
    const conversationId = randomUUID();

    const dataDir = path.resolve(io.cwd, values['data-dir']);
    const asOf = seededAsOf(dataDir, io.env);
    const tools = await startLocalToolStack({ asOf });
    try {
      const runtime = createAgentRuntime(
        {
          ...io.env,
          AGENT_RUNTIME: io.env.AGENT_RUNTIME ?? 'offline',
          REVBOT_STAGE: 'local',
          // The offline model counts "this quarter" from the day the data is as of.
          OFFLINE_TODAY: io.env.OFFLINE_TODAY ?? asOf,
        },
        { tools: tools.tools },
      );
      const recorder = new ConversationRecorder({
        conversationId,
        sessionId,
        channel: { kind: 'replay', source: 'revbot ask' },
        userQuery: question,
        startedAt: new Date(),
      });
      const progress = startProgress(io.stderr, 'Manager is reading the question…');
      const decoder = new TextDecoder();
      let answer = '';
      try {
        for await (const event of runtime.ask({ question, sessionId })) {
          recorder.add(event);
          const hint = describeProgress(event, { agentNames: recorder.agentNames });
          if (hint) {
            progress.update(hint);
            if (!(io.stderr as { isTTY?: boolean }).isTTY && !values.json) {
              io.stderr.write(`… ${hint}\n`);
            }
          }
          if (event.chunk?.bytes) answer += decoder.decode(event.chunk.bytes, { stream: true });
          // One-shot: nobody can approve here, so the paused action is shown and not run.
          if (event.returnControl) {
            const pending = describeAction(confirmationRequestOf(event.returnControl));
            answer += `Not done: this needs a person's approval (Slack or the webhook API): ${actionSummary(pending)}`;
          }
        }
        answer += decoder.decode();
      } catch (error) {
        recorder.recordFailure(error);
        throw error;
      } finally {
        progress.stop();
      }
      const record = recorder.finish();
      const exported = await exportConversation(record, localConversationSink(dataDir));
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ answer, session_id: sessionId, conversation_id: conversationId, exported_to: exported.location }, null, 2)}\n`,
        );
      } else {
        io.stdout.write(`${answer.trim()}\n\nconversation: ${exported.location}\n`);
      }
      return 0;
    } finally {
      await tools.close();
    }
  },
};
