/**
 * The agent flow of a finished record: each agent run with its steps, tool calls, lookups,
 * collaborator calls and guardrail checks, scrubbed for export, and who called whom. What is
 * still pending at the end becomes `no_result` and, for tools and unfinished runs, an error.
 */
import type {
  AgentInvocation,
  CollaboratorCall,
  Conversation,
  KnowledgeBaseLookup,
  Step,
  ToolCall,
} from '../schema';
import { isoOrNull } from '../trace-fields';
import { durationBetween, insideCleanText, spanOf } from '../trace-readers';
import type { RecordScrubber } from './record-scrubber';
import type { InvocationState, RecorderState } from './recorder-state';
import { invocationUsage } from './usage-totals';

export function agentFlow(state: RecorderState, scrubber: RecordScrubber): AgentInvocation[] {
  return state.flow.map((inv) => exportInvocation(state, scrubber, inv));
}

function exportInvocation(
  state: RecorderState,
  { guard, keep, scrubOnce }: RecordScrubber,
  inv: InvocationState,
): AgentInvocation {
  const toolCalls: ToolCall[] = inv.toolCalls.map((t) => {
    if (t.status === 'pending') {
      state.errors.push({
        kind: 'tool_call_without_result',
        message: `${inv.name} called ${t.call.action_group ?? 'a tool'}${t.call.function ? `.${t.call.function}` : ''} and no result was recorded`,
        agent_index: inv.index,
        trace_id: t.call.trace_id,
        at: isoOrNull(t.inputMs),
      });
    }
    return {
      ...t.call,
      // Parameters and code are model-written: scrubbed like any model output.
      parameters: t.call.parameters.map((p) => ({ ...p, value: guard.scrub(p.value) })),
      code: guard.scrub(t.call.code),
      result: keep(t.call.result),
      status: t.status === 'pending' ? 'no_result' : t.status,
      ...spanOf(t),
    };
  });
  const steps: Step[] = inv.steps.map((s) => {
    if (s.usage === null && s.modelCalls > 0) s.usage = { input_tokens: 0, output_tokens: 0 };
    const modelOutput = guard.scrub(s.modelOutput);
    return {
      trace_id: s.traceId,
      phase: s.phase,
      prompt_type: s.promptType,
      model: s.model,
      prompt: s.prompt,
      ...spanOf(s),
      usage: s.usage,
      model_output: modelOutput,
      // The rationale is usually the <thinking> part of the raw output scanned just above.
      rationale: insideCleanText(s.rationale, s.modelOutput, modelOutput)
        ? s.rationale
        : guard.scrub(s.rationale),
      reasoning: guard.scrub(s.reasoning),
      model_output_chars: s.modelOutputChars,
      model_output_truncated: s.modelOutputTruncated,
      routing_decision: s.routingDecision,
      pre_processing: s.preProcessing && {
        is_valid: s.preProcessing.is_valid,
        rationale: guard.scrub(s.preProcessing.rationale),
      },
      post_processing_text: guard.scrub(s.postProcessingText),
      notes: s.notes.map((n) => ({ ...n, text: guard.scrub(n.text) })),
    };
  });
  const kbLookups: KnowledgeBaseLookup[] = inv.kbLookups.map((k) => ({
    ...k.lookup,
    query: guard.scrub(k.lookup.query),
    references: k.lookup.references.map((r) => ({ ...r, excerpt: keep(r.excerpt) })),
    status: k.pending ? 'no_result' : 'success',
    ...spanOf(k),
  }));
  const collaboratorCalls: CollaboratorCall[] = inv.collaboratorCalls.map((c) => ({
    trace_id: c.traceId,
    via: c.via,
    recipient: c.recipient,
    recipient_agent_id: c.recipientAgentId,
    recipient_alias_arn: c.recipientAliasArn,
    message: scrubOnce(c.message),
    output: scrubOnce(c.output),
    status: c.status === 'pending' ? 'no_result' : c.status,
    invocation_index: c.childIndex,
    ...spanOf(c),
  }));
  const usage = invocationUsage(inv.steps, state.options.modelPrices);
  const status: AgentInvocation['status'] = inv.blocked
    ? 'blocked'
    : inv.failed
      ? 'failed'
      : inv.finished
        ? 'completed'
        : 'incomplete';
  if (status === 'incomplete' && !state.returnedControl) {
    state.errors.push({
      kind: 'incomplete_invocation',
      message: `${inv.name} never finished: the stream ended before its final response`,
      agent_index: inv.index,
      trace_id: null,
      at: isoOrNull(inv.bounds.max),
    });
  }
  const caller = inv.callerIndex !== null ? state.flow[inv.callerIndex] : undefined;
  return {
    index: inv.index,
    agent_id: inv.agentId,
    agent_alias_id: inv.aliasId,
    agent_version: inv.version,
    agent_name: inv.name,
    session_id: inv.sessionId,
    depth: inv.depth,
    caller_index: caller ? caller.index : null,
    caller_name: caller ? caller.name : null,
    request_ids: inv.requestIds,
    status,
    started_at: isoOrNull(inv.bounds.min),
    ended_at: isoOrNull(inv.bounds.max),
    duration_ms: durationBetween(inv.bounds.min, inv.bounds.max),
    input: scrubOnce(inv.input),
    output: scrubOnce(inv.output),
    steps,
    tool_calls: toolCalls,
    knowledge_base_lookups: kbLookups,
    collaborator_calls: collaboratorCalls,
    guardrails: inv.guardrails.map((g) => ({ ...g.check, ...spanOf(g) })),
    usage,
  };
}

/** Who called whom, how (supervisor or routing classifier) and how often. */
export function collaborationMap(flow: AgentInvocation[]): Conversation['collaboration_map'] {
  const edges = new Map<string, Conversation['collaboration_map'][number]>();
  for (const inv of flow) {
    for (const call of inv.collaborator_calls) {
      const key = `${inv.agent_id}\u0000${call.recipient}\u0000${call.via}`;
      const edge = edges.get(key);
      if (edge) edge.count++;
      else {
        edges.set(key, {
          from: inv.agent_name,
          from_agent_id: inv.agent_id,
          to: call.recipient,
          to_agent_id: call.recipient_agent_id,
          via: call.via,
          count: 1,
        });
      }
    }
  }
  return [...edges.values()];
}
