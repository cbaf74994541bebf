import { buildConversationRecord, type Conversation } from '@revbot/monitoring';
import { describe, expect, it } from 'vitest';
import { buildWaterfall } from '../../src/viewer/waterfall';
import { recordedStreamAt } from '../support/recorded-streams';

const START = Date.parse('2026-11-20T10:00:00.000Z');

function record(file: string): Conversation {
  return buildConversationRecord(recordedStreamAt(file, START), {
    conversationId: 'c1',
    channel: { kind: 'replay', source: file },
    userQuery: 'q',
  }).conversation;
}

describe('buildWaterfall', () => {
  it('orders agent runs under their callers and places each step at its offset and duration', () => {
    const conversation = record('01-supervisor-nested-collaborators.json');
    const waterfall = buildWaterfall(conversation);
    const agents = waterfall.rows.filter((r) => r.item.kind === 'agent');
    expect(agents.map((r) => r.item.kind === 'agent' && r.item.run.agent_name)).toEqual(
      conversation.agent_flow.map((run) => run.agent_name),
    );
    expect(agents.map((r) => r.depth)).toEqual([0, 1, 2]);

    // The figures, computed here from the record's own times.
    const starts = conversation.agent_flow.flatMap((run) =>
      [run, ...run.steps, ...run.tool_calls]
        .map((s) => Date.parse(s.started_at ?? ''))
        .filter((t) => !Number.isNaN(t)),
    );
    const ends = conversation.agent_flow.flatMap((run) =>
      [run, ...run.steps, ...run.tool_calls]
        .map((s) => Date.parse(s.ended_at ?? ''))
        .filter((t) => !Number.isNaN(t)),
    );
    const origin = Math.min(
      ...starts,
      Date.parse(conversation.timing.started_at ?? '') || Infinity,
    );
    const total = Math.max(...ends, Date.parse(conversation.timing.ended_at ?? '') || 0) - origin;
    expect(waterfall.origin).toBe(origin);
    expect(waterfall.totalMs).toBe(total);

    const run = conversation.agent_flow[1];
    const row = agents[1];
    const runStart = Date.parse(run?.started_at ?? '');
    const runEnd = Date.parse(run?.ended_at ?? '');
    expect(row?.startMs).toBe(runStart - origin);
    expect(row?.durationMs).toBe(runEnd - runStart);
    expect(row?.offsetPct).toBeCloseTo(((runStart - origin) / total) * 100, 6);
    expect(row?.widthPct).toBeCloseTo(Math.max(0.4, ((runEnd - runStart) / total) * 100), 6);
    for (const r of waterfall.rows)
      expect(r.offsetPct + r.widthPct).toBeLessThanOrEqual(100.000001);
  });

  it('lists model calls, tool calls and knowledge-base lookups under their agent, in start order', () => {
    const conversation = record('06-knowledge-base-lookup-with-citation-chunk.json');
    const rows = buildWaterfall(conversation).rows;
    const lookups = conversation.agent_flow.reduce(
      (n, r) => n + r.knowledge_base_lookups.length,
      0,
    );
    const steps = conversation.agent_flow.reduce((n, r) => n + r.steps.length, 0);
    expect(lookups).toBeGreaterThan(0);
    expect(rows.filter((r) => r.item.kind === 'knowledge_base')).toHaveLength(lookups);
    expect(rows.filter((r) => r.item.kind === 'model')).toHaveLength(steps);
    const children = rows.filter((r) => r.item.kind !== 'agent' && r.startMs !== null);
    const times = children.map((r) => r.startMs as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
