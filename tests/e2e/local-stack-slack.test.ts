import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/tests/support/run-cli';

const revbot = (args: string[], env: Record<string, string | undefined>) => runCli(args, { env });

describe('the local stack, Slack channel', () => {
  let stack: RevbotLocal;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-slack-e2e-'));
    stack = await startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      REVBOT_DATA_AS_OF: '2026-11-23',
    });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a signed app_mention in its thread, once, even when Slack retries it', async () => {
    const slackApi = stack.slack.embedded;
    expect(slackApi).toBeDefined();
    const mention = [
      'slack',
      "What's the status of the IXIS deal?",
      '--url',
      stack.url,
      '--event-id',
      'EvE2E0001',
    ];
    const sent = await revbot(mention, {});
    expect(sent.code).toBe(0);
    const thread = sent.out.match(/thread (\S+)/)?.[1] as string;
    await stack.server.drained(30_000);

    // Slack retries the same event: acknowledged, not answered again.
    const retried = await revbot([...mention, '--ts', thread, '--retry-num', '1'], {});
    expect(retried.err).toBe('');
    expect(retried.code).toBe(0);
    await stack.server.drained(30_000);

    const replies = slackApi?.thread('C0LOCAL01', thread) ?? [];
    const answers = replies.filter((message) => /IXIS/.test(message.text));
    expect(answers.length).toBeGreaterThanOrEqual(1);
    expect(answers[0]?.text).toMatch(/Negotiate/);
    // One placeholder, turned into the answer: nothing posted twice.
    const placeholders = replies.filter((m) => m.history.some((t) => /Looking into it/.test(t)));
    expect(placeholders).toHaveLength(1);

    const files = readdirSync(path.join(dataDir, 'conversation-history'), { recursive: true });
    expect(files.some((file) => String(file).endsWith('conversation.json'))).toBe(true);
  });

  it('refuses an event signed with another secret', async () => {
    const refused = await revbot(['slack', 'hello', '--url', stack.url], {
      SLACK_SIGNING_SECRET: 'not-the-secret',
    });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused \(401\)/);
  });
});
