/**
 * The Bedrock agents of a stage: each exists and is PREPARED, its alias serves the latest
 * version, and every supervisor lists each of the other agents as a collaborator by its alias
 * (never the test alias).
 */
import {
  type Agent,
  type AgentAlias,
  type BedrockAgentClient,
  GetAgentAliasCommand,
  GetAgentCommand,
  paginateListAgentCollaborators,
} from '@aws-sdk/client-bedrock-agent';
import { listNumberedVersions } from '../agent-versions';
import { awsErrorName, describeError } from '../aws-errors';
import type { DeployedAgent } from '../stack-outputs';
import { type HealthCheck, ok, problem } from './health-check';

const TEST_ALIAS = 'TSTALIASID';
const IN_PROGRESS = new Set(['CREATING', 'PREPARING', 'UPDATING', 'VERSIONING']);

interface AgentState {
  deployed: DeployedAgent;
  agent?: Agent;
  alias?: AgentAlias;
  aliasVersion?: string;
  latestVersion?: string;
  /** The agent or alias does not exist, or could not be read. */
  missing?: string;
}

const label = (state: AgentState): string => state.deployed.key;

async function readAgent(client: BedrockAgentClient, deployed: DeployedAgent): Promise<AgentState> {
  const state: AgentState = { deployed };
  try {
    const { agent } = await client.send(new GetAgentCommand({ agentId: deployed.agentId }));
    state.agent = agent;
  } catch (error) {
    state.missing =
      awsErrorName(error) === 'ResourceNotFoundException'
        ? `agent ${deployed.agentId} does not exist`
        : `cannot read agent ${deployed.agentId}: ${describeError(error)}`;
    return state;
  }
  try {
    const [{ agentAlias }, versions] = await Promise.all([
      client.send(
        new GetAgentAliasCommand({ agentId: deployed.agentId, agentAliasId: deployed.aliasId }),
      ),
      listNumberedVersions(client, deployed.agentId),
    ]);
    state.alias = agentAlias;
    state.aliasVersion = agentAlias?.routingConfiguration?.[0]?.agentVersion;
    state.latestVersion = versions.at(-1);
  } catch (error) {
    state.missing =
      awsErrorName(error) === 'ResourceNotFoundException'
        ? `alias ${deployed.aliasId} does not exist`
        : `cannot read alias ${deployed.aliasId}: ${describeError(error)}`;
  }
  return state;
}

function agentCheck(state: AgentState, stage: string): HealthCheck {
  const { deployed, agent, alias } = state;
  const redeploy = `redeploy: pnpm cdk deploy revops-${stage}-agents -c stage=${stage}`;
  if (state.missing || !agent) {
    return problem('Agents', label(state), state.missing ?? 'not found', redeploy);
  }
  const name = `${agent.agentName ?? deployed.agentId} (${deployed.agentId})`;
  const problems: string[] = [];
  const fixes: string[] = [];
  let status: 'warn' | 'fail' = 'warn';
  const agentStatus = agent.agentStatus ?? 'UNKNOWN';
  if (agentStatus === 'NOT_PREPARED') {
    problems.push(`${name} is NOT_PREPARED`);
    fixes.push(`aws bedrock-agent prepare-agent --agent-id ${deployed.agentId}, then ${redeploy}`);
    status = 'fail';
  } else if (IN_PROGRESS.has(agentStatus)) {
    problems.push(`${name} is ${agentStatus}`);
    fixes.push('wait a minute and run revbot doctor again');
  } else if (agentStatus !== 'PREPARED') {
    const reasons = agent.failureReasons?.length ? `: ${agent.failureReasons.join('; ')}` : '';
    problems.push(`${name} is ${agentStatus}${reasons}`);
    fixes.push(`fix the cause, then ${redeploy}`);
    status = 'fail';
  }
  const aliasStatus = alias?.agentAliasStatus ?? 'UNKNOWN';
  if (aliasStatus !== 'PREPARED') {
    problems.push(`alias ${deployed.aliasId} is ${aliasStatus}`);
    if (aliasStatus === 'UPDATING' || aliasStatus === 'CREATING') {
      fixes.push('wait a minute and run revbot doctor again');
    } else {
      fixes.push(redeploy);
      status = 'fail';
    }
  }
  if (!state.latestVersion) {
    problems.push('has no numbered version for its alias to serve');
    fixes.push(redeploy);
    status = 'fail';
  } else if (state.aliasVersion !== state.latestVersion) {
    problems.push(
      `alias ${deployed.aliasId} serves version ${state.aliasVersion ?? 'none'}, the latest is ${state.latestVersion}`,
    );
    fixes.push(
      `${redeploy} (or aws bedrock-agent update-agent-alias --agent-id ${deployed.agentId} --agent-alias-id ${deployed.aliasId} --agent-alias-name ${alias?.agentAliasName ?? '<name>'} --routing-configuration agentVersion=${state.latestVersion})`,
    );
    status = 'fail';
  }
  if (problems.length > 0) {
    return problem(
      'Agents',
      label(state),
      problems.join('; '),
      [...new Set(fixes)].join('; '),
      status,
    );
  }
  return ok(
    'Agents',
    label(state),
    `${name} PREPARED; alias ${deployed.aliasId} serves version ${state.aliasVersion}, the latest`,
  );
}

