/**
 * Runs every health check of a stage and returns the lines `revbot doctor` prints. Stacks are
 * described first (without credentials or a region nothing else can run, so that error ends the
 * command); then the checks run concurrently, each failure becoming a failed check rather than
 * stopping the others.
 */

import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { StackNotFoundError } from '../../errors';
import { describeError, isFatalAwsError } from '../aws-errors';
import {
  agentsFromOutputs,
  CHANNEL_QUEUES,
  CHANNELS,
  type DeployedStack,
  functionPrefix,
  KNOWLEDGE_BASE_OUTPUTS,
  listStackResources,
  STACK_PARTS,
  type StackPart,
  stackName,
} from '../stack-outputs';
import type { StageContext } from '../stage-context';
import { checkAgents } from './agent-checks';
import { checkEndpoint, type Endpoint } from './endpoint-checks';
import { type HealthCheck, type HealthGroup, ok, problem } from './health-check';
import { checkKnowledgeBase } from './knowledge-base-check';
import { checkLambdaErrors } from './lambda-error-checks';
import { checkQueues } from './queue-checks';
import { checkSecret } from './secret-checks';
import { checkTools } from './tool-checks';

export interface HealthCheckOptions {
  /** How far back Lambda errors count, and how the operator wrote it (`1h`). */
  errorsWindow: { ms: number; label: string };
  /** How long an endpoint may take to answer. */
  probeTimeoutMs: number;
}

/** A group whose checks could not run at all becomes one failed check naming why. */
async function guarded(
  group: HealthGroup,
  name: string,
  fix: string,
  run: () => Promise<HealthCheck | HealthCheck[]>,
): Promise<HealthCheck[]> {
  try {
    const result = await run();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    return [problem(group, name, describeError(error), fix)];
  }
}

