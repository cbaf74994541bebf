/**
 * Points a deployed agent's alias back at an earlier numbered version (by default the one before
 * the version it serves) with UpdateAgentAlias, keeping the alias's name and description. The
 * agent and its versions stay as they are; the next `cdk deploy` that changes the agent moves the
 * alias to a new version again.
 */

import {
  type BedrockAgentClient,
  GetAgentAliasCommand,
  UpdateAgentAliasCommand,
} from '@aws-sdk/client-bedrock-agent';
import { OpsError } from '../errors';
import { listNumberedVersions } from './agent-versions';
import type { DeployedAgent } from './stack-outputs';

export interface RollbackResult {
  agent: DeployedAgent;
  aliasName: string;
  from: string;
  to: string;
  /** The alias status UpdateAgentAlias reported (UPDATING until Bedrock has switched). */
  status: string;
}

export async function rollbackAgentAlias(
  client: BedrockAgentClient,
  agent: DeployedAgent,
  options: { to?: string } = {},
): Promise<RollbackResult> {
  const [{ agentAlias }, versions] = await Promise.all([
    client.send(new GetAgentAliasCommand({ agentId: agent.agentId, agentAliasId: agent.aliasId })),
    listNumberedVersions(client, agent.agentId),
  ]);
  const aliasName = agentAlias?.agentAliasName;
  const from = agentAlias?.routingConfiguration?.[0]?.agentVersion;
  if (!aliasName || !from) {
    throw new OpsError(
      `alias ${agent.aliasId} of ${agent.key} has no name or version: redeploy the agents stack`,
    );
  }
  let to = options.to;
  if (to !== undefined) {
    if (!versions.includes(to)) {
      throw new OpsError(
        `${agent.key} has no version ${to}; its versions are ${versions.join(', ') || 'none'}`,
      );
    }
    if (to === from) throw new OpsError(`alias ${agent.aliasId} already serves version ${to}`);
  } else {
    to = versions.filter((v) => Number(v) < Number(from)).at(-1);
    if (!to) {
      throw new OpsError(
        `${agent.key} has no version before ${from} (versions: ${versions.join(', ') || 'none'}): nothing to roll back to`,
      );
    }
  }
  const updated = await client.send(
    new UpdateAgentAliasCommand({
      agentId: agent.agentId,
      agentAliasId: agent.aliasId,
      agentAliasName: aliasName,
      description: agentAlias?.description,
      routingConfiguration: [{ agentVersion: to }],
    }),
  );
  return {
    agent,
    aliasName,
    from,
    to,
    status: updated.agentAlias?.agentAliasStatus ?? 'UNKNOWN',
  };
}
