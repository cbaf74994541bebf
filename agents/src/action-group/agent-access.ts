/**
 * Which agents the person asking may use, as the channel decided it (e.g. Execution only for the
 * RevOps user group) and passed in the session attribute `denied_agents`: comma-separated agent
 * folder keys. Checked where the agent would act — the orchestrator before it runs a
 * collaborator, and every tool before it runs a function (which covers Bedrock Agents too, whose
 * tool Lambdas receive the same session attributes) — so no prompt can reach a denied agent.
 * Session attributes are set by the caller and by tools, never by the model.
 */

export const DENIED_AGENTS_ATTRIBUTE = 'denied_agents';

/** The attribute's value for a list of agent keys (empty: nothing denied). */
export const deniedAgentsAttribute = (agentKeys: readonly string[]): string =>
  [...agentKeys].sort().join(',');

/**
 * True when `agent` — a folder key (`execution_agent`) or a deployed agent name
 * (`revops-prod-execution-agent`) — is denied by the session's attributes.
 */
export function isAgentDenied(
  attributes: Readonly<Record<string, string>> | undefined,
  agent: string,
): boolean {
  const denied = attributes?.[DENIED_AGENTS_ATTRIBUTE];
  if (!denied) return false;
  const name = agent.toLowerCase();
  return denied
    .split(',')
    .map((key) => key.trim().toLowerCase())
    .filter(Boolean)
    .some((key) => {
      const hyphenated = key.replaceAll('_', '-');
      return name === key || name === hyphenated || name.endsWith(`-${hyphenated}`);
    });
}

/** What the model is told instead of the agent's work: say so politely, do not work around it. */
export function agentDeniedMessage(agentName: string): string {
  return `${agentName} is not available to the person asking: RevBot's access policy limits it to other Slack user groups. Tell them politely that you cannot do this for them and that a member of the team that may use it can; do not try to do it another way.`;
}