async function supervisorCheck(
  client: BedrockAgentClient,
  supervisor: AgentState,
  all: AgentState[],
  stage: string,
): Promise<HealthCheck> {
  const { deployed } = supervisor;
  const version = supervisor.aliasVersion ?? 'DRAFT';
  const collaborators: { name: string; aliasArn: string }[] = [];
  for await (const page of paginateListAgentCollaborators(
    { client },
    { agentId: deployed.agentId, agentVersion: version },
  )) {
    for (const summary of page.agentCollaboratorSummaries ?? []) {
      collaborators.push({
        name: summary.collaboratorName ?? summary.collaboratorId ?? '?',
        aliasArn: summary.agentDescriptor?.aliasArn ?? '',
      });
    }
  }
  const expected = all.filter((state) => state !== supervisor);
  const listed = (state: AgentState) =>
    collaborators.some((c) =>
      c.aliasArn.endsWith(`/${state.deployed.agentId}/${state.deployed.aliasId}`),
    );
  const missing = expected.filter((state) => !listed(state));
  const onTestAlias = collaborators.filter((c) => c.aliasArn.endsWith(`/${TEST_ALIAS}`));
  const name = `${label(supervisor)} collaborators`;
  const redeploy = `redeploy: pnpm cdk deploy revops-${stage}-agents -c stage=${stage}`;
  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(
      `version ${version} lists ${collaborators.length} of ${expected.length}; missing ${missing.map(label).join(', ')}`,
    );
  }
  if (onTestAlias.length > 0) {
    problems.push(`${onTestAlias.map((c) => c.name).join(', ')} on the test alias ${TEST_ALIAS}`);
  }
  if (problems.length > 0) return problem('Agents', name, problems.join('; '), redeploy);
  return ok(
    'Agents',
    name,
    `version ${version} lists all ${expected.length}: ${collaborators.map((c) => c.name).join(', ')}`,
  );
}

export async function checkAgents(
  client: BedrockAgentClient,
  agents: DeployedAgent[],
  stage: string,
): Promise<HealthCheck[]> {
  const states = await Promise.all(agents.map((deployed) => readAgent(client, deployed)));
  const checks = states.map((state) => agentCheck(state, stage));
  const supervisors = states.filter(
    (state) => state.agent?.agentCollaboration && state.agent.agentCollaboration !== 'DISABLED',
  );
  if (supervisors.length === 0 && states.every((state) => state.agent)) {
    checks.push(
      problem(
        'Agents',
        'supervisor',
        'no agent has collaboration enabled (SUPERVISOR or SUPERVISOR_ROUTER)',
        `redeploy: pnpm cdk deploy revops-${stage}-agents -c stage=${stage}`,
      ),
    );
  }
  for (const supervisor of supervisors) {
    try {
      checks.push(await supervisorCheck(client, supervisor, states, stage));
    } catch (error) {
      checks.push(
        problem(
          'Agents',
          `${label(supervisor)} collaborators`,
          `cannot list them: ${describeError(error)}`,
          'the caller needs bedrock:ListAgentCollaborators on the agent',
        ),
      );
    }
  }
  return checks;
}
