import { type FakeAws, type FakeLogEvent, startFakeAws } from '@revbot/testing/fake-aws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployHealthyStage } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

const MINUTE = 60_000;

const powertools = (
  at: number,
  level: string,
  message: string,
  keys: Record<string, unknown> = {},
) => ({
  timestamp: at,
  message: JSON.stringify({
    level,
    message,
    timestamp: new Date(at).toISOString(),
    service: 'webhook-processor',
    cold_start: false,
    function_request_id: 'req-1',
    xray_trace_id: '1-abc',
    ...keys,
  }),
});

describe('revbot logs', () => {
  let aws: FakeAws;
  let gateway: FakeLogEvent[];
  let processor: FakeLogEvent[];
  const now = Date.now();

  beforeEach(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
    gateway = aws.state.logGroups['/aws/lambda/revops-dev-webhook-gateway'] as FakeLogEvent[];
    processor = aws.state.logGroups['/aws/lambda/revops-dev-webhook-processor'] as FakeLogEvent[];
    gateway.push(
      powertools(now - 3 * 60 * MINUTE, 'INFO', 'Request accepted', { tracking_id: 'trk-old' }),
      powertools(now - 10 * MINUTE, 'INFO', 'Request accepted', { tracking_id: 'trk-1' }),
      powertools(now - 9 * MINUTE, 'INFO', 'Request accepted', { tracking_id: 'trk-2' }),
    );
    processor.push(
      powertools(now - 8 * MINUTE, 'INFO', 'Asking the agents', {
        tracking_id: 'trk-1',
        session_id: 'sess-1',
      }),
      {
        timestamp: now - 7 * MINUTE,
        message: JSON.stringify({
          time: new Date(now - 7 * MINUTE).toISOString(),
          type: 'platform.report',
          record: { requestId: 'req-9', status: 'success', metrics: { durationMs: 5123.4 } },
        }),
      },
      powertools(now - 6 * MINUTE, 'ERROR', 'Delivery failed', {
        tracking_id: 'trk-1',
        error: {
          name: 'DeliveryError',
          message: 'receiver answered 503',
          stack: 'Error: at deliver (x.ts:1)',
        },
      }),
    );
  });
  afterEach(() => aws.close());

  it("prints a function's recent events as readable lines from its log group", async () => {
    const { code, out, err } = await runCli(['logs', 'webhook-gateway'], { env: aws.env() });
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} {2}INFO {3}Request accepted {2}tracking_id=trk-1$/,
    );
    expect(out).not.toContain('trk-old');
    const filter = aws.calls.find((c) => c.action === 'FilterLogEvents');
    expect(filter?.input).toMatchObject({ logGroupName: '/aws/lambda/revops-dev-webhook-gateway' });
    expect(Number((filter!.input as { startTime: number }).startTime)).toBeGreaterThan(
      now - 61 * MINUTE,
    );
  });

  it('follows one tracking id across both webhook functions in time order', async () => {
    const { code, out } = await runCli(['logs', 'webhook', '--tracking-id', 'trk-1'], {
      env: aws.env(),
    });
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ \S+ {2}/, ''))).toEqual([
      'INFO   webhook-gateway  Request accepted  tracking_id=trk-1',
      'INFO   webhook-processor  Asking the agents  tracking_id=trk-1 session_id=sess-1',
      'ERROR  webhook-processor  Delivery failed  tracking_id=trk-1 error=DeliveryError: receiver answered 503',
    ]);
    const patterns = aws.calls
      .filter((c) => c.action === 'FilterLogEvents')
      .map((c) => (c.input as { filterPattern: string }).filterPattern);
    expect(patterns).toEqual(['"trk-1"', '"trk-1"']);
  });

  it('shows Lambda platform lines and pages through FilterLogEvents', async () => {
    const { out } = await runCli(['logs', 'webhook-processor', '--json'], { env: aws.env() });
    const events = out
      .trimEnd()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { function: string; message: { type?: string; level?: string } },
      );
    expect(events).toHaveLength(3);
    expect(events[1]).toMatchObject({
      function: 'webhook-processor',
      message: { type: 'platform.report' },
    });
    const text = await runCli(['logs', 'webhook-processor'], { env: aws.env() });
    expect(text.out).toContain('PLATFORM  platform.report request req-9, success, 5123.4 ms');
    expect(text.out).not.toContain('at deliver');
  });

  it('keeps printing new events with --follow until its output is closed', async () => {
    let appended = false;
    const { code, out } = await runCli(
      ['logs', 'webhook-processor', '--tracking-id', 'trk-1', '--follow'],
      {
        env: aws.env(),
        onStdout: (text, stdout) => {
          if (!appended && text.includes('Delivery failed')) {
            appended = true;
            processor.push(
              powertools(Date.now(), 'INFO', 'Delivery retried', { tracking_id: 'trk-1' }),
              powertools(Date.now(), 'INFO', 'Other request', { tracking_id: 'trk-2' }),
            );
          }
          if (text.includes('Delivery retried')) stdout.destroy();
        },
      },
    );
    expect(code).toBe(0);
    expect(out.match(/Delivery failed/g)).toHaveLength(1);
    expect(out).toContain('Delivery retried');
    expect(out).not.toContain('Other request');
  });

  it('names the functions that have logs when the one asked for has none', async () => {
    const { code, err } = await runCli(['logs', 'slack-procesor'], { env: aws.env() });
    expect(code).toBe(1);
    expect(err).toBe(
      'revbot logs: no log group for "slack-procesor" in stage dev; functions with logs: slack-handler, slack-processor, tool-firebolt-query, tool-firebolt-writer, tool-gong-retrieval, tool-web-search, tool-webhook-executor, webhook-gateway, webhook-processor\n',
    );
  });

  it('finds a tool by its short name', async () => {
    aws.state.logGroups['/aws/lambda/revops-dev-tool-gong-retrieval']?.push(
      powertools(now - MINUTE, 'WARN', 'Gong rate limited; retrying'),
    );
    const { code, out } = await runCli(['logs', 'gong-retrieval'], { env: aws.env() });
    expect(code).toBe(0);
    expect(out).toContain('WARN   Gong rate limited; retrying');
  });

  it('refuses a tracking id that would change the filter pattern', async () => {
    const { code, err } = await runCli(['logs', 'slack', '--tracking-id', 'a" OR "b'], {
      env: aws.env(),
    });
    expect(code).toBe(2);
    expect(err).toContain('--tracking-id may hold letters, digits');
  });
});
