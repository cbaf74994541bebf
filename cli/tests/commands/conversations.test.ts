/**
 * `revbot conversations` on records produced by the monitoring package itself: recorded real
 * InvokeAgent streams (testing/fixtures/bedrock-traces) are turned into records with
 * buildConversationRecord and exported with the package's own sinks, to the fake S3 bucket (real
 * S3 client) and to a local folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type ConversationContext,
  localConversationSink,
  s3ConversationSink,
} from '@revbot/monitoring';
import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSATION_BUCKET, deployHealthyStage } from '../support/deployed-stage';
import { exportRecordedConversations } from '../support/recorded-streams';
import { runCli } from '../support/run-cli';

const HOUR = 3_600_000;

const slack = (
  user: string,
  channel: string,
  conversationId: string,
  query: string,
): ConversationContext => ({
  conversationId,
  channel: {
    kind: 'slack',
    team: 'T0001',
    channel,
    thread_ts: '1732350000.000100',
    user,
    event_id: `Ev-${conversationId}`,
  },
  userQuery: query,
});

const RECORDS: { file: string; hoursAgo: number; context: ConversationContext }[] = [
  {
    file: '03-supervisor-router-routes-to-collaborator-with-action-group.json',
    hoursAgo: 2,
    context: slack('U0456', 'C0REVOPS', 'conv-primes', 'Find all prime numbers between 10 and 50'),
  },
  {
    file: '01-supervisor-nested-collaborators.json',
    hoursAgo: 30,
    context: slack(
      'U0789',
      'C0SALES',
      'conv-sum',
      'Find the sum of 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10.',
    ),
  },
  {
    file: '05-function-action-groups-with-guardrail-pre-post.json',
    hoursAgo: 5,
    context: {
      conversationId: 'conv-trip',
      channel: {
        kind: 'webhook',
        tracking_id: 'trk-42',
        source_system: 'salesforce',
        source_process: 'opportunity-review',
      },
      userQuery: 'Plan a 7-day beach vacation with nature and outdoor adventures',
    },
  },
  {
    file: '01-supervisor-nested-collaborators.json',
    hoursAgo: 24 * 12,
    context: slack('U0456', 'C0REVOPS', 'conv-old', 'An older question'),
  },
];

describe('revbot conversations', () => {
  let aws: FakeAws;
  let localDir: string;

  beforeAll(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
    localDir = mkdtempSync(path.join(tmpdir(), 'revbot-conversations-'));
    const s3 = new S3Client({ ...localClientConfig(aws.url), forcePathStyle: true });
    // Each recorded stream moved in time so that it started `hoursAgo` hours ago.
    await exportRecordedConversations(
      RECORDS.map(({ file, hoursAgo, context }) => ({
        file,
        startMs: Date.now() - hoursAgo * HOUR,
        context,
      })),
      [
        s3ConversationSink({ client: s3, bucket: CONVERSATION_BUCKET }),
        localConversationSink(path.join(localDir, '.revbot')),
      ],
    );
    s3.destroy();
  });
  afterAll(async () => {
    await aws.close();
    rmSync(localDir, { recursive: true, force: true });
  });

  it('lists the last week of conversations from the stage bucket, newest first', async () => {
    const { code, out, err } = await runCli(['conversations', 'list'], { env: aws.env() });
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\) +ID +CHANNEL +USER +STATUS +TOOK +QUESTION$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(1))).toEqual([
      [
        'conv-primes',
        'slack C0REVOPS',
        'U0456',
        'completed',
        '8.4 s',
        'Find all prime numbers between 10 and 50',
      ],
      [
        'conv-trip',
        'webhook salesforce',
        '-',
        'completed',
        '22.2 s',
        'Plan a 7-day beach vacation with nature and outdoor adventures',
      ],
      [
        'conv-sum',
        'slack C0SALES',
        'U0789',
        'completed',
        '16.1 s',
        'Find the sum of 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10.',
      ],
    ]);
    // The bucket came from the monitoring stack's resources; one listing per day of the window.
    const lists = aws.calls
      .filter((c) => c.action === 'ListObjectsV2')
      .map((c) => c.input as { bucket: string; prefix: string });
    expect(new Set(lists.map((l) => l.bucket))).toEqual(new Set([CONVERSATION_BUCKET]));
    expect(lists.length).toBeGreaterThanOrEqual(7);
    expect(lists.every((l) => /^conversation-history\/\d{4}\/\d{2}\/\d{2}\/$/.test(l.prefix))).toBe(
      true,
    );
  });

  it('filters by user, channel and window', async () => {
    const byUser = await runCli(
      ['conversations', 'list', '--user', 'U0456', '--since', '30d', '--json'],
      { env: aws.env() },
    );
    const ids = (out: string) =>
      (JSON.parse(out) as { conversations: { id: string }[] }).conversations.map((c) => c.id);
    expect(ids(byUser.out)).toEqual(['conv-primes', 'conv-old']);
    const byChannel = await runCli(['conversations', 'list', '--channel', 'C0SALES'], {
      env: aws.env(),
    });
    expect(byChannel.out).toContain('conv-sum');
    expect(byChannel.out).not.toContain('conv-primes');
    const webhooks = await runCli(['conversations', 'list', '--channel', 'webhook', '--json'], {
      env: aws.env(),
    });
    expect(ids(webhooks.out)).toEqual(['conv-trip']);
    const recent = await runCli(['conversations', 'list', '--since', '12h', '--json'], {
      env: aws.env(),
    });
    expect(ids(recent.out)).toEqual(['conv-primes', 'conv-trip']);
    const limited = await runCli(['conversations', 'list', '--limit', '1', '--json'], {
      env: aws.env(),
    });
    expect(ids(limited.out)).toEqual(['conv-primes']);
  });

  it('renders a recorded conversation as a timeline of agents, hand-offs, tools and the answer', async () => {
    const { code, out, err } = await runCli(['conversations', 'show', 'conv-primes'], {
      env: aws.env(),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Conversation conv-primes · completed · 8.4 s · 1,877 tokens',
      '  Slack · team T0001 · channel C0REVOPS · thread 1732350000.000100 · user U0456',
      expect.stringMatching(
        /^ {2}started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · first words after 8\.3 s · session test-rc-reasoning-cassette$/,
      ),
    ]);
    const timeline = lines.slice(lines.indexOf('Timeline') + 1, lines.indexOf('Answer') - 1);
    expect(timeline).toEqual([
      '  +0.0s    ▶ Manager · 8.4 s · 424 tokens',
      '  +0.3s      ⤷ routed to MathAgent · 1.2 s',
      '  +1.4s      → hands off to MathAgent (routed): "Find all prime numbers between 10 and 50"',
      '  +1.5s        ▶ MathAgent · 6.8 s · 1,453 tokens',
      expect.stringMatching(
        /^ {2}\+1\.7s {10}· thinks: User asked for prime numbers between 10 and 50\. We need to use the tool .*…$/,
      ),
      '  +3.4s          ⚙ prime_numbers_action_group › prime_numbers_between_n1_and_n2(n1=10, n2=50) · 43 ms · ok',
      '                   ↳ [2,3,5,7]',
      expect.stringMatching(/^ {2}\+3\.4s {10}· thinks: We got primes returned: \[2,3,5,7\]/),
      expect.stringMatching(
        /^ {2}\+8\.3s {6}← MathAgent returned · 6\.9 s: "The tool `<REDACTED>` returned the list/,
      ),
    ]);
    expect(out).toContain(
      'Answer\n  The tool `<REDACTED>` returned the list `[2, 3, 5, 7]` for the requested range 10‑50.',
    );
    expect(out).toContain('  11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47\n');
    expect(out).toContain(
      'Usage: 3 model calls, 1,220 in + 657 out tokens (openai.gpt-oss-20b-1:0 1,877)',
    );
    expect(out).toContain('Quality 1.00: All 7 quality checks passed.');
    expect(out).toMatch(
      new RegExp(
        `s3://${CONVERSATION_BUCKET}/conversation-history/\\d{4}/\\d\\d/\\d\\d/\\d{8}T\\d{6}\\.\\d{3}Z_conv-primes/\\n$`,
      ),
    );
  });

  it('nests collaborators under the agent that called them, and shows tools and guardrails', async () => {
    const nested = await runCli(['conversations', 'show', 'conv-sum'], { env: aws.env() });
    expect(nested.out).toMatch(
      /\n {2}\+\d+\.\ds {6}→ hands off to SimpleSupervisor: "Please calculate the sum/,
    );
    expect(nested.out).toMatch(/\n {2}\+\d+\.\ds {8}▶ SimpleSupervisor · 13\.6 s/);
    expect(nested.out).toMatch(/\n {2}\+\d+\.\ds {10}→ hands off to MathSolverAgent/);
    expect(nested.out).toMatch(/\n {2}\+\d+\.\ds {12}▶ MathSolverAgent · 7\.5 s/);
    expect(nested.out).toContain(
      'Answer\n  The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.',
    );

    const tools = await runCli(['conversations', 'show', 'conv-trip', '--full'], {
      env: aws.env(),
    });
    expect(tools.out).toContain(
      '  webhook · tracking id trk-42 · from salesforce (opportunity-review)',
    );
    expect(tools.out).toMatch(/⛨ guardrail on input: passed · 365 ms/);
    expect(tools.out).toMatch(
      /⚙ location_suggestion › find_country\(trip_description=.*\) · 362 ms · ok\n {15}↳ The function find_country was called successfully!/,
    );
    expect(tools.out).toMatch(
      /⚙ location_suggestion › find_city\(country=Costa Rica\) · 17 ms · ok/,
    );
    expect(tools.out).toMatch(
      /⚙ location_suggestion › find_season\(country=Costa Rica, city=Manuel Antonio\) · 14 ms · ok/,
    );
  });

  it('reads the local folder with the same layout', async () => {
    const list = await runCli(['conversations', 'list', '--local', '--json'], { cwd: localDir });
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.out) as {
      source: string;
      conversations: { id: string; location: string }[];
    };
    expect(parsed.source).toBe(path.join(localDir, '.revbot'));
    expect(parsed.conversations.map((c) => c.id)).toEqual(['conv-primes', 'conv-trip', 'conv-sum']);
    const shown = await runCli(['conversations', 'show', 'conv-primes', '--local'], {
      cwd: localDir,
    });
    expect(shown.out).toContain(
      '  +3.4s          ⚙ prime_numbers_action_group › prime_numbers_between_n1_and_n2(n1=10, n2=50) · 43 ms · ok',
    );
    expect(aws.calls.filter((c) => c.action === 'GetObject').length).toBeGreaterThan(0);
  });

  it('prints the record itself with --json', async () => {
    const { code, out } = await runCli(['conversations', 'show', 'conv-trip', '--json'], {
      env: aws.env(),
    });
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      conversation: { conversation_id: string; agent_flow: unknown[] };
      metadata: { counts: { tool_calls: number } };
    };
    expect(parsed.conversation.conversation_id).toBe('conv-trip');
    expect(parsed.metadata.counts.tool_calls).toBe(3);
  });

  it('says where it looked when a conversation is not found', async () => {
    const { code, err } = await runCli(['conversations', 'show', 'conv-nope', '--since', '2d'], {
      env: aws.env(),
    });
    expect(code).toBe(1);
    expect(err).toBe(
      `revbot conversations: no conversation conv-nope in s3://${CONVERSATION_BUCKET} in the last 2 days (widen the search with --since)\n`,
    );
    const local = await runCli(['conversations', 'list', '--local'], { cwd: tmpdir() });
    expect(local.code).toBe(1);
    expect(local.err).toContain('no conversation-history/ folder in');
  });
});
