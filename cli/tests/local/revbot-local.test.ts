import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@revbot/core';
import { describe, expect, it } from 'vitest';
import { startRevbotLocal } from '../../src/local/revbot-local';

describe('local stack configuration', () => {
  it('stops before starting anything with one line naming a bad variable', async () => {
    await expect(startRevbotLocal({ PORT: 'eighty' })).rejects.toThrow(ConfigError);
    await expect(startRevbotLocal({ PORT: 'eighty' })).rejects.toThrow(
      /^Invalid configuration: PORT: /,
    );
    await expect(startRevbotLocal({ AGENT_RUNTIME: 'gpt' })).rejects.toThrow(/AGENT_RUNTIME/);
  });

  it('refuses a Slack configured by halves', async () => {
    await expect(startRevbotLocal({ SLACK_BOT_TOKEN: 'xoxb-1' })).rejects.toThrow(
      /SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL: set all three/,
    );
  });
});

describe('the local stack across a restart', () => {
  it('requires its generated key, and still knows a request and its key after a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-local-'));
    const env = { PORT: '0', REVBOT_DATA_DIR: dataDir, REVBOT_DATA_AS_OF: '2026-11-23' };
    try {
      const first = await startRevbotLocal(env);
      const key = readFileSync(path.join(dataDir, 'api-key'), 'utf8').trim();
      expect(first.apiKey).toEqual({
        shown: `${key.slice(0, 14)}…`,
        source: path.join(dataDir, 'api-key'),
        generated: true,
      });
      const ask = (url: string, headers: Record<string, string>) =>
        fetch(`${url}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: 'What is our pipeline this quarter?', source_system: 't' }),
        });
      expect((await ask(first.url, {})).status).toBe(401);
      const accepted = await ask(first.url, { 'x-api-key': key });
      expect(accepted.status).toBe(202);
      const { tracking_id } = (await accepted.json()) as { tracking_id: string };
      await first.close();

      const second = await startRevbotLocal(env);
      try {
        expect(second.apiKey.generated).toBe(false);
        const status = await fetch(`${second.url}/webhook/${tracking_id}`, {
          headers: { 'x-api-key': key },
        });
        expect(status.status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
