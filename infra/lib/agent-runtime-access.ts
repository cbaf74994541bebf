/**
 * What a processor needs to ask the agents, whichever runtime answers: the environment variables
 * the runtime factory reads, and the IAM grant for exactly the resources it calls.
 */
import type { StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { RevbotConfig } from './config';

export interface AgentRuntimeAccess {
  readonly runtimeEnvironment: Record<string, string>;
  grantAsk(grantee: iam.IGrantable): void;
}

/** What each channel stack (Slack, webhook) is built from: the stage's config and the agents. */
export interface ChannelStackProps extends StackProps {
  readonly config: RevbotConfig;
  readonly agents: AgentRuntimeAccess;
}
