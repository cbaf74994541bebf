/**
 * The offline model provider: deterministic, no network, for the local stack, demos and tests.
 * It is honest about what it is. It plays each agent with a fixed policy over the same
 * orchestrator, tools and traces as a real model: the Manager routes by its documented rules,
 * the specialists call the real tools with the SQL patterns of `knowledge_base/sql_patterns/`,
 * and every answer is composed from the rows and results those calls return, in the documented
 * response formats. Names are read in any casing from the warehouse's own accounts, owners and
 * lead companies (`entity-names.ts`). A question outside those policies gets a plain "cannot
 * answer offline" with the way to run a configured model, never an invented answer.
 */
import { loadSqlPatterns, type SqlPattern } from '../knowledge-base/sql-patterns';
import type { ModelProvider, ModelRequest, ModelResponse } from '../runtime/model-provider';
import { type OfflineStep, type Policy, readContext } from './conversation';
import { dataAnswer } from './data-answers';
import { dealReview } from './deal-review';
import { type EntityNames, nameAliases, spellNames } from './entity-names';
import { execution } from './execution';
import { leadAssessment } from './lead-assessment';
import { manager } from './manager';
import { offlineRoutingAnswer, routingTools } from './routing-classifier';
import { webResearch } from './web-research';

export const OFFLINE_PROVIDER = 'offline';
/** The model id the offline provider reports in traces. */
export const OFFLINE_MODEL_ID = 'revbot.offline-deterministic-v1';

/** Each agent's policy, by agent folder key. */
export const OFFLINE_POLICIES: Readonly<Record<string, Policy>> = {
  manager_agent: manager,
  deal_analysis_agent: dealReview,
  lead_analysis_agent: leadAssessment,
  data_agent: dataAnswer,
  web_search_agent: webResearch,
  execution_agent: execution,
};

export interface OfflineProviderOptions {
  /** SQL patterns (default: loaded from `knowledge_base/sql_patterns/` on first use). */
  patterns?: SqlPattern[];
  /** Today, for "this quarter" and "days since" (default: the clock's date, UTC). */
  today?: string;
  clock?: () => number;
  /** The warehouse's names, read once on first use, so names are recognised in any casing. */
  entities?: () => Promise<EntityNames>;
}

export class OfflineProvider implements ModelProvider {
  readonly name = OFFLINE_PROVIDER;
  private patterns?: SqlPattern[];
  private aliases?: Promise<Map<string, string>>;
  private calls = 0;

  constructor(private readonly options: OfflineProviderOptions = {}) {
    this.patterns = options.patterns;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    this.patterns ??= loadSqlPatterns();
    const today =
      this.options.today ?? new Date((this.options.clock ?? Date.now)()).toISOString().slice(0, 10);
    this.aliases ??= (this.options.entities?.() ?? Promise.resolve(undefined)).then((names) =>
      names ? nameAliases(names) : new Map<string, string>(),
    );
    const aliases = await this.aliases;
    const routing = request.purpose === 'routing';
    const context = readContext(
      routing ? { ...request, tools: routingTools(request) } : request,
      today,
      this.patterns,
    );
    context.task = spellNames(context.task, aliases);
    for (const turn of context.history) turn.user = spellNames(turn.user, aliases);
    const policy = OFFLINE_POLICIES[request.agent.key];
    let step: OfflineStep;
    try {
      step = routing
        ? { kind: 'answer', text: offlineRoutingAnswer(context) }
        : policy
          ? policy(context)
          : {
              kind: 'answer',
              text: `The offline model has no policy for the ${request.agent.name} agent; run RevBot with a configured model for it.`,
            };
    } catch (error) {
      // A policy bug must read as one, not as an answer.
      step = {
        kind: 'answer',
        text: `The offline model could not handle this request (${(error as Error).message}).`,
      };
    }
    const response: ModelResponse =
      step.kind === 'answer'
        ? {
            content: [{ type: 'text', text: step.text }],
            stopReason: 'end_turn',
            usage: { inputTokens: 0, outputTokens: 0 },
            raw: '',
          }
        : {
            content: [
              { type: 'text', text: step.rationale },
              ...step.calls.map((call) => ({
                type: 'toolUse' as const,
                toolUseId: `toolu_offline_${call.step}_${++this.calls}`,
                name: call.name,
                input: call.input,
              })),
            ],
            stopReason: 'tool_use',
            usage: { inputTokens: 0, outputTokens: 0 },
            raw: '',
          };
    // The answer goes out in pieces, a turn of the event loop apart, as a model streams it.
    if (step.kind === 'answer' && request.onTextDelta) {
      for (const piece of step.text.match(/\s*\S+(\s+\S+){0,3}\s*/g) ?? []) {
        request.signal?.throwIfAborted();
        request.onTextDelta(piece);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    response.raw = JSON.stringify({
      model: OFFLINE_MODEL_ID,
      agent: request.agent.key,
      content: response.content,
      stop_reason: response.stopReason,
    });
    return response;
  }
}
