/**
 * One agent session per Slack thread: the id is derived from team, channel and thread ts, so a
 * follow-up in the thread (even handled by another Lambda container, days later) continues the
 * same session. Hashed to a fixed length that satisfies Bedrock's session id rule.
 */
import { createHash } from 'node:crypto';

export function slackSessionId(team: string, channel: string, threadTs: string): string {
  const digest = createHash('sha256')
    .update(`${team}\u0000${channel}\u0000${threadTs}`)
    .digest('hex');
  return `slack-${digest.slice(0, 40)}`;
}
