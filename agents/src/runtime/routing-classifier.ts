/**
 * The routing classifier of `SUPERVISOR_ROUTER`, as Bedrock defines the mode: one small model
 * call that names the one collaborator a request belongs to, or says `undecidable` when it needs
 * several, is ambiguous or fits none (then the supervisor orchestrates as usual). The prompt
 * follows the one Bedrock's own classifier is given (its recorded `routingClassifierTrace`
 * shows it); the answer is read from its `<a></a>` tag.
 */
import type { CollaboratorDefinition } from '../loader';
import type { ModelMessage } from './model-provider';

/** What the classifier answers when no single collaborator should take the request. */
export const UNDECIDABLE = 'undecidable';

/** Room for the tag, and for a reasoning model's short thoughts before it. */
export const ROUTING_MAX_TOKENS = 256;

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The classifier's system prompt and messages: the conversation, then the last request. */
export function routingRequest(
  collaborators: readonly Pick<CollaboratorDefinition, 'name' | 'instruction'>[],
  conversation: readonly { user: string; assistant: string }[],
  question: string,
): { system: string; messages: ModelMessage[] } {
  const scenarios = collaborators
    .map((c) => `<agent id="${c.name}">${escapeXml(c.instruction)}</agent>`)
    .join('\n');
  const system = [
    "Here is a list of agents for handling user's requests:",
    '<agent_scenarios>',
    scenarios,
    '</agent_scenarios>',
    '',
    'Based on the conversation, determine which agent the last user request should be routed to.',
    'Return your classification result wrapped in an <a></a> tag, e.g. <a>AgentName</a>. Do not generate anything else.',
    '',
    'Notes:',
    `- Return <a>${UNDECIDABLE}</a> if completing the request requires interacting with multiple agents.`,
    `- Return <a>${UNDECIDABLE}</a> if the request is ambiguous or too complex.`,
    `- Return <a>${UNDECIDABLE}</a> if the request is not relevant to any agent.`,
  ].join('\n');
  const messages: ModelMessage[] = [
    ...conversation.flatMap((turn): ModelMessage[] => [
      { role: 'user', content: [{ type: 'text', text: turn.user }] },
      { role: 'assistant', content: [{ type: 'text', text: turn.assistant }] },
    ]),
    { role: 'user', content: [{ type: 'text', text: question }] },
  ];
  return { system, messages };
}

/**
 * The collaborator the classifier chose, or undefined when it is unsure: `undecidable`, no tag,
 * or a name that is not one of the collaborators (never guessed).
 */
export function routingDecision<C extends Pick<CollaboratorDefinition, 'name'>>(
  answer: string,
  collaborators: readonly C[],
): C | undefined {
  const tags = [...answer.matchAll(/<a>\s*([^<]*?)\s*<\/a>/g)];
  const chosen = tags.at(-1)?.[1];
  if (!chosen || chosen.toLowerCase() === UNDECIDABLE) return undefined;
  return collaborators.find((c) => c.name === chosen);
}
