import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../src/build-conversation-record';
import { REDACTION_MARKER } from '../src/prompt-guard';
import {
  serializeConversation,
  serializeMetadata,
  serializeRawEvents,
} from '../src/record-serialization';
import { loadFixture, manifest, replayContext } from './support/fixtures';

/** Every modelInvocationInput.text in a stream. */
function prompts(events: unknown[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string | null) => {
    if (Array.isArray(value)) for (const v of value) walk(v, null);
    else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (key === 'modelInvocationInput' && k === 'text' && typeof v === 'string') found.push(v);
        else walk(v, k);
      }
    }
  };
  walk(events, null);
  return found;
}

/**
 * Independent of the guard's own fragmenting: runs of prose (letters, digits, spaces, light
 * punctuation) of 40+ characters anywhere in the instruction part of a prompt, as 40-character
 * windows. Tool names and XML tags are shorter than that, so a model calling a tool by name is
 * not a leak; a copied sentence of instructions is.
 */
function instructionWindows(prompt: string): string[] {
  let instructions = prompt;
  try {
    const parsed = JSON.parse(prompt) as { system?: unknown; messages?: { content?: unknown }[] };
    instructions =
      typeof parsed.system === 'string' && parsed.system.trim() !== ''
        ? parsed.system
        : ((parsed.messages ?? [])
            .map((m) => String(m.content ?? ''))
            .join('\n')
            .match(/<agent_scenarios>[\s\S]*?<\/agent_scenarios>/g)
            ?.join('\n') ?? '');
  } catch {
    const system = /^\{"system":"((?:[^"\\]|\\.)*)"/.exec(prompt)?.[1];
    instructions = system ?? prompt.replace(/<search_results>[\s\S]*?<\/search_results>/g, '');
  }
  const windows: string[] = [];
  for (const run of instructions.match(/[A-Za-z0-9,;:'()\- ]{40,}/g) ?? []) {
    for (let at = 0; at + 40 <= run.length; at += 10) windows.push(run.slice(at, at + 40));
  }
  return windows;
}

describe.each(manifest)('no prompt leaks from $file', ({ file, request }) => {
  const events = loadFixture(file);
  const record = buildConversationRecord(events, replayContext(file), { keepRawEvents: true });
  const written = [
    serializeConversation(record.conversation),
    serializeMetadata(record.metadata),
    serializeRawEvents(record.rawEvents ?? []),
  ].join('\n');

  it('writes no window of any agent instructions into conversation.json, metadata.json or events.json', () => {
    const leaked = [...new Set(prompts(events).flatMap(instructionWindows))].filter((w) =>
      written.includes(w),
    );
    expect(leaked).toEqual([]);
  });

  it('keeps a SHA-256 and the length of each prompt instead of its text', () => {
    const expected = prompts(events).map((text) => ({
      sha256: createHash('sha256').update(text).digest('hex'),
      length: text.length,
    }));
    const kept = record.conversation.agent_flow
      .flatMap((inv) => inv.steps.map((s) => s.prompt))
      .filter((p) => p !== null);
    const bySha = (a: { sha256: string }, b: { sha256: string }) =>
      a.sha256.localeCompare(b.sha256);
    expect(kept.sort(bySha)).toEqual(expected.sort(bySha));
    for (const text of prompts(events).filter((t) => t.length > 200))
      expect(written).not.toContain(text.slice(0, 200));
  });

  it('keeps the user text', () => {
    expect(record.conversation.user_query).toBe(request.inputText);
  });

  it('redacts only what a model really repeated (MathAgent quotes its instructions in 03)', () => {
    expect(record.metadata.redaction.instruction_fragments_redacted).toBe(
      file.startsWith('03-') ? 2 : 0,
    );
  });
});

describe('a real model quoting its instructions (03)', () => {
  const file = '03-supervisor-router-routes-to-collaborator-with-action-group.json';
  const { conversation, metadata } = buildConversationRecord(
    loadFixture(file),
    replayContext(file),
  );
  const step = conversation.agent_flow[1]?.steps[1];
  // The model wrote: The instructions: "Use the prime_numbers_between_n1_and_n2 tool to find all
  // prime numbers in a given range." (its system prompt says exactly that, and more).
  const quoted = 'tool to find all prime numbers in a given range';

  it('redacts the quoted sentence from the rationale and the raw output, and keeps the rest', () => {
    expect(step?.rationale).toContain(
      `The instructions: "${REDACTION_MARKER}" But tool seems broken.`,
    );
    expect(step?.model_output).toContain(REDACTION_MARKER);
    expect(serializeConversation(conversation)).not.toContain(quoted);
    expect(step?.rationale).toContain('We need to explain.');
    expect(metadata.quality.checks.find((c) => c.name === 'no_prompt_leakage')?.passed).toBe(true);
  });
});

describe('instructions repeated by a model', () => {
  const file = '05-function-action-groups-with-guardrail-pre-post.json';
  const events = loadFixture(file);
  const system = (JSON.parse(prompts(events)[0] ?? '{}') as { system: string }).system;
  const sentence = system
    .split(/(?<=\.)\s+/)
    .map((s) => s.trim())
    .find((s) => s.length > 60 && !s.includes('<'));

  const withFinalText = (text: string) =>
    events.map((e) => ('chunk' in e ? { chunk: { bytes: text } } : e));

  it('finds a real instruction sentence to test with', () => {
    expect(sentence).toBeDefined();
    expect(sentence?.length).toBeGreaterThan(60);
  });

  it('redacts it from the final response and says so in metadata, keeping the rest', () => {
    const text = `Here is what I was told: ${sentence} Anything else?`;
    const { conversation, metadata } = buildConversationRecord(
      withFinalText(text),
      replayContext(file),
    );
    expect(conversation.final_response.text).not.toContain(sentence);
    expect(conversation.final_response.text).toContain(REDACTION_MARKER);
    expect(conversation.final_response.text).toContain('Anything else?');
    expect(metadata.redaction.instruction_fragments_redacted).toBeGreaterThanOrEqual(1);
    const check = metadata.quality.checks.find((c) => c.name === 'no_prompt_leakage');
    expect(check?.passed).toBe(true);
    expect(check?.detail).toMatch(/redacted/);
  });

  it('redacts it from a rationale', () => {
    const leaky = events.map((e) => {
      const rationale = (
        e as { trace?: { trace?: { orchestrationTrace?: { rationale?: { text: string } } } } }
      ).trace?.trace?.orchestrationTrace?.rationale;
      return rationale
        ? {
            ...e,
            trace: {
              ...(e.trace as object),
              trace: {
                orchestrationTrace: {
                  rationale: { ...rationale, text: `I must remember: ${sentence}` },
                },
              },
            },
          }
        : e;
    });
    const { conversation } = buildConversationRecord(leaky, replayContext(file));
    const rationales = conversation.agent_flow[0]?.steps.map((s) => s.rationale) ?? [];
    expect(rationales.some((r) => r?.includes(REDACTION_MARKER))).toBe(true);
    expect(serializeConversation(conversation)).not.toContain(sentence);
  });

  it('fails the leak check when a tool result kept verbatim quotes the instructions', () => {
    const leaky = events.map((e) => {
      const observation = (
        e as {
          trace?: {
            trace?: {
              orchestrationTrace?: { observation?: { actionGroupInvocationOutput?: object } };
            };
          };
        }
      ).trace?.trace?.orchestrationTrace?.observation;
      if (!observation?.actionGroupInvocationOutput) return e;
      return {
        ...e,
        trace: {
          ...(e.trace as object),
          trace: {
            orchestrationTrace: {
              observation: {
                ...observation,
                actionGroupInvocationOutput: {
                  ...observation.actionGroupInvocationOutput,
                  text: `${sentence}`,
                },
              },
            },
          },
        },
      };
    });
    const { conversation, metadata } = buildConversationRecord(leaky, replayContext(file));
    expect(conversation.agent_flow[0]?.tool_calls[0]?.result).toBe(sentence);
    const check = metadata.quality.checks.find((c) => c.name === 'no_prompt_leakage');
    expect(check).toMatchObject({ passed: false, score: 0 });
    expect(check?.detail).toMatch(/tool results/);
    expect(metadata.quality.score).toBeLessThan(1);
  });

  it('never treats what the user wrote as a leak', () => {
    const { conversation, metadata } = buildConversationRecord(
      withFinalText(`You asked about: ${sentence}`),
      replayContext(file, { userQuery: `Please explain this: ${sentence}` }),
    );
    expect(conversation.user_query).toContain(sentence);
    expect(conversation.final_response.text).toContain(sentence);
    expect(metadata.redaction.instruction_fragments_redacted).toBe(0);
  });
});
