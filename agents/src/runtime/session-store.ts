/**
 * Conversation history of the portable runtime, so follow-ups in a Slack thread or webhook
 * session work: per session and per agent, the last turns (what the agent was asked, what it
 * answered). In AWS one DynamoDB item per session and agent in the agents stack's session table;
 * locally an in-memory store with the same idle-expiry rule.
 *
 * Idle expiry follows Bedrock's `idleSessionTtlInSeconds`: every turn renews the session, and a
 * session left idle longer is gone (DynamoDB's TTL deletes it eventually; reads ignore it at once).
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AgentRuntimeError } from '../errors';

export interface ConversationTurn {
  /** What the agent was asked (the user's question, or its supervisor's message). */
  user: string;
  /** What it answered. */
  assistant: string;
  /** ISO 8601 time of the answer. */
  at: string;
}

export interface SessionStore {
  /** The session's last turns for one agent, oldest first; empty when new or expired. */
  load(sessionId: string, agentKey: string): Promise<ConversationTurn[]>;
  /** Adds a turn and renews the session's idle expiry. */
  append(
    sessionId: string,
    agentKey: string,
    turn: ConversationTurn,
    idleTtlSeconds: number,
  ): Promise<void>;
}

export interface SessionStoreOptions {
  /** Turns kept per agent and session (default 20): older ones are dropped. */
  maxTurns?: number;
  /** Longest text kept per side of a turn (default 8,000 characters). */
  maxTurnChars?: number;
  clock?: () => number;
}

const DEFAULT_MAX_TURNS = 20;
const DEFAULT_MAX_TURN_CHARS = 8_000;

function clipTurn(turn: ConversationTurn, max: number): ConversationTurn {
  const clip = (text: string) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
  return { user: clip(turn.user), assistant: clip(turn.assistant), at: turn.at };
}

/** The embedded store: in memory, for the local stack and tests. */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, { turns: ConversationTurn[]; expiresAt: number }>();
  private readonly maxTurns: number;
  private readonly maxTurnChars: number;
  private readonly clock: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
    this.maxTurnChars = options.maxTurnChars ?? DEFAULT_MAX_TURN_CHARS;
    this.clock = options.clock ?? Date.now;
  }

  async load(sessionId: string, agentKey: string): Promise<ConversationTurn[]> {
    const key = `${sessionId}\u0000${agentKey}`;
    const session = this.sessions.get(key);
    if (!session) return [];
    if (session.expiresAt <= this.clock()) {
      this.sessions.delete(key);
      return [];
    }
    return session.turns.map((turn) => ({ ...turn }));
  }

  async append(
    sessionId: string,
    agentKey: string,
    turn: ConversationTurn,
    idleTtlSeconds: number,
  ): Promise<void> {
    const turns = await this.load(sessionId, agentKey);
    turns.push(clipTurn(turn, this.maxTurnChars));
    this.sessions.set(`${sessionId}\u0000${agentKey}`, {
      turns: turns.slice(-this.maxTurns),
      expiresAt: this.clock() + idleTtlSeconds * 1000,
    });
  }
}

export interface DynamoSessionStoreOptions extends SessionStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

interface SessionItem {
  pk: string;
  sk: string;
  turns: ConversationTurn[];
  version: number;
  /** Epoch seconds: the table's TTL attribute. */
  expires_at: number;
  updated_at: string;
}

/** Concurrent writers to one session (two questions at once in a thread) retry this often. */
const WRITE_ATTEMPTS = 4;

/**
 * The session table of the agents stack (`pk`/`sk` strings, TTL on `expires_at`): one item per
 * session and agent (`SESSION#<id>` / `AGENT#<key>`), written with an optimistic version check so
 * two answers in the same session never overwrite each other's turns.
 */
export class DynamoSessionStore implements SessionStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly maxTurns: number;
  private readonly maxTurnChars: number;
  private readonly clock: () => number;

  constructor(options: DynamoSessionStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
    this.maxTurnChars = options.maxTurnChars ?? DEFAULT_MAX_TURN_CHARS;
    this.clock = options.clock ?? Date.now;
  }

  private key(sessionId: string, agentKey: string) {
    return { pk: `SESSION#${sessionId}`, sk: `AGENT#${agentKey}` };
  }

  private async read(sessionId: string, agentKey: string): Promise<SessionItem | undefined> {
    try {
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: this.key(sessionId, agentKey),
          ConsistentRead: true,
        }),
      );
      return Item as SessionItem | undefined;
    } catch (error) {
      throw storeError('read', error);
    }
  }

  async load(sessionId: string, agentKey: string): Promise<ConversationTurn[]> {
    const item = await this.read(sessionId, agentKey);
    if (!item || !Array.isArray(item.turns)) return [];
    // TTL deletion lags by up to days: an expired item is already gone for us.
    if (Number(item.expires_at) * 1000 <= this.clock()) return [];
    return item.turns.map((t) => ({
      user: String(t.user ?? ''),
      assistant: String(t.assistant ?? ''),
      at: String(t.at ?? ''),
    }));
  }

  async append(
    sessionId: string,
    agentKey: string,
    turn: ConversationTurn,
    idleTtlSeconds: number,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(sessionId, agentKey);
      const now = this.clock();
      const live = current && Number(current.expires_at) * 1000 > now ? current : undefined;
      const turns = [...(live?.turns ?? []), clipTurn(turn, this.maxTurnChars)].slice(
        -this.maxTurns,
      );
      const item: SessionItem = {
        ...this.key(sessionId, agentKey),
        turns,
        version: (current?.version ?? 0) + 1,
        expires_at: Math.ceil(now / 1000) + idleTtlSeconds,
        updated_at: new Date(now).toISOString(),
      };
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ...(current
              ? {
                  ConditionExpression: '#version = :version',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':version': current.version },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return;
      } catch (error) {
        const lost = (error as { name?: string }).name === 'ConditionalCheckFailedException';
        if (lost && attempt < WRITE_ATTEMPTS) continue;
        throw storeError('write', error);
      }
    }
  }
}

function storeError(what: 'read' | 'write', error: unknown): AgentRuntimeError {
  const name = (error as { name?: string }).name ?? 'Error';
  return new AgentRuntimeError(
    `Could not ${what} the conversation history (${name})`,
    'SESSION_STORE_UNAVAILABLE',
    true,
    { cause: error },
  );
}
