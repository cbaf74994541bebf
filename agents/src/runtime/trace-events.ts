/**
 * InvokeAgent stream events as RevBot's own orchestrator emits them: `trace` parts shaped exactly
 * like Bedrock's (orchestrationTrace rationale / invocationInput / observation, model invocation
 * input and output with usage, callerChain, collaboratorName, traceId, eventTime, agent ids,
 * sessionId) and `chunk` parts with the answer's bytes. The monitoring package and the Slack
 * progress updates read these unchanged.
 *
 * The portable runtime has no Bedrock agent resources, so each agent gets stable ids derived from
 * its folder key in Bedrock's format (10 upper-case letters or digits), and alias ARNs built on
 * the account and region the runtime runs in.
 */
import { createHash } from 'node:crypto';
import type {
  ActionGroupInvocationInput,
  Metadata,
  OrchestrationTrace,
  RetrievedReference,
  Trace,
  TracePart,
  Usage,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { AgentStreamEvent } from './agent-runtime';
import type { ModelUsage } from './model-provider';

export interface AgentIdentity {
  agentId: string;
  agentAliasId: string;
  agentVersion: string;
  agentAliasArn: string;
}

/** Where alias ARNs live: `arn:<partition>:bedrock:<region>:<account>`. */
export interface ArnContext {
  partition?: string;
  region: string;
  account: string;
}

/** Local runs have no account: a placeholder that cannot be mistaken for a real one. */
export const LOCAL_ARN_CONTEXT: ArnContext = { region: 'us-east-1', account: '000000000000' };

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Ten characters in Bedrock's id alphabet, the same for the same seed. */
export function bedrockStyleId(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < 10; i++) id += ID_ALPHABET[(digest[i] as number) % ID_ALPHABET.length];
  return id;
}

/** The ids an agent's traces carry, derived from its folder key. */
export function agentIdentity(
  agentKey: string,
  arn: ArnContext = LOCAL_ARN_CONTEXT,
): AgentIdentity {
  const agentId = bedrockStyleId(`revbot-agent:${agentKey}`);
  const agentAliasId = bedrockStyleId(`revbot-alias:${agentKey}`);
  return {
    agentId,
    agentAliasId,
    agentVersion: '1',
    agentAliasArn: `arn:${arn.partition ?? 'aws'}:bedrock:${arn.region}:${arn.account}:agent-alias/${agentId}/${agentAliasId}`,
  };
}

/** Who is speaking in a trace: the agent, its session, and the chain of callers down to it. */
export interface TraceScope {
  identity: AgentIdentity;
  sessionId: string;
  /** Alias ARNs from the entry agent down to this one (inclusive). */
  callerChain: string[];
  /** The first-level collaborator's name; absent on the entry agent's traces (as Bedrock does). */
  collaboratorName?: string;
}

export interface Timing {
  startMs: number;
  endMs: number;
}

const metadataOf = (timing: Timing, clientRequestId?: string): Metadata => ({
  ...(clientRequestId ? { clientRequestId } : {}),
  startTime: new Date(timing.startMs),
  endTime: new Date(timing.endMs),
  totalTimeMs: Math.max(0, Math.round(timing.endMs - timing.startMs)),
});

/**
 * Builds the trace events of one agent run; `clock` gives each event's `eventTime`. `kind`
 * `routingClassifierTrace` writes the steps of a SUPERVISOR_ROUTER's routing decision.
 */
export class TraceWriter {
  constructor(
    readonly scope: TraceScope,
    private readonly clock: () => number = Date.now,
    private readonly kind: 'orchestrationTrace' | 'routingClassifierTrace' = 'orchestrationTrace',
  ) {}

  part(trace: Trace): AgentStreamEvent {
    const { identity, sessionId, callerChain, collaboratorName } = this.scope;
    const part: TracePart = {
      agentAliasId: identity.agentAliasId,
      agentId: identity.agentId,
      agentVersion: identity.agentVersion,
      callerChain: callerChain.map((agentAliasArn) => ({ agentAliasArn })),
      ...(collaboratorName ? { collaboratorName } : {}),
      eventTime: new Date(this.clock()),
      sessionId,
      trace,
    };
    return { trace: part };
  }

  private orchestration(trace: OrchestrationTrace): AgentStreamEvent {
    // A routing classifier's parts are the same shapes (it has no rationale).
    return this.part({ [this.kind]: trace } as unknown as Trace);
  }

  modelInvocationInput(input: {
    traceId: string;
    text: string;
    foundationModel: string;
    maximumLength: number;
    temperature: number;
  }): AgentStreamEvent {
    return this.orchestration({
      modelInvocationInput: {
        foundationModel: input.foundationModel,
        inferenceConfiguration: {
          maximumLength: input.maximumLength,
          stopSequences: [],
          temperature: input.temperature,
        },
        text: input.text,
        traceId: input.traceId,
        type: this.kind === 'routingClassifierTrace' ? 'ROUTING_CLASSIFIER' : 'ORCHESTRATION',
      },
    });
  }

