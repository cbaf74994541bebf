/**
 * What a processor needs to ask the agents, whichever runtime answers: the environment variables
 * the runtime factory reads, and the IAM grant for exactly the resources it calls.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';

export interface AgentRuntimeAccess {
  readonly runtimeEnvironment: Record<string, string>;
  grantAsk(grantee: iam.IGrantable): void;
}
