/**
 * The Execution agent's actions carry Bedrock's `requireConfirmation`: InvokeAgent returns
 * control for the user's confirmation before Bedrock runs them, unless configuration exempts one.
 */
import { approvalPolicy, loadAgents, TOOL_NAMES } from '@revbot/agents';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type AgentKnowledgeBaseAccess,
  BedrockAgent,
  type BedrockAgentProps,
  pascal,
} from '../../constructs/bedrock-agent';
import { bareStack } from './bare-stack';

const AGENTS = loadAgents();
const KNOWLEDGE_BASE: AgentKnowledgeBaseAccess = {
  knowledgeBaseId: 'KB12345678',
  knowledgeBaseArn: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678',
};

/** `<action group>.<function>` → RequireConfirmation, as synthesized for one agent. */
function confirmations(key: string, extra: Partial<BedrockAgentProps> = {}) {
  const stack = bareStack();
  const toolFunctions = Object.fromEntries(
    TOOL_NAMES.map((name) => [
      name,
      new lambda.Function(stack, name, {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('export const handler = async () => ({});'),
      }),
    ]),
  );
  new BedrockAgent(stack, pascal(key), {
    stage: 'test',
    definition: AGENTS.get(key),
    toolFunctions,
    knowledgeBase: KNOWLEDGE_BASE,
    ...extra,
  });
  const [agent] = Object.values(Template.fromStack(stack).findResources('AWS::Bedrock::Agent'));
  const groups = (
    agent as {
      Properties: {
        ActionGroups: {
          ActionGroupName: string;
          FunctionSchema: { Functions: { Name: string; RequireConfirmation: string }[] };
        }[];
      };
    }
  ).Properties.ActionGroups;
  return Object.fromEntries(
    groups.flatMap((g) =>
      g.FunctionSchema.Functions.map((f) => [
        `${g.ActionGroupName}.${f.Name}`,
        f.RequireConfirmation,
      ]),
    ),
  );
}

describe('BedrockAgent user confirmation', () => {
  it('requires confirmation for every action of the Execution agent by default', () => {
    expect(confirmations('execution_agent')).toEqual({
      'webhook_executor.send_notification': 'ENABLED',
      'webhook_executor.trigger_webhook': 'ENABLED',
      'firebolt_writer.write_record': 'ENABLED',
      'firebolt_writer.update_record': 'ENABLED',
    });
  });

  it('never asks for confirmation of a read', () => {
    const data = confirmations('data_agent');
    expect(Object.keys(data).length).toBeGreaterThan(0);
    for (const state of Object.values(data)) expect(state).toBe('DISABLED');
  });

  it('leaves out the actions configuration exempts', () => {
    expect(
      confirmations('execution_agent', {
        approvals: approvalPolicy(['webhook_executor.send_notification']),
      }),
    ).toMatchObject({
      'webhook_executor.send_notification': 'DISABLED',
      'webhook_executor.trigger_webhook': 'ENABLED',
    });
  });
});
