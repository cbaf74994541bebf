/**
 * The runtime's share of streaming latency: the `converse` portable runtime (the orchestrator,
 * the ConverseProvider, the real Bedrock client) against a scripted streaming model (the answer's
 * first token after 200 ms, then a token every 20 ms; the hand-off and the collaborator's turns
 * quicker), 50 questions each handed to a collaborator and answered by the Manager. Measured: the
 * first answer chunk the caller receives minus the moment the model sent the answer's first
 * token (p50, p95), and the chunks per answer. The Slack benchmarks add Slack's side on top.
 */
import { createPortableRuntime } from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { LOCAL_CREDENTIALS } from '@revbot/testing/local-client-config';
import { startScriptedStreamingModel } from '@revbot/testing/scripted-streaming-model';
import { type BenchResult, percentile, round } from './types';

const QUESTIONS = 50;
const FIRST_CHUNK_P95_TARGET_MS = 150;
const ANSWER =
  '**Open pipeline this quarter is $18.4M ARR** across 46 deals: Enterprise $11.2M, Mid-Market $5.1M, SMB $2.1M. Coverage against the $6M target is 3.1x; the largest open deal is IXIS - Enterprise Platform in Negotiate.';

export async function run(): Promise<BenchResult[]> {
  const model = await startScriptedStreamingModel({ firstTokenDelayMs: 200, tokenIntervalMs: 20 });
  // The runtime as the processors build it (`AGENT_RUNTIME=converse`), its Bedrock client pointed
  // at the local model through the SDK's own endpoint and credential variables.
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: model.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  try {
    const runtime = createPortableRuntime(
      'converse',
      { AWS_REGION: 'us-east-1', AGENT_MODEL_ID: 'us.anthropic.claude-sonnet-4-6' },
      { tools: {}, logger: silentLogger },
    );
    const delays: number[] = [];
    const chunkCounts: number[] = [];
    for (let i = 0; i < QUESTIONS; i++) {
      model.requests.length = 0;
      model.reply(
        {
          text: '<thinking>A pipeline question: the Data agent has it.</thinking>',
          toolUses: [
            { id: `t${i}`, name: 'AgentCommunication__DataAgent', input: { content: 'Pipeline' } },
          ],
          firstTokenDelayMs: 5,
          tokenIntervalMs: 2,
        },
        { text: '$18.4M ARR open, 46 deals.', firstTokenDelayMs: 5, tokenIntervalMs: 2 },
        { text: ANSWER },
      );
      let firstChunkAt: number | undefined;
      let chunks = 0;
      for await (const event of runtime.ask({ question: 'Pipeline?', sessionId: `bench-${i}` })) {
        if (!event.chunk) continue;
        firstChunkAt ??= performance.now();
        chunks++;
      }
      const firstToken = model.requests.at(-1)?.firstTokenAt;
      if (firstChunkAt === undefined || firstToken === undefined) {
        throw new Error(`question ${i}: no streamed answer`);
      }
      delays.push(firstChunkAt - firstToken);
      chunkCounts.push(chunks);
    }
    delays.sort((a, b) => a - b);
    const p95 = percentile(delays, 95);
    return [
      {
        name: `streaming: first answer chunk minus the model's first token p50 (${QUESTIONS} questions)`,
        value: round(percentile(delays, 50)),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: `streaming: first answer chunk minus the model's first token p95 (${QUESTIONS} questions)`,
        value: round(p95),
        unit: 'ms',
        target: `<= ${FIRST_CHUNK_P95_TARGET_MS}`,
        ok: p95 <= FIRST_CHUNK_P95_TARGET_MS,
      },
      {
        name: 'streaming: chunks per answer (median)',
        value: [...chunkCounts].sort((a, b) => a - b)[Math.floor(chunkCounts.length / 2)]!,
        unit: 'chunks',
        target: '> 1',
        ok: chunkCounts.every((n) => n > 1),
      },
    ];
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await model.close();
  }
}
