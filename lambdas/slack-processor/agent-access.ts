/**
 * The Slack side of the agent access policy: `SLACK_AGENT_GROUPS` names, per agent, the Slack
 * user groups whose members may use it (`{"execution_agent": ["S0REVOPS1"]}`: Execution only for
 * RevOps); agents it does not name are open to everyone. For each question the processor works
 * out which agents the asker may not use and passes them to the runtime in the `denied_agents`
 * session attribute, which the orchestrator and every tool enforce (`@revbot/agents/action-group`
 * `isAgentDenied`). Group members come from `usergroups.users.list` (scope `usergroups:read`),
 * cached for a few minutes; when Slack cannot say, the restricted agents are denied.
 */
import { ConfigError, errorFields, type Logger } from '@revbot/core';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { slackCall } from '../shared/slack/slack-web-client';

const agentGroupsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be an agent folder name'),
  z.array(z.string().regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id (S…)')).min(1),
);

/** Agent folder key → the user group ids whose members may use it. */
export type AgentGroups = Readonly<Record<string, readonly string[]>>;

/** The denied agents' keys for a Slack user. */
export type AgentAccess = (user: string) => Promise<string[]>;

/** `SLACK_AGENT_GROUPS`; unset or empty: no policy. A bad value throws a ConfigError naming it. */
export function parseAgentGroups(value: string | undefined): AgentGroups | undefined {
  if (!value?.trim()) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new ConfigError('Invalid configuration: SLACK_AGENT_GROUPS: not valid JSON');
  }
  const parsed = agentGroupsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Invalid configuration: SLACK_AGENT_GROUPS: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}`,
    );
  }
  return parsed.data;
}

export interface SlackAgentAccessOptions {
  groups: AgentGroups;
  slack: () => Promise<WebClient>;
  logger: Logger;
  /** How long a group's members are trusted. @default 5 minutes */
  ttlMs?: number;
  now?: () => number;
}

export function slackAgentAccess(options: SlackAgentAccessOptions): AgentAccess {
  const ttl = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { members: ReadonlySet<string>; at: number }>();

  async function members(group: string): Promise<ReadonlySet<string> | undefined> {
    const cached = cache.get(group);
    if (cached && now() - cached.at < ttl) return cached.members;
    try {
      const slack = await options.slack();
      const answer = await slackCall(
        'usergroups.users.list',
        slack.usergroups.users.list({ usergroup: group }),
      );
      const found = new Set(answer.users ?? []);
      cache.set(group, { members: found, at: now() });
      return found;
    } catch (error) {
      // Failing closed: the restricted agent stays out of reach until Slack answers.
      options.logger.warn('Slack user group could not be read; its agents are denied', {
        usergroup: group,
        error: errorFields(error),
      });
      return undefined;
    }
  }

  return async (user) => {
    const denied: string[] = [];
    for (const [agent, groups] of Object.entries(options.groups)) {
      const lists = await Promise.all(groups.map(members));
      if (!lists.some((list) => list?.has(user))) denied.push(agent);
    }
    return denied;
  };
}
