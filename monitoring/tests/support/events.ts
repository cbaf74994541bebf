/**
 * Builders for InvokeAgent events in the SDK's shapes (`TracePart`, `PayloadPart`,
 * `ReturnControlPayload` of @aws-sdk/client-bedrock-agent-runtime), for the shapes no public real
 * recording exists of (failure traces, return control, OpenAPI action groups, code interpreter).
 */
const ACCOUNT = 'arn:aws:bedrock:us-east-1:123456789012:agent-alias';

export const aliasArn = (agentId: string): string =>
  `${ACCOUNT}/${agentId}/ALIAS${agentId.slice(0, 2)}`;

export interface TraceOptions {
  /** Agent ids from the root down to the emitting agent. */
  chain: string[];
  at: string;
  sessionId?: string;
  collaboratorName?: string;
}

export function trace(options: TraceOptions, body: Record<string, unknown>) {
  const agentId = options.chain.at(-1) as string;
  return {
    trace: {
      agentId,
      agentAliasId: `ALIAS${agentId.slice(0, 2)}`,
      agentVersion: '1',
      callerChain: options.chain.map((id) => ({ agentAliasArn: aliasArn(id) })),
      ...(options.collaboratorName ? { collaboratorName: options.collaboratorName } : {}),
      eventTime: options.at,
      sessionId: options.sessionId ?? `session-${agentId}`,
      trace: body,
    },
  };
}

export const orchestration = (part: Record<string, unknown>) => ({ orchestrationTrace: part });

export const modelInput = (traceId: string, text: string, model = 'anthropic.claude-sonnet-4') =>
  orchestration({
    modelInvocationInput: { traceId, text, type: 'ORCHESTRATION', foundationModel: model },
  });

export const modelOutput = (
  traceId: string,
  start: string,
  end: string,
  input: number,
  output: number,
  content = '',
) =>
  orchestration({
    modelInvocationOutput: {
      traceId,
      rawResponse: { content },
      metadata: {
        startTime: start,
        endTime: end,
        totalTimeMs: Date.parse(end) - Date.parse(start),
        usage: { inputTokens: input, outputTokens: output },
      },
    },
  });

export const finish = (traceId: string, text: string, start: string, end: string) =>
  orchestration({
    observation: {
      traceId,
      type: 'FINISH',
      finalResponse: {
        text,
        metadata: {
          startTime: start,
          endTime: end,
          operationTotalTimeMs: Date.parse(end) - Date.parse(start),
        },
      },
    },
  });

export const callCollaborator = (
  traceId: string,
  recipientId: string,
  name: string,
  text: string,
) =>
  orchestration({
    invocationInput: {
      traceId,
      invocationType: 'AGENT_COLLABORATOR',
      agentCollaboratorInvocationInput: {
        agentCollaboratorName: name,
        agentCollaboratorAliasArn: aliasArn(recipientId),
        input: { type: 'TEXT', text },
      },
    },
  });

export const collaboratorAnswer = (
  traceId: string,
  recipientId: string,
  name: string,
  childRequestId: string,
  text: string,
  start: string,
  end: string,
) =>
  orchestration({
    observation: {
      traceId,
      type: 'AGENT_COLLABORATOR',
      agentCollaboratorInvocationOutput: {
        agentCollaboratorName: name,
        agentCollaboratorAliasArn: aliasArn(recipientId),
        output: { type: 'TEXT', text },
        metadata: {
          clientRequestId: childRequestId,
          startTime: start,
          endTime: end,
          totalTimeMs: Date.parse(end) - Date.parse(start),
        },
      },
    },
  });

export const chunk = (text: string) => ({ chunk: { bytes: new TextEncoder().encode(text) } });
