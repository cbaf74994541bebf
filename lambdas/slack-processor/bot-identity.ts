/**
 * Who RevBot is in the workspace its token belongs to (`auth.test`): its bot user, to tell its own
 * messages in a thread from people's, and the team, which a scheduled report has no event to name.
 * Asked once per Web API client (one per token), so a warm container asks once.
 */

import { RetryableError } from '@revbot/core';
import type { WebClient } from '@slack/web-api';
import { slackCall } from '../shared/slack/slack-web-client';

export interface BotIdentity {
  team: string;
  botUserId: string;
}

const known = new WeakMap<WebClient, Promise<BotIdentity>>();

export function botIdentity(slack: WebClient): Promise<BotIdentity> {
  let identity = known.get(slack);
  if (!identity) {
    identity = slackCall('auth.test', slack.auth.test()).then((result) => {
      if (!result.team_id || !result.user_id) {
        throw new RetryableError('Slack auth.test named no team or user', 'SLACK_API_ERROR');
      }
      return { team: result.team_id, botUserId: result.user_id };
    });
    identity.catch(() => known.delete(slack));
    known.set(slack, identity);
  }
  return identity;
}
