import { describe, expect, it } from 'vitest';
import { ConversePromptCache, tokensOf } from '../src/converse-prompt-cache';

const MODEL = 'us.anthropic.claude-sonnet-4-6';
const tool = { toolSpec: { name: 'q', description: 'x'.repeat(4_400), inputSchema: { json: {} } } };
const system = { text: 's'.repeat(2_000) };
const point = { cachePoint: { type: 'default' } };
const message = (text: string) => ({ role: 'user', content: [{ text }] });
const body = (text: string, cached = true) => ({
  toolConfig: { tools: cached ? [tool, point] : [tool] },
  system: cached ? [system, point] : [system],
  messages: [message(text)],
});

const toolTokens = tokensOf(JSON.stringify(tool));
const systemTokens = tokensOf(JSON.stringify(system));
// A message counts as its role and its blocks.
const messageTokens = (text: string) =>
  tokensOf(JSON.stringify({ role: 'user' })) + tokensOf(JSON.stringify({ text }));

describe('ConversePromptCache', () => {
  it('writes the prefix on the first request and reads it on the next, as Bedrock reports', () => {
    let now = 0;
    const cache = new ConversePromptCache({ clock: () => now });
    expect(cache.usage(MODEL, body('first'), 10)).toEqual({
      inputTokens: messageTokens('first'),
      outputTokens: 10,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: toolTokens + systemTokens,
    });
    now = 60_000;
    expect(cache.usage(MODEL, body('second question'), 12)).toEqual({
      inputTokens: messageTokens('second question'),
      outputTokens: 12,
      cacheReadInputTokens: toolTokens + systemTokens,
      cacheWriteInputTokens: 0,
    });
  });

  it('forgets a prefix unused for longer than its TTL, and a read renews it', () => {
    let now = 0;
    const cache = new ConversePromptCache({ clock: () => now, ttlMs: 300_000 });
    cache.usage(MODEL, body('a'), 1);
    now = 299_000;
    expect(cache.usage(MODEL, body('b'), 1).cacheReadInputTokens).toBe(toolTokens + systemTokens);
    now = 598_000; // 299 s after the read that renewed it
    expect(cache.usage(MODEL, body('c'), 1).cacheReadInputTokens).toBe(toolTokens + systemTokens);
    now = 898_001;
    expect(cache.usage(MODEL, body('d'), 1)).toMatchObject({
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: toolTokens + systemTokens,
    });
  });

  it('reads the tools alone when only the system prompt changed, and caches nothing below the minimum or without cache points', () => {
    const cache = new ConversePromptCache({ clock: () => 0 });
    cache.usage(MODEL, body('a'), 1);
    const other = { ...body('a'), system: [{ text: 't'.repeat(2_000) }, point] };
    expect(cache.usage(MODEL, other, 1)).toMatchObject({
      cacheReadInputTokens: toolTokens,
      cacheWriteInputTokens: systemTokens,
    });
    const small = new ConversePromptCache({ clock: () => 0, minimumTokens: 100_000 });
    expect(small.usage(MODEL, body('a'), 1)).toMatchObject({
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
    });
    const none = new ConversePromptCache({ clock: () => 0 });
    none.usage(MODEL, body('a', false), 1);
    expect(none.usage(MODEL, body('a', false), 1)).toMatchObject({
      inputTokens: toolTokens + systemTokens + messageTokens('a'),
      cacheReadInputTokens: 0,
    });
  });

  it('reads the conversation up to the last cache point of an earlier call of the same loop', () => {
    const cache = new ConversePromptCache({ clock: () => 0 });
    const history = 'h'.repeat(8_000);
    const first = {
      ...body('q'),
      messages: [{ role: 'user', content: [{ text: history }, point] }],
    };
    const written = cache.usage(MODEL, first, 1);
    const historyTokens = messageTokens(history);
    expect(written.cacheWriteInputTokens).toBe(toolTokens + systemTokens + historyTokens);
    const next = {
      ...body('q'),
      messages: [
        { role: 'user', content: [{ text: history }] },
        { role: 'assistant', content: [{ text: 'calling a tool' }, point] },
      ],
    };
    expect(cache.usage(MODEL, next, 1)).toMatchObject({
      cacheReadInputTokens: toolTokens + systemTokens + historyTokens,
      cacheWriteInputTokens:
        tokensOf(JSON.stringify({ role: 'assistant' })) +
        tokensOf(JSON.stringify({ text: 'calling a tool' })),
      inputTokens: 0,
    });
  });
});
