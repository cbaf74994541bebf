/**
 * One-line progress hints for a live conversation ("Deal Analysis Agent is querying the
 * warehouse…"), so the Slack processor can show what the agents are doing without reading traces.
 * Pure: the same event and names always give the same hint; most events give none.
 */
import type { AgentStreamEvent } from '@revbot/agents';
import { agentIdFromAliasArn, asArray, asRecord, asString } from './trace-fields';

export interface ProgressHintOptions {
  /** Agent id → name, e.g. `recorder.agentNames`; needed to name agents nested two levels down. */
  agentNames?: ReadonlyMap<string, string> | Record<string, string>;
  /** Name of the depth-1 agent. Default "Manager". */
  rootAgentName?: string;
}

/** What each of RevBot's tools is doing, as a user would say it. */
const TOOL_ACTIVITY: Record<string, string> = {
  firebolt_query: 'querying the warehouse',
  firebolt_writer: 'writing to the warehouse',
  gong_retrieval: 'reading Gong calls',
  web_search: 'searching the web',
  webhook_executor: 'sending a notification',
};

/** `deal_analysis_agent`, `DealAnalysisAgent`, `deal-analysis` → "Deal Analysis Agent". */
export function displayAgentName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((w) => w.length > 0)
    .map((w) =>
      w === w.toUpperCase() && w.length > 1 ? w : `${w[0]?.toUpperCase() ?? ''}${w.slice(1)}`,
    );
  if (words.length === 0) return 'Agent';
  const last = words.at(-1)?.toLowerCase();
  if (last !== 'agent' && last !== 'manager' && last !== 'supervisor') words.push('Agent');
  return words.join(' ');
}

function lookup(names: ProgressHintOptions['agentNames'], id: string): string | undefined {
  if (!names) return undefined;
  return names instanceof Map ? names.get(id) : (names as Record<string, string>)[id];
}

function humanize(activity: string): string {
  return activity.replace(/[_-]+/g, ' ').trim();
}

/** The hint for one event, or null when the event is not worth showing. */
export function describeProgress(
  event: AgentStreamEvent | unknown,
  options: ProgressHintOptions = {},
): string | null {
  const part = asRecord(asRecord(event)?.trace);
  if (!part) return null;
  const chain = asArray(part.callerChain);
  const agentId =
    asString(part.agentId) ?? agentIdFromAliasArn(asRecord(chain[chain.length - 1])?.agentAliasArn);
  const depth = chain.length;
  const rootName = options.rootAgentName ?? 'Manager';
  const known = agentId ? lookup(options.agentNames, agentId) : undefined;
  const rawName =
    known ?? (depth <= 1 ? rootName : depth === 2 ? asString(part.collaboratorName) : null);
  const agent = rawName === rootName ? rootName : rawName ? displayAgentName(rawName) : 'An agent';

  const trace = asRecord(part.trace);
  if (!trace) return null;
  const guardrail = asRecord(trace.guardrailTrace);
  if (guardrail) {
    if (asString(guardrail.action) !== 'INTERVENED') return null;
    const onInput = asArray(guardrail.inputAssessments).length > 0;
    return onInput ? 'A guardrail blocked the question' : 'A guardrail blocked part of the answer';
  }
  if (trace.failureTrace !== undefined) return `${agent} ran into an error`;
  const steps =
    asRecord(trace.orchestrationTrace) ?? asRecord(trace.routingClassifierTrace) ?? undefined;
  const input = asRecord(steps?.invocationInput);
  if (!input) return null;

  const collaborator = asRecord(input.agentCollaboratorInvocationInput);
  if (collaborator) {
    const targetId = agentIdFromAliasArn(collaborator.agentCollaboratorAliasArn);
    const target =
      (targetId ? lookup(options.agentNames, targetId) : undefined) ??
      asString(collaborator.agentCollaboratorName);
    const recipient = target ? displayAgentName(target) : 'another agent';
    return trace.routingClassifierTrace !== undefined
      ? `${agent} routed the question to ${recipient}`
      : `${agent} handed off to ${recipient}`;
  }
  const actionGroup = asRecord(input.actionGroupInvocationInput);
  if (actionGroup) {
    const group = asString(actionGroup.actionGroupName);
    const fn = asString(actionGroup.function) ?? asString(actionGroup.apiPath);
    const activity =
      (group ? TOOL_ACTIVITY[group] : undefined) ??
      `running ${humanize(group ?? 'a tool')}${fn ? ` (${humanize(fn)})` : ''}`;
    return `${agent} is ${activity}…`;
  }
  if (input.knowledgeBaseLookupInput !== undefined) {
    return `${agent} is searching the knowledge base…`;
  }
  if (input.codeInterpreterInvocationInput !== undefined) return `${agent} is running code…`;
  return null;
}
