import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { closedPort } from '@revbot/testing/listen-on-loopback';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deployHealthyStage } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

/** The SDK also reads process.env and ~/.aws: point it at nothing for these tests. */
function isolateFromMachineConfig() {
  for (const name of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/revbot-test/config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/revbot-test/credentials');
  // Never let the default chain try the instance metadata service from a test.
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

describe('errors the operations commands share', () => {
  let aws: FakeAws;
  beforeEach(async () => {
    isolateFromMachineConfig();
    aws = await startFakeAws();
    deployHealthyStage(aws);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await aws.close();
  });

  it('names the missing stack, region and stage in one line', async () => {
    const { code, out, err } = await runCli(['dlq', 'list', '--stage', 'prod'], { env: aws.env() });
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      'revbot dlq: stack revops-prod-slack-gateway not found in us-east-1: deploy it (pnpm cdk deploy --all -c stage=<stage>) or pass the right --stage/--region\n',
    );
  });

  it('asks for a region when none is configured', async () => {
    const env = aws.env({ AWS_REGION: undefined });
    for (const args of [['doctor'], ['kb', 'status'], ['logs', 'slack']]) {
      const { code, err } = await runCli(args, { env });
      expect(code).toBe(1);
      expect(err).toBe(`revbot ${args[0]}: no AWS region: pass --region or set AWS_REGION\n`);
    }
    const withFlag = await runCli(['kb', 'status', '--region', 'us-east-1'], { env });
    expect(withFlag.code).toBe(0);
  });

  it('asks for credentials when none are found', async () => {
    const env = aws.env({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const { code, err } = await runCli(['doctor'], { env });
    expect(code).toBe(1);
    expect(err).toBe(
      'revbot doctor: no AWS credentials found: set AWS_PROFILE (and run aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n',
    );
  });

  it('says when the credentials have expired or are refused', async () => {
    aws.state.fault = {
      service: 'cloudformation',
      status: 403,
      code: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    };
    const expired = await runCli(['doctor'], { env: aws.env() });
    expect(expired.err).toBe(
      'revbot doctor: the AWS credentials have expired: sign in again (aws sso login) or refresh the keys\n',
    );
    aws.state.fault = {
      service: 'cloudformation',
      status: 403,
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:DescribeStacks',
    };
    const denied = await runCli(['kb', 'sync'], { env: aws.env() });
    expect(denied.code).toBe(1);
    expect(denied.err).toBe(
      'revbot kb: access denied: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:DescribeStacks\n',
    );
  });

  it('says which output a stack lacks', async () => {
    delete aws.state.stacks['revops-dev-agents']?.outputs?.KnowledgeBaseBucketName;
    const { code, err } = await runCli(['kb', 'sync', '--dir', '.'], { env: aws.env() });
    expect(code).toBe(1);
    expect(err).toBe(
      'revbot kb: stack revops-dev-agents has no output KnowledgeBaseBucketName: redeploy it with this version of RevBot (pnpm cdk deploy revops-dev-agents)\n',
    );
  });

  it('says when AWS cannot be reached', async () => {
    const port = await closedPort();
    const { code, err } = await runCli(['dlq', 'list'], {
      env: aws.env({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }),
    });
    expect(code).toBe(1);
    expect(err).toBe(
      'revbot dlq: cannot reach AWS (ECONNREFUSED): check the network, --region and any AWS_ENDPOINT_URL\n',
    );
  });

  it('rejects a malformed stage before calling AWS', async () => {
    const { code, err } = await runCli(['doctor', '--stage', 'Prod_1'], { env: aws.env() });
    expect(code).toBe(2);
    expect(err).toContain('invalid stage "Prod_1"');
    expect(aws.calls).toEqual([]);
  });
});
