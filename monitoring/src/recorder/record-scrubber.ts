/**
 * Redaction at finish time: model-written text is scrubbed of agent instructions, tool and
 * retrieval results are kept as they are but counted for leaks, so the quality checks can say
 * how much instruction text an export still holds.
 */
import type { PromptGuard } from '../prompt-guard';

export interface RecordScrubber {
  readonly guard: PromptGuard;
  /** Messages between agents reappear as the callee's input and output: scans each text once. */
  scrubOnce(text: string | null): string | null;
  /** Keeps `text` unchanged, counting the instruction fragments it holds. */
  keep(text: string | null): string | null;
  /** Fragments found in kept text so far. */
  readonly leaksKept: number;
}

export function createRecordScrubber(guard: PromptGuard): RecordScrubber {
  let leaksKept = 0;
  const scrubbed = new Map<string, string | null>();
  return {
    guard,
    scrubOnce(text) {
      if (text === null) return null;
      let result = scrubbed.get(text);
      if (result === undefined) {
        result = guard.scrub(text);
        scrubbed.set(text, result);
      }
      return result;
    },
    keep(text) {
      leaksKept += guard.countLeaks(text);
      return text;
    },
    get leaksKept() {
      return leaksKept;
    },
  };
}
