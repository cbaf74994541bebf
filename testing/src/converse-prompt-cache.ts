/**
 * Bedrock's prompt cache as a ConverseStream request meets it, for the replayed Converse server:
 * the prompt is read in the service's order (tool definitions, system prompt, messages); each
 * `cachePoint` closes a prefix. A prefix shorter than the model's minimum is not cached. The
 * longest prefix still cached (within its TTL, which each read renews) is read from the cache;
 * longer prefixes up to the last cache point are written; the rest is plain input. Tokens are
 * counted as Claude roughly does for English and JSON: one per four characters.
 */
import { createHash } from 'node:crypto';
import type { ConverseUsage } from './converse-stream-server';

export interface PromptCacheOptions {
  /** Smallest cacheable prefix in tokens (1,024 for Sonnet, 4,096 for Haiku 4.5). @default 1024 */
  minimumTokens?: number;
  /** How long an entry lives after its last use. @default 300000 (5 minutes) */
  ttlMs?: number;
  /** @default Date.now */
  clock?: () => number;
}

export const tokensOf = (text: string): number => Math.ceil(text.length / 4);

interface Body {
  system?: Record<string, unknown>[];
  messages?: unknown[];
  toolConfig?: { tools?: Record<string, unknown>[] };
}

export class ConversePromptCache {
  private readonly entries = new Map<string, number>();
  private readonly minimum: number;
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(options: PromptCacheOptions = {}) {
    this.minimum = options.minimumTokens ?? 1_024;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The usage Bedrock would report for this request body and this many output tokens. */
  usage(modelId: string, body: Body, outputTokens: number): ConverseUsage {
    const now = this.clock();
    // The prompt in cache order, as pieces; a cache point closes the prefix before it.
    const pieces: string[] = [];
    const points: number[] = [];
    const add = (block: Record<string, unknown>) => {
      if ('cachePoint' in block) points.push(pieces.length);
      else pieces.push(JSON.stringify(block));
    };
    for (const tool of body.toolConfig?.tools ?? []) add(tool);
    for (const block of body.system ?? []) add(block);
    for (const message of body.messages ?? []) pieces.push(JSON.stringify(message));

    const hash = createHash('sha256').update(modelId);
    const prefixes: { tokens: number; key: string }[] = [];
    let tokens = 0;
    let at = 0;
    for (const point of points) {
      for (; at < point; at++) {
        hash.update(pieces[at] as string);
        tokens += tokensOf(pieces[at] as string);
      }
      if (tokens >= this.minimum) prefixes.push({ tokens, key: hash.copy().digest('hex') });
    }
    const total = pieces.reduce((sum, piece) => sum + tokensOf(piece), 0);

    let read = 0;
    for (const prefix of prefixes) {
      const expires = this.entries.get(prefix.key);
      if (expires !== undefined && expires > now) read = prefix.tokens;
    }
    const longest = prefixes.at(-1)?.tokens ?? 0;
    const write = Math.max(0, longest - read);
    for (const prefix of prefixes) this.entries.set(prefix.key, now + this.ttlMs);
    return {
      inputTokens: total - read - write,
      outputTokens,
      cacheReadInputTokens: read,
      cacheWriteInputTokens: write,
    };
  }
}
