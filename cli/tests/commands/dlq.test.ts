import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { type LocalQueue, type QueueMessage, queuedMessage } from '@revbot/testing/local-queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployHealthyStage } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

const HOUR = 3_600_000;

/** A question as slack-handler enqueues it (lambdas/shared/slack/slack-queue-message.ts). */
function slackMessage(id: string, extra: Partial<QueueMessage> = {}): QueueMessage {
  return queuedMessage({
    messageId: id,
    body: JSON.stringify({
      kind: 'question',
      version: 1,
      conversation_id: `conv-${id}`,
      event_id: `Ev${id}`,
      team: 'T0001',
      channel: 'C0123',
      thread_ts: '1732350000.000100',
      message_ts: '1732350000.000100',
      user: 'U0456',
      question: 'What is the status of the IXIS deal?',
      placeholder_ts: '1732350001.000200',
      received_at: '2026-11-23T08:00:00.000Z',
    }),
    messageAttributes: { kind: { DataType: 'String', StringValue: 'question' } },
    sentAt: Date.now() - 2 * HOUR,
    receiveCount: 3,
    systemAttributes: {
      DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:123456789012:revops-dev-slack-queue',
    },
    ...extra,
  });
}

/** A job as webhook-gateway enqueues it (lambdas/shared/webhook-requests/webhook-job.ts). */
function webhookJob(id: string, extraBody: Record<string, unknown> = {}): QueueMessage {
  return queuedMessage({
    messageId: id,
    body: JSON.stringify({
      version: 1,
      tracking_id: 'trk-7f3a',
      session_id: 'sess-salesforce-1',
      queued_at: '2026-11-22T07:00:00.000Z',
      request: { query: 'Score the lead Jane Doe at Acme', source_system: 'salesforce' },
      ...extraBody,
    }),
    messageAttributes: { tracking_id: { DataType: 'String', StringValue: 'trk-7f3a' } },
    sentAt: Date.now() - 26 * HOUR,
    receiveCount: 3,
  });
}

