/**
 * What a `returnControl` event asks a person to confirm, read once for every channel: the
 * invocation to answer and the one function call it names (RevBot's runtimes pause on one
 * action at a time).
 */
import type { ReturnControlPayload } from '@aws-sdk/client-bedrock-agent-runtime';
import { AgentRuntimeError } from '../errors';

export interface ConfirmationRequest {
  invocationId: string;
  actionGroup: string;
  function: string;
  agentId?: string;
  parameters: { name: string; type: string; value: string }[];
}

export function confirmationRequestOf(payload: ReturnControlPayload): ConfirmationRequest {
  const input = payload.invocationInputs?.[0]?.functionInvocationInput;
  if (!payload.invocationId || !input?.actionGroup || !input.function) {
    throw new AgentRuntimeError(
      'The agents returned control without a function to confirm',
      'UNSUPPORTED_RETURN_CONTROL',
      false,
    );
  }
  return {
    invocationId: payload.invocationId,
    actionGroup: input.actionGroup,
    function: input.function,
    ...(input.agentId ? { agentId: input.agentId } : {}),
    parameters: (input.parameters ?? []).map((p) => ({
      name: p.name ?? '',
      type: p.type ?? 'string',
      value: p.value ?? '',
    })),
  };
}
