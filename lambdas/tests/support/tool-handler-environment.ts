/**
 * The start of a tool Lambda's handler test: Secrets Manager (aws-sdk-client-mock) answering the
 * tool's secret and the environment its handler reads at import, both restored after the suite.
 * Call it inside the suite's `describe`, after any hook starting the server `env` names.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll } from 'vitest';

export function toolHandlerEnvironment(
  secret: { id: string; value: Record<string, string> },
  env: () => Record<string, string>,
) {
  const secrets = mockClient(SecretsManagerClient);
  const saved = { ...process.env };
  beforeAll(() => {
    secrets
      .on(GetSecretValueCommand, { SecretId: secret.id })
      .resolves({ SecretString: JSON.stringify(secret.value) });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env(),
    });
  });
  afterAll(() => {
    secrets.restore();
    process.env = saved;
  });
  /** The mock, for counting the secret reads. */
  return secrets;
}
