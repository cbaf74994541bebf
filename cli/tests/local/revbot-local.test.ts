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
