/**
 * Who may talk to RevBot through Slack, decided from the signed envelope before anything is
 * claimed, posted or queued:
 *
 * - workspaces: an allowlist of team ids, checked against the envelope's `team_id`, the teams the
 *   app is installed for (`authorizations`) and the asking user's own team (`event.user_team`,
 *   `event.team`, `event.source_team`), so another organisation cannot ask through a shared
 *   channel or its own installation;
 * - Slack Connect: a user of another organisation in an externally shared channel
 *   (`is_ext_shared_channel`, user team ≠ `team_id`) is ignored unless allowed;
 * - channels: an optional list of the channels RevBot answers in; elsewhere it says so politely
 *   in the thread. Direct messages are always answered (the user policy still applies).
 *
 * Ignored events are acknowledged with 200 so Slack does not retry them.
 */
import { ConfigError } from '@revbot/core';
import * as z from 'zod/mini';
import type { EventCallback } from './slack-events';

export interface SlackAccessPolicy {
  /** Workspaces (team or enterprise ids) RevBot answers; empty: any the app is installed in. */
  allowedTeams: readonly string[];
  /** Answer users of other organisations in Slack Connect channels. @default false */
  allowExternalUsers: boolean;
  /** Channels RevBot answers in; empty: every channel it is in. */
  allowedChannels: readonly string[];
}

export const OPEN_SLACK_ACCESS: SlackAccessPolicy = {
  allowedTeams: [],
  allowExternalUsers: false,
  allowedChannels: [],
};

const TEAM_ID = /^[TE][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

export const slackAccessEnvSchema = z.object({
  /** Comma-separated team (T…) or Enterprise Grid (E…) ids. */
  SLACK_ALLOWED_TEAMS: z.optional(z.string()),
  SLACK_ALLOW_EXTERNAL_USERS: z.optional(z.enum(['true', 'false'])),
  /** Comma-separated channel ids (C… or G…). */
  SLACK_ALLOWED_CHANNELS: z.optional(z.string()),
});

function idList(value: string | undefined, variable: string, pattern: RegExp): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  ids.forEach((id, index) => {
    if (!pattern.test(id)) {
      throw new ConfigError(
        `Invalid configuration: ${variable}: entry ${index + 1} is not a Slack id`,
      );
    }
  });
  return ids;
}

/** The policy from the handler's environment; a malformed id throws a ConfigError naming it. */
export function slackAccessPolicyFromEnv(
  env: z.infer<typeof slackAccessEnvSchema>,
): SlackAccessPolicy {
  return {
    allowedTeams: idList(env.SLACK_ALLOWED_TEAMS, 'SLACK_ALLOWED_TEAMS', TEAM_ID),
    allowExternalUsers: env.SLACK_ALLOW_EXTERNAL_USERS === 'true',
    allowedChannels: idList(env.SLACK_ALLOWED_CHANNELS, 'SLACK_ALLOWED_CHANNELS', CHANNEL_ID),
  };
}

const nullableId = z.optional(z.nullable(z.string()));

/** The envelope fields access depends on (the event schema itself stays loose). */
const accessFieldsSchema = z.looseObject({
  team_id: z.string(),
  enterprise_id: nullableId,
  is_ext_shared_channel: z.optional(z.boolean()),
  event: z.looseObject({
    channel: z.optional(z.string()),
    user_team: nullableId,
    team: nullableId,
    source_team: nullableId,
  }),
  authorizations: z.optional(
    z.array(z.looseObject({ team_id: nullableId, enterprise_id: nullableId })),
  ),
});

export type SlackAccessDecision =
  | { action: 'allow' }
  /** Acknowledged and dropped: nothing is said to anyone. */
  | { action: 'ignore'; reason: 'foreign_team' | 'external_user' }
  /** Answered with a polite refusal in the thread instead of the agents. */
  | { action: 'refuse'; reason: 'channel_not_allowed' };

export const CHANNEL_NOT_ALLOWED_TEXT =
  "Sorry, I don't answer in this channel. Ask me in one of the channels I'm set up for, or in a direct message.";

type AccessFields = z.infer<typeof accessFieldsSchema>;

export function decideSlackAccess(
  callback: EventCallback,
  policy: SlackAccessPolicy,
): SlackAccessDecision {
  const parsed = accessFieldsSchema.safeParse(callback);
  // The event schema already required team_id; an odd shape is judged on what is known.
  const fields: AccessFields = parsed.success
    ? parsed.data
    : { team_id: callback.team_id, event: {} };
  const { event } = fields;
  const userTeam = event.user_team ?? event.team ?? undefined;
  if (policy.allowedTeams.length > 0) {
    const allowed = new Set(policy.allowedTeams);
    // An Enterprise Grid org may be allowlisted as a whole by its E… id.
    const admitted = (team: string | null | undefined, enterprise?: string | null) =>
      !team || allowed.has(team) || (!!enterprise && allowed.has(enterprise));
    const installs = fields.authorizations ?? [];
    if (
      !admitted(fields.team_id, fields.enterprise_id) ||
      !admitted(userTeam, fields.enterprise_id) ||
      !admitted(event.source_team, fields.enterprise_id) ||
      installs.some((install) => !admitted(install.team_id, install.enterprise_id))
    ) {
      return { action: 'ignore', reason: 'foreign_team' };
    }
  }
  if (
    !policy.allowExternalUsers &&
    fields.is_ext_shared_channel === true &&
    userTeam &&
    userTeam !== fields.team_id
  ) {
    return { action: 'ignore', reason: 'external_user' };
  }
  const { channel } = event;
  if (
    policy.allowedChannels.length > 0 &&
    channel &&
    !channel.startsWith('D') &&
    !policy.allowedChannels.includes(channel)
  ) {
    return { action: 'refuse', reason: 'channel_not_allowed' };
  }
  return { action: 'allow' };
}
