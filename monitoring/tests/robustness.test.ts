/**
 * Property-style tests: whatever arrives (mutated, reordered, truncated or random events), the
 * recorder never throws and always produces files that match the schema. Seeded, so a failure
 * names its seed and replays exactly.
 */

import { toSdkForm } from '@revbot/testing/fixtures';
import { Random } from '@revbot/testing/random';
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../src/build-conversation-record';
import { describeProgress } from '../src/progress-hints';
import { serializeConversation, serializeMetadata } from '../src/record-serialization';
import { ConversationRecorder } from '../src/recorder/conversation-recorder';
import { conversationSchema, metadataSchema } from '../src/schema';
import type { ConversationRecord } from '../src/types';
import { loadFixture, manifest, replayContext } from './support/fixtures';

const fixtures = manifest.map((m) => ({ file: m.file, events: loadFixture(m.file) }));

function mutate(value: unknown, rng: Random, depth = 0): unknown {
  if (rng.chance(0.04)) return rng.value(1);
  if (Array.isArray(value)) {
    const items = value.map((v) => mutate(v, rng, depth + 1));
    if (rng.chance(0.05)) items.reverse();
    if (rng.chance(0.05)) items.splice(rng.int(items.length + 1));
    return items;
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (rng.chance(0.04)) continue;
      out[k] = mutate(v, rng, depth + 1);
    }
    if (rng.chance(0.03)) out[rng.string(6)] = rng.value(2);
    return out;
  }
  return value;
}

function reshuffle(events: unknown[], rng: Random): unknown[] {
  const out = [...events];
  for (let n = rng.int(4); n > 0; n--) {
    const from = rng.int(out.length);
    const [moved] = out.splice(from, 1);
    out.splice(rng.int(out.length + 1), 0, moved);
  }
  if (rng.chance(0.3) && out.length > 0) out.push(out[rng.int(out.length)]);
  if (rng.chance(0.3)) out.splice(rng.int(out.length), 1);
  return out;
}

function junkStream(rng: Random): unknown[] {
  const kinds = [
    'orchestrationTrace',
    'routingClassifierTrace',
    'guardrailTrace',
    'failureTrace',
    'preProcessingTrace',
    'postProcessingTrace',
    'customOrchestrationTrace',
    'somethingNew',
  ];
  const parts = [
    'modelInvocationInput',
    'modelInvocationOutput',
    'rationale',
    'invocationInput',
    'observation',
  ];
  return Array.from({ length: rng.int(30) }, () => {
    switch (rng.int(5)) {
      case 0:
        return rng.value(3);
      case 1:
        return {
          chunk: {
            bytes: rng.chance(0.5) ? rng.string(40) : rng.value(1),
            attribution: rng.value(3),
          },
        };
      case 2:
        return {
          returnControl: {
            invocationId: rng.string(),
            invocationInputs: [rng.value(3), { functionInvocationInput: rng.value(2) }],
          },
        };
      default:
        return {
          trace: {
            agentId: rng.chance(0.8) ? rng.pick(['A', 'B', 'C']) : rng.value(1),
            callerChain: Array.from({ length: rng.int(4) }, () => ({
              agentAliasArn: rng.chance(0.7)
                ? `arn:aws:bedrock:us-east-1:1:agent-alias/${rng.pick(['A', 'B', 'C'])}/X`
                : rng.value(1),
            })),
            eventTime: rng.value(0),
            sessionId: rng.value(0),
            trace: {
              [rng.pick(kinds)]: {
                [rng.pick(parts)]: {
                  traceId: rng.chance(0.7)
                    ? `${rng.pick(['r1', 'r2'])}-${rng.int(3)}`
                    : rng.value(0),
                  ...(rng.value(2) as object),
                },
                ...(rng.value(1) as object),
              },
            },
          },
        };
    }
  });
}

