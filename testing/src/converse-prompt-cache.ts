/**
 * Bedrock's prompt cache as a ConverseStream request meets it, for the replayed Converse server:
 * the prompt is read in the service's order (tool definitions, system prompt, messages); each
 * `cachePoint` (after the tools, the system prompt or a message's content) closes a prefix. A prefix shorter than the model's minimum is not cached. The
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

/** How many blocks before a cache point the service looks for an earlier cached prefix. */
const LOOKBACK_BLOCKS = 20;

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
    for (const message of (body.messages ?? []) as { role?: string; content?: unknown[] }[]) {
      pieces.push(JSON.stringify({ role: message.role }));
      for (const block of message.content ?? []) add(block as Record<string, unknown>);
    }

    // Every block boundary up to the last cache point: its prefix's tokens and key.
    const hash = createHash('sha256').update(modelId);
    const boundaries: { tokens: number; key: string }[] = [];
    let tokens = 0;
    for (let at = 0; at < (points.at(-1) ?? 0); at++) {
      hash.update(pieces[at] as string);
      tokens += tokensOf(pieces[at] as string);
      boundaries[at + 1] = { tokens, key: hash.copy().digest('hex') };
    }
    const prefixes = points
      .map((point) => boundaries[point])
      .filter((p): p is { tokens: number; key: string } => !!p && p.tokens >= this.minimum);
    const total = pieces.reduce((sum, piece) => sum + tokensOf(piece), 0);

    // A hit may be on any boundary before a cache point (an earlier request's cache point),
    // looking back at most LOOKBACK_BLOCKS blocks from each, as the service does.
    let read = 0;
    let hit: string | undefined;
    for (const point of points) {
      for (let at = point; at > Math.max(0, point - LOOKBACK_BLOCKS); at--) {
        const boundary = boundaries[at];
        const expires = boundary && this.entries.get(boundary.key);
        if (boundary && expires !== undefined && expires > now && boundary.tokens > read) {
          read = boundary.tokens;
          hit = boundary.key;
          break;
        }
      }
    }
    if (hit) this.entries.set(hit, now + this.ttlMs);
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
