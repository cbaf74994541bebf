/**
 * The conversation record's contract: `conversation.json` and `metadata.json`, defined once with
 * zod. The types the recorder builds are inferred from these schemas, and the committed JSON
 * Schema files (`monitoring/schema/`) are generated from them, so readers outside TypeScript get
 * the same contract. Bump the version on any change a reader could notice.
 */
import { z } from 'zod';

/** Semantic version of the record format; written into both files. */
export const CONVERSATION_SCHEMA_VERSION = '1.0.0';

const timestamp = z
  .string()
  .describe('ISO 8601 UTC timestamp with millisecond precision, e.g. 2025-05-21T09:49:01.981Z');
const count = z.number().int().nonnegative();
const durationMs = z.number().nonnegative().nullable().describe('Milliseconds; null when unknown');

/** When a span started and ended; every field null when the stream did not say. */
const span = {
  started_at: timestamp.nullable(),
  ended_at: timestamp.nullable(),
  duration_ms: durationMs,
};

export const slackChannelSchema = z.object({
  kind: z.literal('slack'),
  team: z.string(),
  channel: z.string(),
  thread_ts: z.string(),
  user: z.string(),
  event_id: z.string(),
});

export const webhookChannelSchema = z.object({
  kind: z.literal('webhook'),
  tracking_id: z.string(),
  source_system: z.string(),
  source_process: z.string().nullable(),
  caller: z
    .string()
    .optional()
    .describe("The name of the API key the request came with: the caller's identity"),
});

/** A saved event stream converted after the fact (`revbot export`). */
export const replayChannelSchema = z.object({
  kind: z.literal('replay'),
  source: z.string().describe('The file the stream was read from'),
});

export const channelSchema = z.discriminatedUnion('kind', [
  slackChannelSchema,
  webhookChannelSchema,
  replayChannelSchema,
]);

/**
 * Prompt-cache counts; input_tokens excludes them, as Bedrock Converse reports usage. Records
 * written before they existed read as 0.
 */
const cacheCounts = {
  cache_read_input_tokens: count.default(0).describe('Input tokens read from the prompt cache'),
  cache_write_input_tokens: count.default(0).describe('Input tokens written into the prompt cache'),
};
/** The same counts, present only when the provider reported cache use (steps, models). */
const reportedCacheCounts = {
  cache_read_input_tokens: count.optional(),
  cache_write_input_tokens: count.optional(),
};

export const tokenUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  ...reportedCacheCounts,
});

export const usageTotalsSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  total_tokens: count.describe('Input, output and cache reads and writes'),
  model_calls: count,
});

/** Totals of a run or a conversation: cache counts always, and the estimated cost. */
export const usageWithCostSchema = usageTotalsSchema.extend({
  ...cacheCounts,
  estimated_cost_usd: z
    .number()
    .nonnegative()
    .nullable()
    .default(null)
    .describe('Only when every model used has a price (cache prices too when the cache was used)'),
});

/** Stands in for a model prompt: the prompt itself (instructions, tool schemas) is never kept. */
export const promptFingerprintSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  length: count.describe('Length of the prompt text in UTF-16 code units'),
});

export const stepPhaseSchema = z.enum([
  'pre_processing',
  'routing_classifier',
  'orchestration',
  'knowledge_base_response_generation',
  'post_processing',
  'custom_orchestration',
]);

export const stepNoteSchema = z.object({
  type: z.enum(['reprompt', 'ask_user', 'custom_orchestration']),
  text: z.string().nullable(),
  source: z.string().nullable(),
});

/** One model round of an agent, joined by `traceId`. */
export const stepSchema = z.object({
  trace_id: z.string().nullable(),
  phase: stepPhaseSchema,
  prompt_type: z.string().nullable().describe('modelInvocationInput.type as Bedrock reported it'),
  model: z.string().nullable(),
  prompt: promptFingerprintSchema.nullable(),
  ...span,
  usage: tokenUsageSchema.nullable(),
  rationale: z.string().nullable(),
  reasoning: z.string().nullable().describe("The model's reasoning content, when it emits one"),
  model_output: z.string().nullable().describe('Raw model output, clipped'),
  model_output_chars: count,
  model_output_truncated: z.boolean(),
  routing_decision: z
    .string()
    .nullable()
    .describe('Routing classifier choice: a collaborator name or "undecidable"'),
  pre_processing: z
    .object({ is_valid: z.boolean().nullable(), rationale: z.string().nullable() })
    .nullable(),
  post_processing_text: z.string().nullable(),
  notes: z.array(stepNoteSchema),
});

export const toolParameterSchema = z.object({
  name: z.string().nullable(),
  type: z.string().nullable(),
  value: z.string().nullable(),
});

export const toolCallStatusSchema = z.enum(['success', 'failure', 'no_result', 'returned_control']);

