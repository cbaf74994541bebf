/**
 * Keeps agent instructions out of conversation exports.
 *
 * Every `modelInvocationInput.text` is the full prompt: the agent's instructions, its tool and
 * function descriptions, then the conversation. The record keeps only a SHA-256 and the length of
 * it. The guard also learns the instruction part of each prompt (as rolling hashes of its prose),
 * so that model output repeating it (a prompt-extraction attack that worked, a chatty rationale)
 * is redacted sentence by sentence before export, and the quality checks can show that no
 * passage survived in the text kept verbatim.
 */
import { createHash } from 'node:crypto';
import { findWindows, LEAK_WINDOW_CHARS, learnWindows, WindowTable } from './prose-windows';
import type { PromptFingerprint } from './schema';

export { LEAK_WINDOW_CHARS };

export const REDACTION_MARKER = '[redacted: agent instructions]';

const ESCAPE = /\\(?:([nrt])|u([0-9a-fA-F]{4})|([\s\S]))/g;
const PLACEHOLDER = /^\[redacted prompt sha256=([0-9a-f]{64}) length=(\d+)\]$/;

/** Where a redacted passage stops widening: sentence ends, line breaks, quotes and markup. */
const HARD_STOP = /[.!?\n"<>{}[\]]/;

/** Widens [start, end) to the sentence(s) around it, identifiers and all. */
function sentenceAround(text: string, start: number, end: number): [number, number] {
  let s = start;
  while (s > 0 && !HARD_STOP.test(text[s - 1] as string)) s--;
  let e = end;
  while (e < text.length) {
    const ch = text[e] as string;
    if (
      ch === '"' ||
      ch === '<' ||
      ch === '>' ||
      ch === '\n' ||
      ch === '{' ||
      ch === '}' ||
      ch === '[' ||
      ch === ']'
    )
      break;
    e++;
    if (ch === '.' || ch === '!' || ch === '?') break;
  }
  return [s, e];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The stand-in a saved raw stream carries instead of a prompt; replays read the fingerprint back. */
export function redactedPromptPlaceholder(fingerprint: PromptFingerprint): string {
  return `[redacted prompt sha256=${fingerprint.sha256} length=${fingerprint.length}]`;
}

function fingerprintOf(text: string): PromptFingerprint {
  const saved = PLACEHOLDER.exec(text);
  if (saved?.[1] && saved[2]) return { sha256: saved[1], length: Number(saved[2]) };
  return { sha256: sha256Hex(text), length: text.length };
}

/** JSON-escaped text (raw model output is often a JSON document) read as plain text. */
const unescapeLoosely = (text: string): string =>
  text.includes('\\')
    ? text.replace(ESCAPE, (_m, ws, hex, ch) =>
        ws ? '\n' : hex ? String.fromCharCode(Number.parseInt(hex, 16)) : ch,
      )
    : text;

/** Position of the closing quote of a JSON string starting at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  let at = text.indexOf('"', from);
  while (at >= 0) {
    let backslashes = 0;
    for (let i = at - 1; i >= from && text.charCodeAt(i) === 92; i--) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return -1;
}

function decodeJsonString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    // Bedrock sometimes emits invalid escapes ("\ "): read them loosely rather than fail.
    return unescapeLoosely(raw);
  }
}

function collectTexts(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectTexts(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectTexts(item, into);
  }
}

const AGENT_SCENARIOS = /<agent_scenarios>([\s\S]*?)<\/agent_scenarios>/g;
const SEARCH_RESULTS = /<search_results>[\s\S]*?<\/search_results>/g;

/**
 * The instruction part of a prompt. Bedrock's prompts are JSON with a `system` field; the routing
 * classifier leaves `system` empty and puts the collaborator descriptions in an
 * `<agent_scenarios>` block; plain-text templates (knowledge-base answer generation) are all
 * instructions except the search results they quote.
 */
export function instructionText(prompt: string): string {
  const raw = rawSystemField(prompt);
  if (raw !== null && raw.trim().length > 0) return decodeJsonString(raw);
  const key = /"system"\s*:\s*\[/.exec(prompt);
  if (key && /^\s*\{/.test(prompt)) {
    try {
      const texts: string[] = [];
      collectTexts((JSON.parse(prompt) as { system?: unknown }).system, texts);
      if (texts.join('').trim().length > 0) return texts.join('\n');
    } catch {
      // Not JSON after all: fall through to the scenarios or the whole text.
    }
  }
  if (raw !== null || key) {
    const scenarios: string[] = [];
    for (const match of unescapeLoosely(prompt).matchAll(AGENT_SCENARIOS)) {
      scenarios.push(match[1] ?? '');
    }
    return scenarios.join('\n');
  }
  return prompt.replace(SEARCH_RESULTS, '\n');
}

/** Where the still-escaped `system` string of a JSON prompt lies, or null when it has none. */
function systemFieldRange(prompt: string): [number, number] | null {
  const key = /"system"\s*:\s*"/.exec(prompt);
  if (!key || !/^\s*\{/.test(prompt)) return null;
  const start = key.index + key[0].length;
  const end = closingQuote(prompt, start);
  return [start, end < 0 ? prompt.length : end];
}

/** The still-escaped `system` string of a JSON prompt, or null when it has none. */
function rawSystemField(prompt: string): string | null {
  const range = systemFieldRange(prompt);
  return range ? prompt.slice(range[0], range[1]) : null;
}

export class PromptGuard {
  private readonly secret = new WindowTable();
  private readonly allowed = new WindowTable();
  /** Raw `system` fields (or whole plain prompts) already learned, by length. */
  private readonly seenInstructions = new Map<number, string[]>();
  private fingerprinted = 0;
  private redactedFragments = 0;

  /** Fingerprints a prompt and learns its instructions. */
  fingerprint(prompt: string): PromptFingerprint {
    this.fingerprinted++;
    const fingerprint = fingerprintOf(prompt);
    if (prompt.length > 0 && !PLACEHOLDER.test(prompt)) {
      // Prompts grow turn by turn but the instructions repeat: learn each version once, and
      // recognise a repeat before decoding it.
      if (!this.seen(prompt)) learnWindows(unescapeLoosely(instructionText(prompt)), this.secret);
    }
    return fingerprint;
  }

  /**
   * Whether this prompt's instructions were learned already; remembers them if not. Compared by
   * length then content (V8 compares flat strings with memcmp; hashing a large slice is slower).
   */
  private seen(prompt: string): boolean {
    // Without a real system field (routing prompts, plain templates) the whole prompt is the key.
    const field = systemFieldRange(prompt);
    const [start, end] = field && field[1] - field[0] > 16 ? field : [0, prompt.length];
    const known = this.seenInstructions.get(end - start);
    const raw = prompt.slice(start, end);
    if (known?.some((seen) => seen === raw)) return true;
    if (known) known.push(raw);
    else this.seenInstructions.set(end - start, [raw]);
    return false;
  }

  /** The fingerprint alone, without learning or counting. */
  fingerprintOnly(prompt: string): PromptFingerprint {
    return fingerprintOf(prompt);
  }

  /** Text the user wrote may quote a prompt template; it is never treated as a leak. */
  allow(text: string | null): void {
    if (text !== null) learnWindows(unescapeLoosely(text), this.allowed);
  }

  get promptsFingerprinted(): number {
    return this.fingerprinted;
  }

  get fragmentsRedacted(): number {
    return this.redactedFragments;
  }

  /** Sentence ranges of `text` holding instruction windows, merged, as [start, end) pairs. */
  private leaks(text: string): number[] {
    const hits: number[] = [];
    findWindows(text, this.secret, this.allowed, hits);
    if (hits.length === 0) return hits;
    const sentences: number[] = [];
    for (let i = 0; i < hits.length; i += 2) {
      const [s, e] = sentenceAround(text, hits[i] as number, hits[i + 1] as number);
      const last = sentences.length - 1;
      if (last > 0 && s <= (sentences[last] as number))
        sentences[last] = Math.max(sentences[last] as number, e);
      else sentences.push(s, e);
    }
    return sentences;
  }

  /** Model-written text with every sentence holding instructions replaced by the marker. */
  scrub(text: string | null, options: { count?: boolean } = {}): string | null {
    if (text === null || this.secret.size === 0 || text.length < LEAK_WINDOW_CHARS) return text;
    const plain = unescapeLoosely(text);
    const ranges = this.leaks(plain);
    if (ranges.length === 0) return text;
    if (options.count !== false) this.redactedFragments += ranges.length / 2;
    let out = '';
    let last = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      out += `${plain.slice(last, ranges[i])}${REDACTION_MARKER}`;
      last = ranges[i + 1] as number;
    }
    return out + plain.slice(last);
  }

  /** How many passages of instructions `text` holds (for text that is kept as is). */
  countLeaks(text: string | null): number {
    if (text === null || this.secret.size === 0 || text.length < LEAK_WINDOW_CHARS) return 0;
    return this.leaks(unescapeLoosely(text)).length / 2;
  }
}
