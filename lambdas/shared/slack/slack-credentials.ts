/**
 * The Slack app's bot token and signing secret: from the `revops/<stage>/slack` secret in
 * Secrets Manager (cached per container by the reader), or fixed values in the local stack.
 * Never logged; errors name the secret, not its content.
 */

import { readJsonSecret, type SecretReader } from '@revbot/core';
import * as z from 'zod/mini';

export const slackSecretSchema = z.object({
  bot_token: z.string().check(z.minLength(1)),
  signing_secret: z.string().check(z.minLength(1)),
});

export interface SlackCredentials {
  botToken: string;
  signingSecret: string;
}

/** Resolves the current credentials; called per event, cheap once cached. */
export type SlackCredentialsSource = () => Promise<SlackCredentials>;

export function secretSlackCredentials(
  reader: SecretReader,
  secretId: string,
): SlackCredentialsSource {
  return async () => {
    const secret = await readJsonSecret(reader, secretId, slackSecretSchema);
    return { botToken: secret.bot_token, signingSecret: secret.signing_secret };
  };
}

export function staticSlackCredentials(credentials: SlackCredentials): SlackCredentialsSource {
  return async () => credentials;
}
