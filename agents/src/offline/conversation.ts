/**
 * What the offline model sees of a run, read back from the request like a model reads its
 * context: the message it must answer, the conversation before it, and every tool result since,
 * matched to the call that produced it. Its own tool calls carry the step they belong to in their
 * id (`toolu_offline_<step>_<n>`), so each policy knows which of its steps have been answered.
 */
import { renderSqlPattern, type SqlPattern } from '../knowledge-base/sql-patterns';
import type { ModelRequest, ModelTool } from '../runtime/model-provider';
import { unmarkUntrusted } from '../runtime/untrusted-data';

export interface ToolOutcome {
  step: string;
  name: string;
  input: Record<string, unknown>;
  content: string;
  ok: boolean;
}

/**
 * What one run of an agent has seen, and the questions every policy asks of it: which of its
 * steps ran and what they returned, which tools it was offered.
 */
export class OfflineContext {
  constructor(
    readonly agentKey: string,
    /**
     * The message this run answers (the user's question, or a supervisor's request); names in it
     * may be respelt as the warehouse spells them before a policy reads it.
     */
    public task: string,
    /** Earlier turns of the conversation this agent was given. */
    readonly history: { user: string; assistant: string }[],
    /** Tool results since the task, in order. */
    readonly results: ToolOutcome[],
    readonly tools: ModelTool[],
    /** Today, `YYYY-MM-DD`: what "this quarter" and "days since" are counted from. */
    readonly today: string,
    readonly patterns: SqlPattern[],
  ) {}

  /** The latest result of a step, if it ran. */
  resultOf(step: string): ToolOutcome | undefined {
    return this.results.findLast((r) => r.step === step);
  }

  /** The rows a step's `execute_query` returned, as objects keyed by column. */
  rowsOf(step: string): Row[] {
    return rowsOf(this.resultOf(step));
  }

  ran(step: string): boolean {
    return this.results.some((r) => r.step === step);
  }

  /** The offered tool of that exact name, if this agent has it. */
  toolNamed(name: string): string | undefined {
    return this.tools.find((t) => t.name === name)?.name;
  }

  knowledgeBaseTool(): string | undefined {
    return this.tools.find((t) => t.name.startsWith('GET__x_amz_knowledgebase_'))?.name;
  }

  /** A call of `execute_query` with one of the knowledge base's SQL patterns. */
  patternCall(
    step: string,
    patternId: string,
    values: Record<string, string | number | undefined>,
    maxRows = 100,
  ): PlannedCall {
    const pattern = this.patterns.find((p) => p.id === patternId);
    if (!pattern) throw new Error(`The knowledge base has no SQL pattern "${patternId}"`);
    return {
      step,
      name: QUERY_TOOL,
      input: { query: renderSqlPattern(pattern, values), max_rows: maxRows },
    };
  }
}

export interface PlannedCall {
  step: string;
  name: string;
  input: Record<string, unknown>;
}

/** The model's next move: call tools (with a sentence of reasoning) or answer. */
export type OfflineStep =
  | { kind: 'call'; rationale: string; calls: PlannedCall[] }
  | { kind: 'answer'; text: string };

export type Policy = (context: OfflineContext) => OfflineStep;

const STEP_IN_ID = /^toolu_offline_([a-z0-9-]+)_\d+$/;

export function readContext(
  request: ModelRequest,
  today: string,
  patterns: SqlPattern[],
): OfflineContext {
  const { messages } = request;
  let taskAt = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'user' && message.content.some((b) => b.type === 'text')) {
      taskAt = i;
      break;
    }
  }
  const textOf = (i: number) =>
    (messages[i]?.content ?? [])
      .map((b) => (b.type === 'text' ? b.text : ''))
      .join('')
      .trim();
  const history: { user: string; assistant: string }[] = [];
  for (let i = 0; i + 1 < taskAt; i += 2) {
    history.push({ user: textOf(i), assistant: textOf(i + 1) });
  }
  const calls = new Map<string, { name: string; input: Record<string, unknown> }>();
  const results: ToolOutcome[] = [];
  for (const message of messages.slice(taskAt + 1)) {
    for (const block of message.content) {
      if (block.type === 'toolUse') calls.set(block.toolUseId, block);
      if (block.type === 'toolResult') {
        const call = calls.get(block.toolUseId);
        results.push({
          step: STEP_IN_ID.exec(block.toolUseId)?.[1] ?? 'unknown',
          name: call?.name ?? 'unknown',
          input: call?.input ?? {},
          // The offline model parses what the tool returned, not the marker around it.
          content: unmarkUntrusted(block.content),
          ok: block.status === 'success',
        });
      }
    }
  }
  return new OfflineContext(
    request.agent.key,
    taskAt >= 0 ? textOf(taskAt) : '',
    history,
    results,
    request.tools,
    today,
    patterns,
  );
}

export const QUERY_TOOL = 'firebolt_query__execute_query';

export type Row = Record<string, unknown>;

/** The rows of an `execute_query` result as objects keyed by column. */
export function rowsOf(outcome: ToolOutcome | undefined): Row[] {
  if (!outcome?.ok) return [];
  try {
    const body = JSON.parse(outcome.content) as { columns?: string[]; rows?: unknown[][] };
    const columns = body.columns ?? [];
    return (body.rows ?? []).map((row) =>
      Object.fromEntries(columns.map((column, i) => [column, row[i] ?? null])),
    );
  } catch {
    return [];
  }
}

/** A tool's JSON answer, or undefined when it failed or was not JSON. */
export function jsonOf<T>(outcome: ToolOutcome | undefined): T | undefined {
  if (!outcome?.ok) return undefined;
  try {
    return JSON.parse(outcome.content) as T;
  } catch {
    return undefined;
  }
}

/** Why a step has no data, in words for the answer. */
export function failureOf(outcome: ToolOutcome | undefined): string {
  if (!outcome) return 'the lookup did not run';
  return outcome.ok ? 'no rows matched' : `the tool reported: ${outcome.content.slice(0, 200)}`;
}
