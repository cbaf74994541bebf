/** The numbered versions of a Bedrock agent, which `revbot doctor` and `revbot agents rollback` read. */
import { type BedrockAgentClient, paginateListAgentVersions } from '@aws-sdk/client-bedrock-agent';

/** Numbered versions, ascending (DRAFT is not a version an alias should serve). */
export async function listNumberedVersions(
  client: BedrockAgentClient,
  agentId: string,
): Promise<string[]> {
  const versions: string[] = [];
  for await (const page of paginateListAgentVersions({ client }, { agentId })) {
    for (const summary of page.agentVersionSummaries ?? []) {
      if (summary.agentVersion && /^\d+$/.test(summary.agentVersion)) {
        versions.push(summary.agentVersion);
      }
    }
  }
  return versions.sort((a, b) => Number(a) - Number(b));
}