  modelInvocationOutput(output: {
    traceId: string;
    raw: string;
    timing: Timing;
    usage: ModelUsage;
    clientRequestId: string;
  }): AgentStreamEvent {
    const { inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens } = output.usage;
    return this.orchestration({
      modelInvocationOutput: {
        metadata: {
          ...metadataOf(output.timing, output.clientRequestId),
          // Bedrock's trace Usage has only input and output; the cache counts ride along under
          // Converse's names so monitoring reads every runtime's usage in this one place.
          usage: {
            inputTokens,
            outputTokens,
            ...(cacheReadInputTokens !== undefined ? { cacheReadInputTokens } : {}),
            ...(cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens } : {}),
          } as Usage,
        },
        rawResponse: { content: output.raw },
        traceId: output.traceId,
      },
    });
  }

  rationale(traceId: string, text: string): AgentStreamEvent {
    return this.orchestration({ rationale: { text, traceId } });
  }

  actionGroupInput(
    traceId: string,
    input: Required<
      Pick<ActionGroupInvocationInput, 'actionGroupName' | 'function' | 'parameters'>
    >,
  ): AgentStreamEvent {
    return this.orchestration({
      invocationInput: {
        actionGroupInvocationInput: {
          actionGroupName: input.actionGroupName,
          executionType: 'LAMBDA',
          function: input.function,
          parameters: input.parameters.map((p) => ({ name: p.name, type: p.type, value: p.value })),
        },
        invocationType: 'ACTION_GROUP',
        traceId,
      },
    });
  }

  actionGroupOutput(
    traceId: string,
    text: string,
    timing: Timing,
    clientRequestId: string,
  ): AgentStreamEvent {
    return this.orchestration({
      observation: {
        actionGroupInvocationOutput: { metadata: metadataOf(timing, clientRequestId), text },
        traceId,
        type: 'ACTION_GROUP',
      },
    });
  }

  knowledgeBaseInput(traceId: string, knowledgeBaseId: string, text: string): AgentStreamEvent {
    return this.orchestration({
      invocationInput: {
        invocationType: 'KNOWLEDGE_BASE',
        knowledgeBaseLookupInput: { knowledgeBaseId, text },
        traceId,
      },
    });
  }

  knowledgeBaseOutput(
    traceId: string,
    retrievedReferences: RetrievedReference[],
    timing: Timing,
    clientRequestId: string,
  ): AgentStreamEvent {
    return this.orchestration({
      observation: {
        knowledgeBaseLookupOutput: {
          metadata: metadataOf(timing, clientRequestId),
          retrievedReferences,
        },
        traceId,
        type: 'KNOWLEDGE_BASE',
      },
    });
  }

  collaboratorInput(
    traceId: string,
    collaborator: { name: string; aliasArn: string },
    text: string,
  ): AgentStreamEvent {
    return this.orchestration({
      invocationInput: {
        agentCollaboratorInvocationInput: {
          agentCollaboratorAliasArn: collaborator.aliasArn,
          agentCollaboratorName: collaborator.name,
          input: { text, type: 'TEXT' },
        },
        invocationType: 'AGENT_COLLABORATOR',
        traceId,
      },
    });
  }

  /** `clientRequestId` is the collaborator run's request id: the prefix of its own traceIds. */
  collaboratorOutput(
    traceId: string,
    collaborator: { name: string; aliasArn: string },
    text: string,
    timing: Timing,
    clientRequestId: string,
  ): AgentStreamEvent {
    return this.orchestration({
      observation: {
        agentCollaboratorInvocationOutput: {
          agentCollaboratorAliasArn: collaborator.aliasArn,
          agentCollaboratorName: collaborator.name,
          metadata: metadataOf(timing, clientRequestId),
          output: { text, type: 'TEXT' },
        },
        traceId,
        type: 'AGENT_COLLABORATOR',
      },
    });
  }

  finish(traceId: string, text: string, timing: Timing): AgentStreamEvent {
    return this.orchestration({
      observation: {
        finalResponse: {
          metadata: {
            endTime: new Date(timing.endMs),
            operationTotalTimeMs: Math.max(0, Math.round(timing.endMs - timing.startMs)),
            startTime: new Date(timing.startMs),
          },
          text,
        },
        traceId,
        type: 'FINISH',
      },
    });
  }

  failure(traceId: string, failureReason: string, timing: Timing): AgentStreamEvent {
    return this.part({
      failureTrace: { failureReason, metadata: metadataOf(timing), traceId },
    });
  }
}

const encoder = new TextEncoder();

/** A `chunk` event carrying part of the answer, as UTF-8 bytes (what the SDK yields). */
export function chunkEvent(text: string): AgentStreamEvent {
  return { chunk: { bytes: encoder.encode(text) } };
}