function expectValidRecord(record: ConversationRecord): void {
  conversationSchema.parse(record.conversation);
  metadataSchema.parse(record.metadata);
  const body = serializeConversation(record.conversation);
  expect(JSON.parse(body)).toEqual(record.conversation);
  expect(JSON.parse(serializeMetadata(record.metadata))).toEqual(record.metadata);
  expect(record.metadata.quality.score).toBeGreaterThanOrEqual(0);
  expect(record.metadata.quality.score).toBeLessThanOrEqual(1);
  // The readers handled every shape themselves: the last-resort catch in add() never fired.
  expect(record.conversation.errors.filter((e) => e.message.includes('could not be read'))).toEqual(
    [],
  );
}

function record(
  events: unknown[],
  seed: number | string,
  keepRawEvents = false,
): ConversationRecord {
  const recorder = new ConversationRecorder(
    {
      conversationId: `seed-${seed}`,
      channel: { kind: 'replay', source: String(seed) },
      userQuery: 'q',
    },
    { keepRawEvents },
  );
  for (const event of events) {
    recorder.add(event);
    const hint = describeProgress(event, { agentNames: recorder.agentNames });
    expect(hint === null || typeof hint === 'string').toBe(true);
  }
  return recorder.finish();
}

describe('the recorder on damaged streams', () => {
  it('never throws and stays schema-valid on 360 mutated recordings (seeds 1..40 per file)', () => {
    for (const { file, events } of fixtures) {
      for (let seed = 1; seed <= 40; seed++) {
        const rng = new Random(seed);
        const source = seed % 2 === 0 ? toSdkForm(events) : events;
        const damaged = reshuffle(source, rng).map((e) => mutate(e, rng));
        try {
          expectValidRecord(record(damaged, seed, seed % 5 === 0));
        } catch (error) {
          throw new Error(`${file} seed ${seed}: ${String(error)}`);
        }
      }
    }
  });

  it('never throws on 300 streams of random events', () => {
    for (let seed = 1000; seed < 1300; seed++) {
      const stream = junkStream(new Random(seed));
      try {
        expectValidRecord(record(stream, seed, seed % 3 === 0));
      } catch (error) {
        throw new Error(`seed ${seed}: ${String(error)}`);
      }
    }
  });

  it('records every prefix of every recording, growing monotonically and flagging what is unfinished', () => {
    for (const { file, events } of fixtures) {
      const full = buildConversationRecord(events, replayContext(file));
      let previousRuns = 0;
      for (let cut = 0; cut <= events.length; cut++) {
        const partial = buildConversationRecord(events.slice(0, cut), replayContext(file));
        expectValidRecord(partial);
        const runs = partial.conversation.agent_flow.length;
        expect(runs).toBeGreaterThanOrEqual(previousRuns);
        previousRuns = runs;
        if (partial.conversation.final_response.source === 'chunks') {
          const text = partial.conversation.final_response.text ?? '';
          expect(full.conversation.final_response.text?.startsWith(text)).toBe(true);
        }
        if (partial.conversation.agent_flow.some((inv) => inv.status === 'incomplete')) {
          expect(partial.conversation.errors.some((e) => e.kind === 'incomplete_invocation')).toBe(
            true,
          );
          expect(partial.metadata.quality.score).toBeLessThan(1);
        }
      }
      expect(previousRuns).toBe(full.conversation.agent_flow.length);
    }
  });

  it('reports a stream cut before the end as incomplete, not completed', () => {
    const events = loadFixture('01-supervisor-nested-collaborators.json');
    const cut = buildConversationRecord(
      events.slice(0, 24),
      replayContext('01-supervisor-nested-collaborators.json'),
    );
    expect(cut.conversation.status).toBe('incomplete');
    expect(cut.conversation.agent_flow.map((inv) => inv.status)).toEqual([
      'incomplete',
      'incomplete',
      'completed',
    ]);
    expect(
      cut.metadata.quality.checks.find((c) => c.name === 'invocations_complete')?.score,
    ).toBeCloseTo(1 / 3, 3);
  });
});
