/**
 * Zod schemas for the files that define RevBot's agents: `agents/models.json` (the one place the
 * model is chosen) and each `agents/<agent>/agent.json`. Limits are Bedrock Agents' own (API
 * constraints and service quotas), so a definition that loads here also deploys.
 */
import { z } from 'zod';

/** Bedrock's pattern for agent, collaborator, action group, function and parameter names. */
export const BEDROCK_NAME_PATTERN = /^([0-9a-zA-Z][_-]?){1,100}$/;

export const LIMITS = {
  instructionMin: 40,
  instructionMax: 20_000,
  agentDescriptionMax: 200,
  collaborationInstructionMax: 4_000,
  collaboratorsMax: 10,
  functionsPerActionGroupMax: 11,
  actionGroupDescriptionMax: 200,
  functionDescriptionMax: 1_200,
  parameterDescriptionMax: 500,
  knowledgeBaseDescriptionMax: 200,
  idleSessionTtlMin: 60,
  idleSessionTtlMax: 5_400,
} as const;

/** Agent folder names: lowercase snake case, e.g. `deal_analysis_agent`. */
export const AGENT_KEY_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export const BEDROCK_NAME_RULE =
  'must be 1-100 letters or digits, each optionally followed by one "_" or "-"';

const bedrockName = () => z.string().regex(BEDROCK_NAME_PATTERN, BEDROCK_NAME_RULE);

const count = (n: number) => n.toLocaleString('en-US');

/** Trimmed text of 1..max characters; the message says how long it was. */
export const boundedText = (max: number) =>
  z
    .string()
    .trim()
    .superRefine((text, ctx) => {
      if (text.length === 0) ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      else if (text.length > max)
        ctx.addIssue({
          code: 'custom',
          message: `must be at most ${count(max)} characters (got ${count(text.length)})`,
        });
    });

/** Geography prefixes of Bedrock's system-defined cross-Region inference profiles. */
export const INFERENCE_PROFILE_PREFIXES = [
  'us',
  'us-gov',
  'eu',
  'apac',
  'jp',
  'au',
  'ca',
  'global',
] as const;

export const modelSchema = z
  .object({
    /** System-defined cross-Region inference profile, e.g. `us.anthropic.claude-sonnet-4-6`. */
    inferenceProfileId: z.string().regex(/^[a-z-]+\.[a-z0-9-]+\.[a-zA-Z0-9.:-]+$/, {
      message: 'must look like "<geo>.<provider>.<model>"',
    }),
    /** The foundation model the profile routes to, e.g. `anthropic.claude-sonnet-4-6`. */
    foundationModelId: z.string().regex(/^[a-z0-9-]+\.[a-zA-Z0-9.:-]+$/, {
      message: 'must look like "<provider>.<model>"',
    }),
  })
  .strict()
  .superRefine((model, ctx) => {
    const [geo, ...rest] = model.inferenceProfileId.split('.');
    if (!INFERENCE_PROFILE_PREFIXES.includes(geo as (typeof INFERENCE_PROFILE_PREFIXES)[number])) {
      ctx.addIssue({
        code: 'custom',
        path: ['inferenceProfileId'],
        message: `must start with one of ${INFERENCE_PROFILE_PREFIXES.join(', ')} (got "${geo}")`,
      });
    } else if (rest.join('.') !== model.foundationModelId) {
      ctx.addIssue({
        code: 'custom',
        path: ['foundationModelId'],
        message: `must be the model the inference profile routes to ("${rest.join('.')}")`,
      });
    }
  });

export const modelsFileSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'model keys are lowercase words'), modelSchema)
  .refine((models) => Object.keys(models).length > 0, 'define at least one model');

const actionGroupRefSchema = z.union([
  z.string().min(1),
  z
    .object({
      /** A tool of the catalogue (`agents/src/tools/`). */
      tool: z.string().min(1),
      /** Offer only these functions of the tool (default: all of them). */
      functions: z.array(z.string().min(1)).min(1).optional(),
    })
    .strict(),
]);

export const collaboratorSchema = z
  .object({
    /** Folder name of the collaborating agent, e.g. `deal_analysis_agent`. */
    agent: z.string().min(1),
    /** The name the supervisor knows it by (shows up as `collaboratorName` in traces). */
    name: bedrockName(),
    /** When the supervisor should hand a request to this collaborator, and what to send. */
    instruction: boundedText(LIMITS.collaborationInstructionMax),
    /** Send the conversation so far along with each request (`TO_COLLABORATOR`). */
    relayConversationHistory: z.boolean(),
  })
  .strict();

export const agentFileSchema = z
  .object({
    /** Human name for logs, traces and docs, e.g. `Deal Analysis`. */
    displayName: z.string().trim().min(1).max(60),
    description: boundedText(LIMITS.agentDescriptionMax),
    /** Key into `agents/models.json`. */
    model: z.string().min(1),
    idleSessionTtlSeconds: z
      .number()
      .int()
      .min(LIMITS.idleSessionTtlMin, `must be at least ${LIMITS.idleSessionTtlMin} seconds`)
      .max(LIMITS.idleSessionTtlMax, `must be at most ${count(LIMITS.idleSessionTtlMax)} seconds`),
    /** Tools offered as action groups, by catalogue name. */
    actionGroups: z.array(actionGroupRefSchema).default([]),
    /** Use of the knowledge base: what the agent should look up there (null: no access). */
    knowledgeBase: z
      .object({
        description: boundedText(LIMITS.knowledgeBaseDescriptionMax),
      })
      .strict()
      .nullable()
      .default(null),
    collaboration: z.enum(['DISABLED', 'SUPERVISOR', 'SUPERVISOR_ROUTER']).default('DISABLED'),
    collaborators: z
      .array(collaboratorSchema)
      .max(
        LIMITS.collaboratorsMax,
        `must list at most ${LIMITS.collaboratorsMax} agents (Bedrock's limit per supervisor)`,
      )
      .default([]),
  })
  .strict();

export type AgentFile = z.infer<typeof agentFileSchema>;
export type ModelsFile = z.infer<typeof modelsFileSchema>;
