/**
 * One agent session per Slack thread: the id is derived from team, channel and thread ts, so a
 * follow-up in the thread (even handled by another Lambda container, days later) continues the
 * same session. It is an HMAC under a server key, not a plain hash: the inputs are in every
 * message permalink, and a session id anyone could compute could be joined from another
 * channel. Cut to a fixed length that satisfies Bedrock's session id rule.
 */
import { createHmac } from 'node:crypto';
import { ConfigError } from '@revbot/core';

/** Resolves the server key (Secrets Manager in AWS, the state folder locally). */
export type SessionKeySource = () => Promise<string>;

/** Shorter keys are refused: the key is all that keeps a thread's session unguessable. */
export const MIN_SESSION_KEY_CHARS = 32;

export function slackSessionId(
  key: string,
  team: string,
  channel: string,
  threadTs: string,
): string {
  if (key.length < MIN_SESSION_KEY_CHARS) {
    throw new ConfigError(
      `Invalid configuration: the Slack session key must have at least ${MIN_SESSION_KEY_CHARS} characters`,
    );
  }
  const digest = createHmac('sha256', key)
    .update(`${team}\u0000${channel}\u0000${threadTs}`)
    .digest('hex');
  return `slack-${digest.slice(0, 40)}`;
}
