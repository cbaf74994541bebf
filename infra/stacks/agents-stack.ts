/**
 * The agents: RevBot's tool Lambdas and, with `agentRuntime=bedrock-agents` (the default), the
 * six Bedrock agents defined in `agents/`, their aliases and the knowledge base.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ToolFunctions } from '../constructs/tool-functions';
import type { AgentRuntimeAccess } from '../lib/agent-runtime-access';
import type { RevbotConfig } from '../lib/config';

export interface AgentsStackProps extends StackProps {
  config: RevbotConfig;
}

export class AgentsStack extends Stack implements AgentRuntimeAccess {
  readonly tools: ToolFunctions;
  readonly runtimeEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: AgentsStackProps) {
    super(scope, id, props);
    this.tools = new ToolFunctions(this, 'Tools', { stage: props.config.stage });
    this.runtimeEnvironment = { AGENT_RUNTIME: props.config.agentRuntime };
  }

  grantAsk(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['lambda:InvokeFunction'],
      resourceArns: Object.values(this.tools.byName).map((tool) => tool.function.functionArn),
    });
  }
}
