/**
 * The offline model as SUPERVISOR_ROUTER's routing classifier. It reads the agents offered in the
 * classifier's prompt (`<agent id="…">`) and applies the offline Manager's own routing rules: it
 * names a collaborator exactly when the Manager would hand the question, unchanged, to that one
 * collaborator, and answers `undecidable` for everything the Manager does otherwise (several
 * steps, a definition from the knowledge base, a reworded follow-up, a question it declines).
 */
import type { ModelRequest, ModelTool } from '../runtime/model-provider';
import { UNDECIDABLE } from '../runtime/routing-classifier';
import type { OfflineContext } from './conversation';
import { manager } from './manager';

const COLLABORATOR_TOOL = 'AgentCommunication__';

/** The agent ids the classifier prompt offers. */
export const offeredAgents = (request: ModelRequest): string[] =>
  [...request.system.matchAll(/<agent id="([^"]+)">/g)].map((m) => m[1]!);

/** Tools the Manager would have: the offered agents, and a knowledge base for definitions. */
export function routingTools(request: ModelRequest): ModelTool[] {
  const schema = { type: 'object' as const, properties: {}, required: [] };
  return [
    ...offeredAgents(request).map((name) => ({
      name: `${COLLABORATOR_TOOL}${name}`,
      description: name,
      inputSchema: schema,
    })),
    { name: 'GET__x_amz_knowledgebase_ROUTING__Search', description: 'kb', inputSchema: schema },
  ];
}

/** `<a>Name</a>` or `<a>undecidable</a>` for the question in `context`. */
export function offlineRoutingAnswer(context: OfflineContext): string {
  const step = manager(context);
  const call = step.kind === 'call' && step.calls.length === 1 ? step.calls[0] : undefined;
  const handsOver =
    call?.step === 'route' &&
    call.name.startsWith(COLLABORATOR_TOOL) &&
    call.input.content === context.task;
  return `<a>${handsOver ? call.name.slice(COLLABORATOR_TOOL.length) : UNDECIDABLE}</a>`;
}
