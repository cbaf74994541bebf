/**
 * Builds large, realistic InvokeAgent streams (saved JSON form) for the benchmark and the
 * large-stream test: a Manager handing off to collaborators over and over, each running several
 * model rounds with warehouse queries, knowledge-base lookups, growing prompts, then a streamed
 * final answer. Seeded: the same seed and size give the same bytes.
 */
import { Random } from './random';

const WORDS =
  'pipeline revenue quarter forecast opportunity account stage close renewal churn expansion segment territory owner champion economic buyer decision criteria process paper pain competition metrics usage consumption discount contract signature procurement security review legal timeline risk health score engagement meeting call transcript objection pricing value proposition onboarding adoption seat license upsell cross-sell region enterprise midmarket commercial partner channel'.split(
    ' ',
  );
const AGENTS = [
  ['DEALAGENT1', 'deal_analysis_agent'],
  ['LEADAGENT1', 'lead_analysis_agent'],
  ['DATAAGENT1', 'data_agent'],
  ['WEBSEARCH1', 'web_search_agent'],
  ['EXECUTION1', 'execution_agent'],
] as const;
const ROOT = 'MANAGERAG1';
const ARN = (id: string) => `arn:aws:bedrock:us-east-1:123456789012:agent-alias/${id}/LIVEALIAS1`;

function sentence(rng: Random, words = 12 + rng.int(14)): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(rng.pick(WORDS));
  const text = out.join(' ');
  return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
}

const paragraph = (rng: Random, sentences: number) =>
  Array.from({ length: sentences }, () => sentence(rng)).join(' ');

