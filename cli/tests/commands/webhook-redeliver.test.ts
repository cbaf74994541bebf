import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import type { LocalQueue } from '@revbot/testing/local-queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployHealthyStage } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

const ID = '3f2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d';

describe('revbot webhook redeliver', () => {
  let aws: FakeAws;

  beforeEach(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
  });
  afterEach(() => aws.close());

  it("queues a redelivery job on a deployed stage's delivery queue, found through the stack outputs", async () => {
    const { code, out, err } = await runCli(['webhook', 'redeliver', ID, '--stage', 'dev'], {
      env: aws.env(),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    const queue = aws.state.queues['revops-dev-webhook-delivery-queue'] as LocalQueue;
    expect(queue.messages).toHaveLength(1);
    const job = JSON.parse(queue.messages[0]?.body ?? '{}');
    expect(job).toEqual({
      version: 1,
      tracking_id: ID,
      kind: 'redeliver',
      attempt: 1,
      redelivery_id: expect.stringMatching(/^redeliver-[0-9a-f]{8}$/),
    });
    expect(queue.messages[0]?.messageAttributes.tracking_id?.StringValue).toBe(ID);
    expect(out).toBe(
      `redelivery ${job.redelivery_id} of ${ID} queued on stage dev; its attempts show in GET /webhook/${ID}\n`,
    );
    expect((aws.state.queues['revops-dev-webhook-queue'] as LocalQueue).messages).toHaveLength(0);
  });

  it('refuses what is not a tracking id before reaching anything', async () => {
    const { code, err } = await runCli(['webhook', 'redeliver', 'trk-7f3a', '--stage', 'dev'], {
      env: aws.env(),
    });
    expect(code).not.toBe(0);
    expect(err).toContain('"trk-7f3a" is not a tracking id');
    expect(
      (aws.state.queues['revops-dev-webhook-delivery-queue'] as LocalQueue).messages,
    ).toHaveLength(0);
  });

  it('says to start the local stack when nothing answers at the local URL', async () => {
    const { code, err } = await runCli(
      ['webhook', 'redeliver', ID, '--url', 'http://127.0.0.1:9'],
      { env: {} },
    );
    expect(code).not.toBe(0);
    expect(err).toContain(
      'nothing answers at http://127.0.0.1:9: start the local stack with "pnpm dev"',
    );
  });
});
