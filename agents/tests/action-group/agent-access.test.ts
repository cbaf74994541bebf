import { silentLogger } from '@revbot/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildFunctionEvent,
  createActionGroupTool,
  DENIED_AGENTS_ATTRIBUTE,
  defineToolFunction,
  deniedAgentsAttribute,
  isAgentDenied,
  readActionGroupResponse,
  toolParam,
} from '../../src/action-group';

describe('isAgentDenied', () => {
  const attributes = { [DENIED_AGENTS_ATTRIBUTE]: deniedAgentsAttribute(['execution_agent']) };

  it('matches the agent by folder key or by its deployed name, and nothing else', () => {
    expect(isAgentDenied(attributes, 'execution_agent')).toBe(true);
    expect(isAgentDenied(attributes, 'revops-prod-execution-agent')).toBe(true);
    expect(isAgentDenied(attributes, 'revops-prod-data-agent')).toBe(false);
    expect(isAgentDenied(attributes, 'revops-prod-execution-agent-v2')).toBe(false);
  });

  it('denies nothing without a policy or with an empty one', () => {
    expect(isAgentDenied({}, 'execution_agent')).toBe(false);
    expect(isAgentDenied(undefined, 'execution_agent')).toBe(false);
    expect(isAgentDenied({ [DENIED_AGENTS_ATTRIBUTE]: '' }, 'execution_agent')).toBe(false);
  });
});

describe('a tool called for a denied agent', () => {
  let sent = 0;
  const tool = createActionGroupTool({
    name: 'webhook_executor',
    logger: silentLogger,
    functions: [
      defineToolFunction({
        name: 'send_notification',
        parameters: z.object({ message: toolParam.text() }),
        async run() {
          sent += 1;
          return { status: 'sent' };
        },
      }),
    ],
  });
  const event = (sessionAttributes: Record<string, string>) =>
    buildFunctionEvent({
      tool: 'webhook_executor',
      function: 'send_notification',
      parameters: { message: 'Q4 review at 3pm' },
      agent: { name: 'revops-prod-execution-agent', id: 'EXEC01', alias: 'LIVE01', version: '3' },
      sessionId: 'slack-0123',
      sessionAttributes,
    });

  it('refuses without running, whatever the model asked (Bedrock Agents included)', async () => {
    const response = await tool.handle(
      event({ channel: 'slack', [DENIED_AGENTS_ATTRIBUTE]: 'execution_agent' }),
    );
    const read = readActionGroupResponse(response);
    expect(read.responseState).toBe('REPROMPT');
    expect(read.body).toMatch(/not available to the person asking/);
    expect(sent).toBe(0);
  });

  it('runs for someone the policy allows', async () => {
    const response = await tool.handle(event({ channel: 'slack', [DENIED_AGENTS_ATTRIBUTE]: '' }));
    expect(readActionGroupResponse(response).responseState).toBeUndefined();
    expect(sent).toBe(1);
  });
});