export const toolCallSchema = z.object({
  trace_id: z.string().nullable(),
  kind: z.enum(['action_group', 'code_interpreter', 'return_control']),
  action_group: z.string().nullable(),
  function: z.string().nullable(),
  api_path: z.string().nullable(),
  http_method: z.string().nullable(),
  execution_type: z.string().nullable(),
  invocation_id: z.string().nullable(),
  parameters: z.array(toolParameterSchema),
  request_body: z
    .object({ content_type: z.string(), properties: z.array(toolParameterSchema) })
    .nullable(),
  code: z.string().nullable(),
  status: toolCallStatusSchema,
  result: z.string().nullable().describe('What the tool returned, clipped'),
  result_chars: count,
  result_truncated: z.boolean(),
  ...span,
});

export const referenceSchema = z.object({
  source_uri: z.string().nullable(),
  location_type: z.string().nullable(),
  excerpt: z.string().nullable(),
});

export const knowledgeBaseLookupSchema = z.object({
  trace_id: z.string().nullable(),
  knowledge_base_id: z.string().nullable(),
  query: z.string().nullable(),
  status: z.enum(['success', 'no_result']),
  reference_count: count,
  references: z.array(referenceSchema),
  ...span,
});

export const collaboratorCallSchema = z.object({
  trace_id: z.string().nullable(),
  via: z.enum(['supervisor', 'routing_classifier']),
  recipient: z.string(),
  recipient_agent_id: z.string().nullable(),
  recipient_alias_arn: z.string().nullable(),
  message: z.string().nullable(),
  output: z.string().nullable(),
  status: z.enum(['success', 'no_result', 'returned_control']),
  invocation_index: count.nullable().describe('agent_flow index of the run this call started'),
  ...span,
});

export const guardrailFindingSchema = z.object({
  policy: z.enum(['content', 'topic', 'word', 'managed_word', 'sensitive_information', 'regex']),
  type: z.string().nullable(),
  action: z.string().nullable(),
  confidence: z.string().nullable(),
});

export const guardrailCheckSchema = z.object({
  trace_id: z.string().nullable(),
  stage: z.enum(['input', 'output', 'unknown']),
  action: z.string().nullable(),
  intervened: z.boolean(),
  findings: z
    .array(guardrailFindingSchema)
    .describe('Policies that matched; matched text (e.g. PII) is never kept'),
  ...span,
});

export const agentInvocationStatusSchema = z.enum(['completed', 'incomplete', 'failed', 'blocked']);

/** One run of one agent: the root once, each collaborator once per call. */
export const agentInvocationSchema = z.object({
  index: count,
  agent_id: z.string(),
  agent_alias_id: z.string().nullable(),
  agent_version: z.string().nullable(),
  agent_name: z.string(),
  session_id: z.string().nullable(),
  depth: z.number().int().positive().describe('Length of callerChain: 1 for the root agent'),
  caller_index: count.nullable(),
  caller_name: z.string().nullable(),
  request_ids: z.array(z.string()).describe('traceId prefixes of this run'),
  status: agentInvocationStatusSchema,
  ...span,
  input: z.string().nullable().describe('The message the caller sent (collaborators)'),
  output: z.string().nullable().describe('The final response this agent returned'),
  steps: z.array(stepSchema),
  tool_calls: z.array(toolCallSchema),
  knowledge_base_lookups: z.array(knowledgeBaseLookupSchema),
  collaborator_calls: z.array(collaboratorCallSchema),
  guardrails: z.array(guardrailCheckSchema),
  usage: usageWithCostSchema,
});

export const citationSchema = z.object({
  text: z.string().nullable(),
  span: z.object({ start: z.number().int(), end: z.number().int() }).nullable(),
  references: z.array(referenceSchema),
});

export const conversationErrorSchema = z.object({
  kind: z.enum([
    'agent_failure',
    'stream_error',
    'malformed_event',
    'unrecognized_trace',
    'unmatched_observation',
    'tool_call_without_result',
    'incomplete_invocation',
  ]),
  message: z.string(),
  agent_index: count.nullable(),
  trace_id: z.string().nullable(),
  at: timestamp.nullable(),
});

export const conversationStatusSchema = z.enum([
  'completed',
  'blocked_by_guardrail',
  'failed',
  'returned_control',
  'incomplete',
]);

export const conversationSchema = z
  .object({
    schema_version: z.literal(CONVERSATION_SCHEMA_VERSION),
    conversation_id: z.string().min(1),
    session_id: z.string().nullable(),
    channel: channelSchema,
    user_query: z.string().nullable(),
    status: conversationStatusSchema,
    final_response: z.object({
      text: z.string().nullable(),
      source: z.enum(['chunks', 'finish_trace', 'none']),
      citations: z.array(citationSchema),
    }),
    timing: z.object({
      started_at: timestamp.nullable().describe('When the question was received'),
      agent_started_at: timestamp.nullable(),
      first_chunk_at: timestamp.nullable(),
      ended_at: timestamp.nullable(),
      duration_ms: durationMs,
      agent_duration_ms: durationMs,
      time_to_first_chunk_ms: durationMs,
    }),
    usage: usageWithCostSchema.extend({
      by_model: z.array(
        usageTotalsSchema.extend({
          model: z.string(),
          ...reportedCacheCounts,
          estimated_cost_usd: z.number().nonnegative().nullable(),
        }),
      ),
    }),
    agent_flow: z.array(agentInvocationSchema),
    collaboration_map: z.array(
      z.object({
        from: z.string(),
        from_agent_id: z.string(),
        to: z.string(),
        to_agent_id: z.string().nullable(),
        via: z.enum(['supervisor', 'routing_classifier']),
        count: z.number().int().positive(),
      }),
    ),
    errors: z.array(conversationErrorSchema),
  })
  .describe('RevBot conversation record (conversation.json)');