describe('revbot dlq', () => {
  let aws: FakeAws;
  let slackDlq: LocalQueue;
  let slackQueue: LocalQueue;

  beforeEach(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
    slackDlq = aws.state.queues['revops-dev-slack-dlq'] as LocalQueue;
    slackQueue = aws.state.queues['revops-dev-slack-queue'] as LocalQueue;
  });
  afterEach(() => aws.close());

  it('lists stuck messages with their ids, question and the error recorded in their attributes or body', async () => {
    slackDlq.messages.push(
      slackMessage('m-attr', {
        messageAttributes: {
          ErrorCode: { DataType: 'String', StringValue: 'ThrottlingException' },
          ErrorMessage: { DataType: 'String', StringValue: 'Rate exceeded' },
        },
      }),
      webhookJob('m-body', {
        error: { code: 'AGENT_TIMEOUT', message: 'The agents did not answer within 600 s' },
      }),
      slackMessage('m-none'),
    );
    const { code, out, err } = await runCli(['dlq', 'list', 'slack'], { env: aws.env() });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('slack dead-letter queue revops-dev-slack-dlq: 3 messages');
    expect(out).toContain(
      '  m-attr  sent 2 h ago · received 3 times · event Evm-attr · team T0001 · channel C0123 · thread 1732350000.000100 · user U0456 · conversation conv-m-attr\n' +
        '      question: "What is the status of the IXIS deal?"\n' +
        '      error: ThrottlingException: Rate exceeded (message attributes)\n',
    );
    expect(out).toContain(
      '  m-body  sent 26 h ago · received 3 times · tracking id trk-7f3a · source salesforce · session sess-salesforce-1\n' +
        '      question: "Score the lead Jane Doe at Acme"\n' +
        '      error: AGENT_TIMEOUT: The agents did not answer within 600 s (message body)\n',
    );
    expect(out).toContain('error: none recorded with the message; "revbot dlq show slack m-none"');
    // Looking does not consume: every message is visible again and still in the queue.
    expect(slackDlq.messages).toHaveLength(3);
    expect(slackDlq.messages.every((m) => m.visibleAt <= Date.now())).toBe(true);
    expect(aws.calls.filter((c) => c.action === 'ChangeMessageVisibilityBatch')).toHaveLength(1);
  });

  it('reports both queues by default, and JSON for scripts', async () => {
    slackDlq.messages.push(slackMessage('m-1'));
    const text = await runCli(['dlq', 'list'], { env: aws.env() });
    expect(text.out).toContain('slack dead-letter queue revops-dev-slack-dlq: 1 message\n');
    expect(text.out).toContain('webhook dead-letter queue revops-dev-webhook-dlq: empty');

    const { code, out } = await runCli(['dlq', 'list', '--json'], { env: aws.env() });
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      queues: {
        channel: string;
        visible: number;
        messages: {
          messageId: string;
          ids: Record<string, string>;
          body: Record<string, unknown>;
        }[];
      }[];
    };
    expect(parsed.queues.map((q) => [q.channel, q.visible])).toEqual([
      ['slack', 1],
      ['webhook', 0],
      ['delivery', 0],
    ]);
    expect(parsed.queues[0]?.messages[0]).toMatchObject({
      messageId: 'm-1',
      ids: { event: 'Evm-1', channel: 'C0123', user: 'U0456', conversation: 'conv-m-1' },
      question: 'What is the status of the IXIS deal?',
      body: { kind: 'question', question: 'What is the status of the IXIS deal?' },
    });
  });

  it('shows one message in full with the processor log lines that mention it', async () => {
    slackDlq.messages.push(slackMessage('m-1'), slackMessage('m-2'));
    aws.state.logGroups['/aws/lambda/revops-dev-slack-processor'] = [
      {
        timestamp: Date.now() - 2 * HOUR + 1000,
        message: JSON.stringify({
          level: 'ERROR',
          message: 'Agent call failed',
          messageId: 'm-2',
          slack_event_id: 'Evm-2',
          error: { name: 'ThrottlingException', message: 'Rate exceeded', stack: 'at x' },
        }),
      },
      {
        timestamp: Date.now() - 2 * HOUR + 2000,
        message: JSON.stringify({ level: 'INFO', message: 'unrelated', messageId: 'm-9' }),
      },
    ];
    const { code, out, err } = await runCli(['dlq', 'show', 'm-2'], { env: aws.env() });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Message m-2 in the slack dead-letter queue revops-dev-slack-dlq');
    expect(out).toContain('moved from  arn:aws:sqs:us-east-1:123456789012:revops-dev-slack-queue');
    expect(out).toContain('"question": "What is the status of the IXIS deal?"');
    expect(out).toContain('Processor logs mentioning it (revops-dev-slack-processor)');
    expect(out).toMatch(
      /ERROR {2}Agent call failed {2}messageId=m-2 slack_event_id=Evm-2 error=ThrottlingException: Rate exceeded/,
    );
    expect(out).not.toContain('unrelated');
    expect(out).not.toContain('at x');
    expect(slackDlq.messages).toHaveLength(2);
  });

  it("finds the webhook processor's error line for a stuck job by its message id", async () => {
    const webhookDlq = aws.state.queues['revops-dev-webhook-dlq'] as LocalQueue;
    webhookDlq.messages.push(webhookJob('m-w'));
    aws.state.logGroups['/aws/lambda/revops-dev-webhook-processor'] = [
      {
        timestamp: Date.now() - 25 * HOUR,
        message: JSON.stringify({
          level: 'ERROR',
          message: 'webhook job not finished; SQS will deliver it again',
          timestamp: new Date(Date.now() - 25 * HOUR).toISOString(),
          service: 'webhook-processor',
          message_id: 'm-w',
          receive_count: '3',
          error: 'RetryableError: Bedrock throttled the request',
        }),
      },
    ];
    const { code, out } = await runCli(['dlq', 'show', 'webhook', 'm-w', '--json'], {
      env: aws.env(),
    });
    expect(code).toBe(0);
    const shown = JSON.parse(out) as {
      message: { ids: Record<string, string>; attributes: Record<string, string> };
      processorLogs: { logGroup: string; lines: string[] };
    };
    expect(shown.message.ids).toMatchObject({ 'tracking id': 'trk-7f3a', source: 'salesforce' });
    expect(shown.message.attributes).toEqual({ tracking_id: 'trk-7f3a' });
    expect(shown.processorLogs.logGroup).toBe('/aws/lambda/revops-dev-webhook-processor');
    expect(shown.processorLogs.lines).toEqual([
      expect.stringMatching(
        /ERROR {2}webhook job not finished; SQS will deliver it again {2}message_id=m-w receive_count=3 error=RetryableError: Bedrock throttled the request$/,
      ),
    ]);
    const search = aws.calls.find((c) => c.action === 'FilterLogEvents')?.input as {
      filterPattern: string;
    };
    expect(search.filterPattern).toBe('?"m-w" ?"trk-7f3a"');
  });

  it('says plainly when a message is not in the queue', async () => {
    const { code, err } = await runCli(['dlq', 'show', 'slack', 'missing-id'], { env: aws.env() });
    expect(code).toBe(1);
    expect(err).toBe(
      'revbot dlq: no message missing-id in the slack dead-letter queue (redriven already? "revbot dlq list" shows what is there)\n',
    );
  });

  it('redrives a queue back to its main queue with a message move task and waits for it', async () => {
    slackDlq.messages.push(slackMessage('m-1'), slackMessage('m-2'), slackMessage('m-3'));
    const { code, out, err } = await runCli(['dlq', 'redrive', 'slack'], { env: aws.env() });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(
      'slack: moving 3 messages from revops-dev-slack-dlq back to revops-dev-slack-queue…',
    );
    expect(out).toContain('slack: moved 3 messages back to revops-dev-slack-queue');
    const start = aws.calls.find((c) => c.action === 'StartMessageMoveTask');
    expect(start?.input).toEqual({
      SourceArn: aws.queueArn('revops-dev-slack-dlq'),
      DestinationArn: aws.queueArn('revops-dev-slack-queue'),
    });
    expect(aws.calls.filter((c) => c.action === 'ListMessageMoveTasks').length).toBeGreaterThan(1);
    expect(slackDlq.messages).toHaveLength(0);
    expect(slackQueue.messages.map((m) => m.messageId)).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('redrives a single message by id, keeping its body and attributes', async () => {
    slackDlq.messages.push(
      slackMessage('m-1'),
      slackMessage('m-2', {
        messageAttributes: { channel: { DataType: 'String', StringValue: 'slack' } },
      }),
    );
    const { code, out } = await runCli(['dlq', 'redrive', '--id', 'm-2', '--json'], {
      env: aws.env(),
    });
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      redrives: { channel: string; status: string; messageId: string }[];
    };
    expect(parsed.redrives).toEqual([
      expect.objectContaining({ channel: 'slack', status: 'MOVED', messageId: 'm-2' }),
    ]);
    expect(slackDlq.messages.map((m) => m.messageId)).toEqual(['m-1']);
    expect(slackQueue.messages).toHaveLength(1);
    expect(slackQueue.messages[0]?.body).toBe(slackMessage('m-2').body);
    expect(slackQueue.messages[0]?.messageAttributes).toEqual({
      channel: { DataType: 'String', StringValue: 'slack' },
    });
    expect(aws.calls.some((c) => c.action === 'StartMessageMoveTask')).toBe(false);
  });

  it('does nothing to an empty queue', async () => {
    const { code, out } = await runCli(['dlq', 'redrive', 'webhook'], { env: aws.env() });
    expect(code).toBe(0);
    expect(out).toBe('webhook: revops-dev-webhook-dlq is empty, nothing to redrive\n');
    expect(aws.calls.some((c) => c.action === 'StartMessageMoveTask')).toBe(false);
  });

  it("lists, shows and redrives the delivery stage's dead letters like a channel's", async () => {
    const deliveryDlq = aws.state.queues['revops-dev-webhook-delivery-dlq'] as LocalQueue;
    const deliveryQueue = aws.state.queues['revops-dev-webhook-delivery-queue'] as LocalQueue;
    // A delivery job whose retry schedule ran out (lambdas/shared/webhook-requests/delivery-job.ts).
    deliveryDlq.messages.push(
      queuedMessage({
        messageId: 'm-d',
        body: JSON.stringify({
          version: 1,
          tracking_id: 'trk-9c1d',
          kind: 'answer',
          attempt: 10,
          hop: 0,
        }),
        sentAt: Date.now() - 3 * HOUR,
        receiveCount: 1,
      }),
    );
    aws.state.logGroups['/aws/lambda/revops-dev-webhook-delivery'] = [
      {
        timestamp: Date.now() - 3 * HOUR,
        message: JSON.stringify({
          level: 'WARN',
          message: 'webhook delivery failed for good',
          tracking_id: 'trk-9c1d',
          code: 'DELIVERY_FAILED',
        }),
      },
    ];

    const listed = await runCli(['dlq', 'list', 'delivery'], { env: aws.env() });
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(
      'delivery dead-letter queue revops-dev-webhook-delivery-dlq: 1 message',
    );
    expect(listed.out).toContain('  m-d  sent 3 h ago · received 1 time · tracking id trk-9c1d');
    expect(listed.out).not.toContain('slack dead-letter queue');

    const shown = await runCli(['dlq', 'show', 'm-d', '--json'], { env: aws.env() });
    expect(shown.code).toBe(0);
    const message = JSON.parse(shown.out) as {
      message: { ids: Record<string, string> };
      processorLogs: { logGroup: string; lines: string[] };
    };
    expect(message.message.ids).toEqual({ 'tracking id': 'trk-9c1d' });
    expect(message.processorLogs.logGroup).toBe('/aws/lambda/revops-dev-webhook-delivery');
    expect(message.processorLogs.lines).toEqual([
      expect.stringMatching(
        /WARN {3}webhook delivery failed for good {2}tracking_id=trk-9c1d code=DELIVERY_FAILED$/,
      ),
    ]);

    const redriven = await runCli(['dlq', 'redrive', 'delivery'], { env: aws.env() });
    expect(redriven.code).toBe(0);
    expect(redriven.out).toContain(
      'delivery: moved 1 message back to revops-dev-webhook-delivery-queue',
    );
    expect(aws.calls.find((c) => c.action === 'StartMessageMoveTask')?.input).toEqual({
      SourceArn: aws.queueArn('revops-dev-webhook-delivery-dlq'),
      DestinationArn: aws.queueArn('revops-dev-webhook-delivery-queue'),
    });
    expect(deliveryDlq.messages).toHaveLength(0);
    expect(deliveryQueue.messages.map((m) => m.messageId)).toEqual(['m-d']);
  });

  it('rejects an unknown action or channel with a usage line', async () => {
    const bad = await runCli(['dlq', 'purge'], { env: aws.env() });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('revbot dlq: unknown action "purge" (list, show or redrive)');
    const channel = await runCli(['dlq', 'list', 'email'], { env: aws.env() });
    expect(channel.code).toBe(2);
    expect(channel.err).toContain('unexpected "email": the channel is slack or webhook');
  });
});
