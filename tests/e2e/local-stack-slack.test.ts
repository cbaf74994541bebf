import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
      // The placeholder path; streamed answers are covered by lambdas' slack-streaming tests.
      SLACK_STREAMING: 'off',
    });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Mentions RevBot with `text` and returns the thread's messages once the work is done. */
  async function mention(text: string, eventId: string) {
    const sent = await revbot(['slack', text, '--url', stack.url, '--event-id', eventId], {});
    expect(sent.code).toBe(0);
    const thread = sent.out.match(/thread (\S+)/)?.[1] as string;
    await stack.server.drained(60_000);
    return stack.slack.embedded?.thread('C0LOCAL01', thread) ?? [];
  }

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

  it('answers @RevBot test connectivity with the self-test of the local pieces', async () => {
    const conversations = () =>
      existsSync(path.join(dataDir, 'conversation-history'))
        ? readdirSync(path.join(dataDir, 'conversation-history'), { recursive: true }).filter(
            (file) => String(file).endsWith('conversation.json'),
          ).length
        : 0;
    const before = conversations();
    const replies = await mention('test connectivity', 'EvE2E0002');
    const table = replies.find((message) => /RevBot self-test/.test(message.text))?.text ?? '';
    expect(table).toMatch(
      /^:white_check_mark: \*RevBot self-test\* \(local\): everything answered/,
    );
    for (const line of [
      /ok {4}agents +6 agents loaded, entry manager_agent/,
      /ok {4}tool firebolt_query +ran SELECT 1 in \d+ ms/,
      /ok {4}tool webhook_executor +answered a probe/,
      /ok {4}warehouse +embedded duckdb answered SELECT 1/,
      /ok {4}webhook signing secret +set, a valid whsec_ key/,
    ]) {
      expect(table).toMatch(line);
    }
    expect(table).toMatch(/11 ok, 0 failed, 0 skipped: healthy/);
    // No agent ran: no conversation was recorded for it.
    expect(conversations()).toBe(before);
  });

  it("answers @RevBot test <agent> functionality with that agent's golden-set cases", async () => {
    const replies = await mention('test the data agent functionality', 'EvE2E0003');
    const report = replies.find((message) => /golden-set cases passed/.test(message.text))?.text;
    const [headline = '', ...lines] = (report ?? '').split('\n');
    const match = headline.match(/^DataAgent: (\d+) of (\d+) golden-set cases passed/);
    expect(match, headline).not.toBeNull();
    // One line per case asked, each saying how it went.
    expect(lines).toHaveLength(Number(match?.[2]));
    expect(lines.every((line) => /^(PASS|FAIL) {2}\S/.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('PASS'))).toHaveLength(Number(match?.[1]));
  });

  it('refuses an event signed with another secret', async () => {
    const refused = await revbot(['slack', 'hello', '--url', stack.url], {
      SLACK_SIGNING_SECRET: 'not-the-secret',
    });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused \(401\)/);
  });
});
