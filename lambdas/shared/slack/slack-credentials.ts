/**
 * The Slack app's bot token and signing secret, each in its own Secrets Manager secret so a role
 * can be given one without the other: the handler reads both, the processor only the bot token
 * (`revops/<stage>/slack`: `{"bot_token"}`; `revops/<stage>/slack-signing`:
 * `{"signing_secret"}`). Cached per container by the reader; fixed values in the local stack.
 * Never logged; errors name the secret, not its content.
 */

import { readJsonSecret, type SecretReader } from '@revbot/core';
import * as z from 'zod/mini';

export const slackBotTokenSecretSchema = z.object({
  bot_token: z.string().check(z.minLength(1)),
});

export const slackSigningSecretSchema = z.object({
  signing_secret: z.string().check(z.minLength(1)),
});

export interface SlackCredentials {
  botToken: string;
  signingSecret: string;
}

/** Resolves the current credentials; called per event, cheap once cached. */
export type SlackCredentialsSource = () => Promise<SlackCredentials>;

/** Resolves the bot token alone: all the processor may read. */
export type SlackBotTokenSource = () => Promise<string>;

export interface SlackSecretIds {
  /** The secret holding `{"bot_token"}`. */
  botToken: string;
  /** The secret holding `{"signing_secret"}`. */
  signingSecret: string;
}

export function secretSlackBotToken(reader: SecretReader, secretId: string): SlackBotTokenSource {
  return async () => (await readJsonSecret(reader, secretId, slackBotTokenSecretSchema)).bot_token;
}

export function secretSlackCredentials(
  reader: SecretReader,
  ids: SlackSecretIds,
): SlackCredentialsSource {
  const botToken = secretSlackBotToken(reader, ids.botToken);
  return async () => {
    const [token, signing] = await Promise.all([
      botToken(),
      readJsonSecret(reader, ids.signingSecret, slackSigningSecretSchema),
    ]);
    return { botToken: token, signingSecret: signing.signing_secret };
  };
}

export function staticSlackCredentials(credentials: SlackCredentials): SlackCredentialsSource {
  return async () => credentials;
}
