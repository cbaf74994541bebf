/**
 * Where the portable runtime keeps a run that waits for a person's approval, so the decision can
 * resume it in another Lambda invocation or another process: every agent's conversation so far
 * (the frames from the entry agent down to the agent whose action waits) and the pending call.
 *
 * In AWS one item per paused run in the agents stack's session table (`SESSION#<id>` /
 * `PAUSED#<invocation id>`, TTL on `expires_at`); locally the embedded DynamoDB or memory. A
 * paused run is taken once: `take` deletes it conditionally, so two resumes (a double click, a
 * retried message) never run the action twice. An expired run is gone for readers at once.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AgentRuntimeError } from '../errors';
import type { ModelMessage, ToolResultBlock, ToolUseBlock } from './model-provider';

/** One agent's run at the moment it paused: enough to continue its tool loop. */
export interface PausedFrame {
  agentKey: string;
  sessionId: string;
  callerChain: string[];
  collaboratorName?: string;
  requestId: string;
  /** The model step whose tool uses were running. */
  step: number;
  /** What the agent was asked in this run. */
  message: string;
  /** Its messages, ending with the assistant message holding `uses`. */
  messages: ModelMessage[];
  uses: ToolUseBlock[];
  /** Results of the uses that ran before the paused one. */
  results: ToolResultBlock[];
  notes: { findings: string[]; steps: string[]; lastRationale?: string };
}

/** The action that waits: an action-group call, as Bedrock's returnControl names it. */
export interface PendingAction {
  toolUseId: string;
  agentKey: string;
  agentId: string;
  collaboratorName?: string;
  actionGroup: string;
  function: string;
  parameters: { name: string; type: string; value: string }[];
}

export interface PausedRun {
  invocationId: string;
  sessionId: string;
  question: string;
  sessionAttributes: Record<string, string>;
  promptSessionAttributes: Record<string, string>;
  /** Outermost (the entry agent) first. */
  frames: PausedFrame[];
  pending: PendingAction;
  pausedAt: string;
  /** Epoch milliseconds after which the run can no longer be resumed. */
  expiresAt: number;
}

export interface PausedRunStore {
  save(run: PausedRun): Promise<void>;
  /** Removes and returns the run; undefined when unknown, already taken or expired. */
  take(sessionId: string, invocationId: string): Promise<PausedRun | undefined>;
}

/** In memory: the local stack without DynamoDB, and tests. */
export class InMemoryPausedRunStore implements PausedRunStore {
  private readonly runs = new Map<string, string>();

  constructor(private readonly clock: () => number = Date.now) {}

  async save(run: PausedRun): Promise<void> {
    this.runs.set(`${run.sessionId}\u0000${run.invocationId}`, JSON.stringify(run));
  }

  async take(sessionId: string, invocationId: string): Promise<PausedRun | undefined> {
    const key = `${sessionId}\u0000${invocationId}`;
    const text = this.runs.get(key);
    this.runs.delete(key);
    if (!text) return undefined;
    const run = JSON.parse(text) as PausedRun;
    return run.expiresAt > this.clock() ? run : undefined;
  }
}

export interface DynamoPausedRunStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: () => number;
}

/** The session table of the agents stack (`pk`/`sk`, TTL on `expires_at`). */
export class DynamoPausedRunStore implements PausedRunStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly clock: () => number;

  constructor(private readonly options: DynamoPausedRunStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.clock = options.clock ?? Date.now;
  }

  private key(sessionId: string, invocationId: string) {
    return { pk: `SESSION#${sessionId}`, sk: `PAUSED#${invocationId}` };
  }

  async save(run: PausedRun): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...this.key(run.sessionId, run.invocationId),
            // One string: the frames nest deeper than DynamoDB's 32 levels allow.
            run: JSON.stringify(run),
            expires_at: Math.ceil(run.expiresAt / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      throw storeError('save', error);
    }
  }

  async take(sessionId: string, invocationId: string): Promise<PausedRun | undefined> {
    let attributes: Record<string, unknown> | undefined;
    try {
      ({ Attributes: attributes } = await this.documents.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: this.key(sessionId, invocationId),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      ));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw storeError('read', error);
    }
    if (typeof attributes?.run !== 'string') return undefined;
    const run = JSON.parse(attributes.run) as PausedRun;
    // TTL deletion lags by up to days: an expired run is already gone for us.
    return run.expiresAt > this.clock() ? run : undefined;
  }
}

function storeError(what: 'save' | 'read', error: unknown): AgentRuntimeError {
  const name = (error as { name?: string }).name ?? 'Error';
  return new AgentRuntimeError(
    `Could not ${what} the run waiting for approval (${name})`,
    'SESSION_STORE_UNAVAILABLE',
    true,
    { cause: error },
  );
}
