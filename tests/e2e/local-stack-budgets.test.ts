/** `pnpm dev` enforces BUDGETS too: the embedded DynamoDB keeps the day's counters. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the local stack with a daily budget per API key', () => {
  let stack: RevbotLocal;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-e2e-budgets-'));
    stack = await startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      REVBOT_API_KEYS: 'local-key',
      REVBOT_DATA_AS_OF: '2026-11-23',
      // One request at a time: the first one's reservation fills the budget while it runs.
      BUDGETS: JSON.stringify({ webhookKey: { tokens: 1 }, reservation: { tokens: 1 } }),
    });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After to the request that finds the budget taken', async () => {
    const post = () =>
      fetch(`${stack.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'local-key' },
        body: JSON.stringify({ query: "What's our pipeline this quarter?", source_system: 'e2e' }),
      });
    const responses = await Promise.all([post(), post()]);
    expect(responses.map((r) => r.status).sort()).toEqual([202, 429]);
    const refused = responses.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'BUDGET_EXCEEDED',
    );
  });
});