export const qualityCheckSchema = z.object({
  name: z.enum([
    'tool_calls_have_results',
    'agents_attributed',
    'final_response_present',
    'no_prompt_leakage',
    'timings_monotonic',
    'invocations_complete',
    'stream_understood',
  ]),
  passed: z.boolean(),
  score: z.number().min(0).max(1),
  weight: z.number().positive(),
  detail: z.string(),
});

export const metadataSchema = z
  .object({
    schema_version: z.literal(CONVERSATION_SCHEMA_VERSION),
    exported_at: timestamp,
    conversation_id: z.string().min(1),
    session_id: z.string().nullable(),
    channel_kind: z.enum(['slack', 'webhook', 'replay']),
    key_prefix: z.string().describe('conversation-history/YYYY/MM/DD/<ISO timestamp>_<id>/'),
    files: z.object({
      conversation: z.object({ bytes: count.describe('Size of conversation.json in bytes') }),
      raw_events: z
        .object({ bytes: count, events: count })
        .nullable()
        .describe('Present when the redacted raw stream was saved (events.json)'),
    }),
    counts: z.object({
      events: count,
      trace_events: count,
      chunk_events: count,
      return_control_events: count,
      agents: count,
      agent_invocations: count,
      steps: count,
      model_calls: count,
      tool_calls: count,
      tool_failures: count,
      knowledge_base_lookups: count,
      collaborator_calls: count,
      guardrail_checks: count,
      guardrail_interventions: count,
      errors: count,
      input_tokens: count,
      output_tokens: count,
      total_tokens: count,
      ...cacheCounts,
    }),
    usage: z
      .object({
        estimated_cost_usd: z.number().nonnegative().nullable(),
        by_agent: z.array(
          z.object({
            agent_name: z.string(),
            runs: z.number().int().positive(),
            input_tokens: count,
            output_tokens: count,
            ...cacheCounts,
            total_tokens: count,
            model_calls: count,
            estimated_cost_usd: z.number().nonnegative().nullable(),
          }),
        ),
      })
      .default({ estimated_cost_usd: null, by_agent: [] })
      .describe('Tokens and estimated cost per agent (its runs summed) and in total'),
    redaction: z.object({
      prompts_fingerprinted: count,
      instruction_fragments_redacted: count.describe(
        'Sentences of agent instructions removed from model output before export',
      ),
    }),
    quality: z.object({
      score: z.number().min(0).max(1).describe('Weighted mean of the check scores'),
      summary: z.string(),
      checks: z.array(qualityCheckSchema),
    }),
  })
  .describe('RevBot conversation export metadata (metadata.json)');

export type Channel = z.infer<typeof channelSchema>;
export type SlackChannel = z.infer<typeof slackChannelSchema>;
export type WebhookChannel = z.infer<typeof webhookChannelSchema>;
export type ReplayChannel = z.infer<typeof replayChannelSchema>;
export type Conversation = z.infer<typeof conversationSchema>;
export type ConversationMetadata = z.infer<typeof metadataSchema>;
export type AgentInvocation = z.infer<typeof agentInvocationSchema>;
export type Step = z.infer<typeof stepSchema>;
export type StepPhase = z.infer<typeof stepPhaseSchema>;
export type StepNote = z.infer<typeof stepNoteSchema>;
export type ToolCall = z.infer<typeof toolCallSchema>;
export type ToolParameter = z.infer<typeof toolParameterSchema>;
export type KnowledgeBaseLookup = z.infer<typeof knowledgeBaseLookupSchema>;
export type Reference = z.infer<typeof referenceSchema>;
export type CollaboratorCall = z.infer<typeof collaboratorCallSchema>;
export type GuardrailCheck = z.infer<typeof guardrailCheckSchema>;
export type GuardrailFinding = z.infer<typeof guardrailFindingSchema>;
export type Citation = z.infer<typeof citationSchema>;
export type ConversationError = z.infer<typeof conversationErrorSchema>;
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;
export type QualityCheck = z.infer<typeof qualityCheckSchema>;
export type UsageTotals = z.infer<typeof usageTotalsSchema>;
export type PromptFingerprint = z.infer<typeof promptFingerprintSchema>;
export type UsageWithCost = z.infer<typeof usageWithCostSchema>;