export async function runHealthChecks(
  context: StageContext,
  options: HealthCheckOptions,
): Promise<HealthCheck[]> {
  const { stage, clients } = context;
  const deploy = (part: StackPart) =>
    `deploy it: pnpm cdk deploy ${stackName(stage, part)} -c stage=${stage}`;

  const described = await Promise.all(
    STACK_PARTS.map(async (part) => {
      try {
        return { part, stack: await context.stack(part) };
      } catch (error) {
        if (isFatalAwsError(error)) throw error;
        return { part, error };
      }
    }),
  );
  const checks: HealthCheck[] = described.map(({ part, stack, error }) => {
    const name = stackName(stage, part);
    if (stack) return ok('Stacks', name, stack.status);
    if (error instanceof StackNotFoundError)
      return problem('Stacks', name, 'not deployed in this region', deploy(part));
    return problem('Stacks', name, describeError(error), deploy(part));
  });
  const stacks = new Map<StackPart, DeployedStack>();
  for (const { part, stack } of described) if (stack) stacks.set(part, stack);

  const tasks: Promise<HealthCheck[]>[] = [];
  const agents = stacks.get('agents');
  if (agents) {
    const deployed = agentsFromOutputs(agents.outputs);
    if (deployed.length > 0) {
      tasks.push(
        guarded(
          'Agents',
          'agents',
          'the caller needs bedrock:GetAgent, GetAgentAlias, ListAgentVersions',
          () => checkAgents(clients.bedrockAgent, deployed, stage),
        ),
      );
    } else if (agents.outputs.has('SessionTableName')) {
      tasks.push(
        Promise.resolve([ok('Agents', 'runtime', 'converse runtime: no Bedrock agents to check')]),
      );
    } else {
      tasks.push(
        Promise.resolve([
          problem(
            'Agents',
            'agents',
            `${agents.name} has no <Agent>Id/<Agent>AliasId outputs`,
            deploy('agents'),
          ),
        ]),
      );
    }
    const knowledgeBaseId = agents.outputs.get(KNOWLEDGE_BASE_OUTPUTS.knowledgeBaseId);
    const dataSourceId = agents.outputs.get(KNOWLEDGE_BASE_OUTPUTS.dataSourceId);
    if (knowledgeBaseId && dataSourceId) {
      tasks.push(
        guarded(
          'Knowledge base',
          knowledgeBaseId,
          'the caller needs bedrock:ListIngestionJobs',
          () =>
            checkKnowledgeBase(
              clients.bedrockAgent,
              { knowledgeBaseId, dataSourceId },
              context.now(),
            ),
        ),
      );
    } else {
      tasks.push(
        Promise.resolve([
          problem(
            'Knowledge base',
            'knowledge base',
            `${agents.name} has no ${KNOWLEDGE_BASE_OUTPUTS.dataSourceId} output`,
            deploy('agents'),
          ),
        ]),
      );
    }
  }

  const endpoints: Endpoint[] = [];
  for (const channel of CHANNELS) {
    const spec = CHANNEL_QUEUES[channel];
    const stack = stacks.get(spec.stack);
    if (!stack) continue;
    const queue = stack.outputs.get(spec.queue);
    const dlq = stack.outputs.get(spec.dlq);
    if (queue && dlq) {
      tasks.push(
        guarded('Queues', `${channel} queues`, 'the caller needs sqs:GetQueueAttributes', () =>
          checkQueues(clients.sqs, channel, { queue, dlq }),
        ),
      );
    }
    const url = stack.outputs.get(channel === 'slack' ? 'SlackEventsUrl' : 'WebhookUrl');
    if (url) {
      endpoints.push({
        name: channel === 'slack' ? 'Slack events' : 'webhook',
        url,
        logsOf: channel === 'slack' ? 'slack-handler' : 'webhook-gateway',
      });
    }
  }
  const probes = endpoints.map((endpoint) =>
    checkEndpoint(endpoint, options.probeTimeoutMs).then((check) => [check]),
  );
  tasks.push(...probes);
  if (agents) {
    // After the probes: invoking five functions would otherwise skew the endpoints' timings.
    tasks.push(
      Promise.allSettled(probes).then(() =>
        guarded(
          'Tools',
          'tools',
          `the caller needs lambda:InvokeFunction on ${functionPrefix(stage)}tool-*`,
          () => checkTools(clients.lambda, stage, Math.max(options.probeTimeoutMs, 10_000)),
        ),
      ),
    );
  }

  // Secrets and functions are found among the stacks' resources, whatever they are named.
  const resources = Promise.all(
    [...stacks.values()].map((stack) =>
      listStackResources(clients.cloudformation, stack.name).catch((error: unknown) => {
        throw new Error(`cannot list the resources of ${stack.name}: ${describeError(error)}`);
      }),
    ),
  ).then((lists) => lists.flat());
  const ofType = (list: StackResourceSummary[], type: string) =>
    list
      .filter((r) => r.ResourceType === type && r.PhysicalResourceId)
      .map((r) => r.PhysicalResourceId as string);
  tasks.push(
    guarded(
      'Secrets',
      'secrets',
      'the caller needs cloudformation:ListStackResources',
      async () => {
        const arns = ofType(await resources, 'AWS::SecretsManager::Secret');
        return Promise.all(arns.map((arn) => checkSecret(clients.secrets, arn)));
      },
    ),
  );
  tasks.push(
    guarded('Lambda errors', 'functions', 'the caller needs cloudwatch:GetMetricData', async () => {
      const prefix = functionPrefix(stage);
      const functions = ofType(await resources, 'AWS::Lambda::Function')
        // Functions the CDK names itself start with their stack's name; RevBot's are named.
        .filter(
          (name) =>
            name.startsWith(prefix) &&
            !STACK_PARTS.some((part) => name.startsWith(`${stackName(stage, part)}-`)),
        )
        .sort()
        .map((name) => ({ name, short: name.slice(prefix.length) }));
      return checkLambdaErrors(clients.cloudwatch, functions, options.errorsWindow, context.now());
    }),
  );

  for (const group of await Promise.all(tasks)) checks.push(...group);
  return checks;
}
