/**
 * Composes RevBot's stacks. Shared by the CDK app (`infra/bin/revbot.ts`) and the tests, so the
 * tests assert on exactly what `cdk synth` produces, cdk-nag included.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type AppProps, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPO_ROOT } from '../constructs/revbot-function';
import { AgentsStack } from '../stacks/agents-stack';
import { MonitoringStack } from '../stacks/monitoring-stack';
import { SlackGatewayStack } from '../stacks/slack-gateway-stack';
import { WebhookGatewayStack } from '../stacks/webhook-gateway-stack';
import { loadConfig } from './config';
import { resourceName } from './naming';

export interface RevbotStacks {
  monitoring: MonitoringStack;
  agents: AgentsStack;
  slack: SlackGatewayStack;
  webhook: WebhookGatewayStack;
}

/**
 * The stacks' account and Region, from the deploying environment; nothing is pinned to one
 * account. A variable that is set but empty (common in CI) counts as unset: the stacks are then
 * environment-agnostic instead of naming the account "" (and a bucket `…-conversations--`).
 */
export function deploymentEnvironment(vars: NodeJS.ProcessEnv = process.env): Environment {
  return {
    account: vars.CDK_DEFAULT_ACCOUNT?.trim() || undefined,
    region: vars.CDK_DEFAULT_REGION?.trim() || undefined,
  };
}

export function buildApp(app: App): RevbotStacks {
  const config = loadConfig(app.node);
  const env = deploymentEnvironment();
  const stackName = (part: string) => resourceName(config.stage, part);

  const monitoring = new MonitoringStack(app, 'Monitoring', {
    env,
    config,
    stackName: stackName('monitoring'),
    description: 'RevBot conversation history, dashboard and alarms',
  });
  const agents = new AgentsStack(app, 'Agents', {
    env,
    config,
    stackName: stackName('agents'),
    description: 'RevBot Bedrock agents, knowledge base and tool Lambdas',
  });
  const slack = new SlackGatewayStack(app, 'SlackGateway', {
    env,
    config,
    agents,
    stackName: stackName('slack-gateway'),
    description: 'RevBot Slack channel: events API, queue and processor',
  });
  const webhook = new WebhookGatewayStack(app, 'WebhookGateway', {
    env,
    config,
    agents,
    stackName: stackName('webhook-gateway'),
    description: 'RevBot webhook channel: HTTP API, queue, processor and signed delivery',
  });

  // The gateways export to the monitoring stack's bucket by name: deploy it first.
  slack.addStackDependency(monitoring);
  webhook.addStackDependency(monitoring);

  Tags.of(app).add('app', 'revbot');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { monitoring, agents, slack, webhook };
}

/**
 * An App carrying `cdk.json`'s context (feature flags included), for tests and benchmarks that
 * synthesize in-process exactly what `cdk synth` would.
 */
export function newRevbotApp(props: AppProps = {}): App {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return new App({ ...props, context: { ...cdkJson.context, ...props.context } });
}