function uuid(rng: Random): string {
  const hex = () => rng.int(16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

export interface GeneratedStream {
  events: Record<string, unknown>[];
  bytes: number;
  collaboratorCalls: number;
  toolCalls: number;
  finalText: string;
}

/** A stream whose JSON is at least `targetBytes` long. */
export function generateStream(seed: number, targetBytes: number): GeneratedStream {
  const rng = new Random(seed);
  const events: Record<string, unknown>[] = [];
  let bytes = 2;
  let clock = Date.UTC(2026, 0, 5, 10, 0, 0);
  const tick = (ms: number) => {
    clock += ms;
    return new Date(clock).toISOString();
  };
  const push = (event: Record<string, unknown>) => {
    events.push(event);
    bytes += JSON.stringify(event).length + 1;
  };
  const systems = new Map<string, string>();
  for (const id of [ROOT, ...AGENTS.map(([a]) => a)]) {
    systems.set(id, `You are the ${id} of RevBot. ${paragraph(rng, 35 + rng.int(20))}`);
  }
  const part = (
    chain: string[],
    sessionId: string,
    body: Record<string, unknown>,
    collaboratorName?: string,
  ) => ({
    trace: {
      agentAliasId: 'LIVEALIAS1',
      agentId: chain.at(-1),
      agentVersion: '3',
      callerChain: chain.map((id) => ({ agentAliasArn: ARN(id) })),
      ...(collaboratorName ? { collaboratorName } : {}),
      eventTime: tick(1 + rng.int(5)),
      sessionId,
      trace: body,
    },
  });
  /** One orchestration step in an agent's trace. */
  const step = (
    chain: string[],
    sessionId: string,
    orchestrationTrace: Record<string, unknown>,
    collaboratorName?: string,
  ) => push(part(chain, sessionId, { orchestrationTrace }, collaboratorName));
  /** The metadata of a call that ran from `startTime` to `endTime`. */
  const timing = (clientRequestId: string, startTime: string, endTime: string) => ({
    clientRequestId,
    startTime,
    endTime,
    totalTimeMs: Date.parse(endTime) - Date.parse(startTime),
  });
  const history = new Map<string, { role: string; content: string }[]>();
  const modelRound = (chain: string[], sessionId: string, traceId: string, name?: string) => {
    const id = chain.at(-1) as string;
    const messages = history.get(id) ?? [{ role: 'user', content: paragraph(rng, 2) }];
    history.set(id, messages);
    const text = JSON.stringify({ system: systems.get(id), messages: messages.slice(-6) });
    step(
      chain,
      sessionId,
      {
        modelInvocationInput: {
          foundationModel: 'anthropic.claude-sonnet-4-20250514-v1:0',
          inferenceConfiguration: { maximumLength: 2048, temperature: 0, topK: 250, topP: 1 },
          text,
          traceId,
          type: 'ORCHESTRATION',
        },
      },
      name,
    );
    const start = tick(2);
    const thinking = paragraph(rng, 2 + rng.int(3));
    const end = tick(400 + rng.int(3000));
    step(
      chain,
      sessionId,
      {
        modelInvocationOutput: {
          metadata: {
            ...timing(uuid(rng), start, end),
            usage: {
              inputTokens: Math.round(text.length / 4),
              outputTokens: 80 + rng.int(400),
            },
          },
          rawResponse: { content: `<thinking>${thinking}</thinking>` },
          traceId,
        },
      },
      name,
    );
    step(chain, sessionId, { rationale: { text: thinking, traceId } }, name);
    messages.push({ role: 'assistant', content: thinking });
  };

  let collaboratorCalls = 0;
  let toolCalls = 0;
  const rootRequest = uuid(rng);
  const rootSession = 'slack-T01-C01-1767607200.000100';
  let round = 0;
  const rootStart = tick(0);
  while (bytes < targetBytes) {
    const traceId = `${rootRequest}-${round++}`;
    modelRound([ROOT], rootSession, traceId);
    const [childId, childName] = rng.pick(AGENTS);
    const message = paragraph(rng, 2);
    step([ROOT], rootSession, {
      invocationInput: {
        agentCollaboratorInvocationInput: {
          agentCollaboratorAliasArn: ARN(childId),
          agentCollaboratorName: childName,
          input: { text: message, type: 'TEXT' },
        },
        invocationType: 'AGENT_COLLABORATOR',
        traceId,
      },
    });
    collaboratorCalls++;
    const callStart = tick(1);
    const childRequest = uuid(rng);
    const childSession = uuid(rng);
    const chain = [ROOT, childId];
    const childStart = tick(1);
    const rounds = 2 + rng.int(3);
    for (let r = 0; r < rounds; r++) {
      const childTrace = `${childRequest}-${r}`;
      modelRound(chain, childSession, childTrace, childName);
      if (r === rounds - 1) break;
      if (rng.chance(0.7)) {
        step(
          chain,
          childSession,
          {
            invocationInput: {
              actionGroupInvocationInput: {
                actionGroupName: 'firebolt_query',
                executionType: 'LAMBDA',
                function: 'execute_query',
                parameters: [
                  {
                    name: 'query',
                    type: 'string',
                    value: `SELECT account_name, stage, amount FROM opportunities WHERE owner = '${rng.pick(WORDS)}' LIMIT 100`,
                  },
                ],
              },
              invocationType: 'ACTION_GROUP',
              traceId: childTrace,
            },
          },
          childName,
        );
        const rows = Array.from({ length: 10 + rng.int(30) }, () => [
          rng.pick(WORDS),
          rng.pick(WORDS),
          rng.int(1_000_000),
        ]);
        const start = tick(1);
        const end = tick(50 + rng.int(900));
        const result = JSON.stringify({
          success: true,
          columns: ['account_name', 'stage', 'amount'],
          rows,
        });
        step(
          chain,
          childSession,
          {
            observation: {
              actionGroupInvocationOutput: {
                metadata: timing(uuid(rng), start, end),
                text: result,
              },
              traceId: childTrace,
              type: 'ACTION_GROUP',
            },
          },
          childName,
        );
        history.get(childId)?.push({ role: 'user', content: result });
        toolCalls++;
      } else {
        step(
          chain,
          childSession,
          {
            invocationInput: {
              invocationType: 'KNOWLEDGE_BASE',
              knowledgeBaseLookupInput: { knowledgeBaseId: 'KBREVBOT01', text: sentence(rng) },
              traceId: childTrace,
            },
          },
          childName,
        );
        const start = tick(1);
        const end = tick(100 + rng.int(700));
        step(
          chain,
          childSession,
          {
            observation: {
              knowledgeBaseLookupOutput: {
                metadata: timing(childRequest, start, end),
                retrievedReferences: Array.from({ length: 5 }, (_, i) => ({
                  content: { text: paragraph(rng, 5), type: 'TEXT' },
                  location: {
                    s3Location: { uri: `s3://revbot-kb/business_logic/doc-${i}.md` },
                    type: 'S3',
                  },
                  metadata: {
                    'x-amz-bedrock-kb-source-uri': `s3://revbot-kb/business_logic/doc-${i}.md`,
                  },
                })),
              },
              traceId: childTrace,
              type: 'KNOWLEDGE_BASE',
            },
          },
          childName,
        );
      }
    }
    const answer = paragraph(rng, 3);
    const childEnd = tick(20);
    step(
      chain,
      childSession,
      {
        observation: {
          finalResponse: {
            metadata: {
              endTime: childEnd,
              operationTotalTimeMs: Date.parse(childEnd) - Date.parse(childStart),
              startTime: childStart,
            },
            text: answer,
          },
          traceId: `${childRequest}-${rounds - 1}`,
          type: 'FINISH',
        },
      },
      childName,
    );
    const callEnd = tick(5);
    step([ROOT], rootSession, {
      observation: {
        agentCollaboratorInvocationOutput: {
          agentCollaboratorAliasArn: ARN(childId),
          agentCollaboratorName: childName,
          metadata: {
            clientRequestId: childRequest,
            endTime: callEnd,
            startTime: callStart,
            totalTimeMs: Date.parse(callEnd) - Date.parse(callStart),
          },
          output: { text: answer, type: 'TEXT' },
        },
        traceId,
        type: 'AGENT_COLLABORATOR',
      },
    });
    history.get(ROOT)?.push({ role: 'user', content: answer });
  }
  const lastTrace = `${rootRequest}-${round}`;
  modelRound([ROOT], rootSession, lastTrace);
  const finalText = paragraph(rng, 6);
  for (let at = 0; at < finalText.length; at += 40) {
    push({ chunk: { bytes: finalText.slice(at, at + 40) } });
  }
  const rootEnd = tick(30);
  step([ROOT], rootSession, {
    observation: {
      finalResponse: {
        metadata: {
          endTime: rootEnd,
          operationTotalTimeMs: Date.parse(rootEnd) - Date.parse(rootStart),
          startTime: rootStart,
        },
        text: finalText,
      },
      traceId: lastTrace,
      type: 'FINISH',
    },
  });
  return { events, bytes, collaboratorCalls, toolCalls, finalText };
}
