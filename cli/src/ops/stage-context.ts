/**
 * One deployed stage as the operations commands see it: the AWS clients, the region, and the
 * stacks (described once, then cached). `withStage` also turns any failure into the one line the
 * dispatcher prints, and releases the clients' sockets.
 */
import { OpsError, UsageError } from '../errors';
import { type AwsClients, createAwsClients } from './aws-clients';
import { describeError } from './aws-errors';
import type { CommonOptions } from './command-options';
import { type DeployedStack, describeStack, type StackPart, stackName } from './stack-outputs';

export interface StageContext {
  stage: string;
  clients: AwsClients;
  env: Record<string, string | undefined>;
  region(): Promise<string>;
  /** The stack `revops-<stage>-<part>`, described once; StackNotFoundError when absent. */
  stack(part: StackPart): Promise<DeployedStack>;
  now(): number;
}

export function createStageContext(
  common: CommonOptions,
  env: Record<string, string | undefined>,
): StageContext {
  const clients = createAwsClients({ region: common.region, profile: common.profile, env });
  let region: Promise<string> | undefined;
  const stacks = new Map<StackPart, Promise<DeployedStack>>();
  const context: StageContext = {
    stage: common.stage,
    clients,
    env,
    region() {
      region ??= clients.resolveRegion();
      return region;
    },
    stack(part) {
      let stack = stacks.get(part);
      if (!stack) {
        stack = context
          .region()
          .then((name) =>
            describeStack(clients.cloudformation, stackName(common.stage, part), name),
          );
        stacks.set(part, stack);
      }
      return stack;
    },
    now: () => Date.now(),
  };
  return context;
}

/** Runs a command body against a stage; every error leaves as one OpsError line. */
export async function withStage<T>(
  common: CommonOptions,
  env: Record<string, string | undefined>,
  body: (context: StageContext) => Promise<T>,
): Promise<T> {
  const context = createStageContext(common, env);
  try {
    return await body(context);
  } catch (error) {
    if (error instanceof UsageError || error instanceof OpsError) throw error;
    throw new OpsError(describeError(error), { cause: error });
  } finally {
    context.clients.destroy();
  }
}
