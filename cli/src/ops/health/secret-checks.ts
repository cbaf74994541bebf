/**
 * Secrets filled in: no value still holds the placeholder the stacks deploy (`REPLACE_ME`,
 * `REPLACE_WITH_…`) or is empty. Values are read to compare and never printed; only key names.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describeError } from '../aws-errors';
import { type HealthCheck, ok, problem } from './health-check';

const isPlaceholder = (value: unknown): boolean =>
  typeof value === 'string' && (value.trim() === '' || /^REPLACE_/.test(value.trim()));

/** Keys (or `(value)` for a plain-text secret) that still hold a placeholder. */
export function unfilledKeys(secretString: string): { keys: string[]; unfilled: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const entries = Object.entries(parsed as Record<string, unknown>);
    return {
      keys: entries.map(([key]) => key),
      unfilled: entries.filter(([, value]) => isPlaceholder(value)).map(([key]) => key),
    };
  }
  return { keys: [], unfilled: isPlaceholder(secretString) ? ['(value)'] : [] };
}

export async function checkSecret(client: SecretsManagerClient, arn: string): Promise<HealthCheck> {
  const fallbackName = arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') ?? arn;
  let response: GetSecretValueCommandOutput;
  try {
    response = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  } catch (error) {
    return problem(
      'Secrets',
      fallbackName,
      `cannot read it: ${describeError(error)}`,
      `the caller needs secretsmanager:GetSecretValue on ${arn}`,
    );
  }
  const name = response.Name ?? fallbackName;
  if (response.SecretString === undefined) {
    return ok('Secrets', name, 'binary value set');
  }
  const { keys, unfilled } = unfilledKeys(response.SecretString);
  if (unfilled.length === 0) {
    // `placeholder` is the key CloudFormation generates to keep a templated secret valid JSON.
    const named = keys.filter((key) => key !== 'placeholder');
    return ok('Secrets', name, named.length ? `${named.join(', ')} set` : 'set');
  }
  const template =
    keys.length > 0
      ? `'${JSON.stringify(Object.fromEntries(keys.filter((k) => k !== 'placeholder').map((k) => [k, '…'])))}'`
      : "'…'";
  return problem(
    'Secrets',
    name,
    `${unfilled.join(', ')} still ${unfilled.length === 1 ? 'holds' : 'hold'} the placeholder`,
    `aws secretsmanager put-secret-value --secret-id ${name} --secret-string ${template}`,
  );
}
