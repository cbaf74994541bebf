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
import type { PromptFingerprint } from './schema';

export const REDACTION_MARKER = '[redacted: agent instructions]';

/**
 * A leak is a window of this many characters of instruction prose, copied verbatim (whitespace
 * runs count as one space). Tool names and XML tags are not prose, so a model calling a tool by
 * name is not a leak; seven-odd words of instructions in a row are.
 */
export const LEAK_WINDOW_CHARS = 40;
const W = LEAK_WINDOW_CHARS;
const B1 = 0x01000193;
const B2 = 0x5bd1e995;
const pow = (base: number): number => {
  let result = 1;
  for (let i = 0; i < W - 1; i++) result = Math.imul(result, base);
  return result;
};
const P1 = pow(B1);
const P2 = pow(B2);

const ESCAPE = /\\(?:([nrt])|(["\\/]))/g;
const PLACEHOLDER = /^\[redacted prompt sha256=([0-9a-f]{64}) length=(\d+)\]$/;

/** 0 = breaks a run, 1 = prose punctuation, 2 = letter or digit, 3 = whitespace (ASCII). */
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = 2;
for (let c = 65; c <= 90; c++) CLASS[c] = 2;
for (let c = 97; c <= 122; c++) CLASS[c] = 2;
for (const ch of ' ,;:\'"()-.?!/&') CLASS[ch.charCodeAt(0)] = 1;
for (const c of [9, 10, 11, 12, 13, 32]) CLASS[c] = 3;

/**
 * Calls `visit` for every window of W prose characters in `text` (or only those starting a word)
 * with a 53-bit rolling hash of the window and its [start, end) in `text`.
 */
function proseWindows(
  text: string,
  wordStartsOnly: boolean,
  visit: (key: number, start: number, end: number) => void,
): void {
  const codes = new Int32Array(W);
  const origin = new Int32Array(W);
  const wordStart = new Uint8Array(W);
  let length = 0;
  let h1 = 0;
  let h2 = 0;
  let previous = 32;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    const cls = c < 128 ? (CLASS[c] as number) : c === 160 || c === 0x2028 ? 3 : 2;
    if (cls === 0) {
      length = 0;
      h1 = 0;
      h2 = 0;
      previous = 32;
      continue;
    }
    if (cls === 3) {
      if (length === 0 || previous === 32) continue;
      c = 32;
    }
    const slot = length % W;
    if (length >= W) {
      const out = codes[slot] as number;
      h1 = (h1 - Math.imul(out, P1)) | 0;
      h2 = (h2 - Math.imul(out, P2)) | 0;
    }
    h1 = (Math.imul(h1, B1) + c) | 0;
    h2 = (Math.imul(h2, B2) + c) | 0;
    const alnum = cls === 2;
    const prevAlnum = previous < 128 ? CLASS[previous] === 2 : previous !== 160;
    codes[slot] = c;
    origin[slot] = i;
    wordStart[slot] = alnum && (length === 0 || !prevAlnum) ? 1 : 0;
    previous = c;
    length++;
    if (length >= W) {
      const first = length % W;
      if (!wordStartsOnly || wordStart[first] === 1) {
        visit((h1 >>> 0) * 2_097_152 + ((h2 >>> 0) >>> 11), origin[first] as number, i + 1);
      }
    }
  }
}

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
  text.includes('\\') ? text.replace(ESCAPE, (_m, ws, ch) => (ws ? '\n' : ch)) : text;

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
  const key = /"system"\s*:\s*(["[])/.exec(prompt);
  if (key && /^\s*\{/.test(prompt)) {
    let system = '';
    if (key[1] === '"') {
      const start = key.index + key[0].length;
      const end = closingQuote(prompt, start);
      system = decodeJsonString(end < 0 ? prompt.slice(start) : prompt.slice(start, end));
    } else {
      try {
        const parsed = JSON.parse(prompt) as { system?: unknown };
        const texts: string[] = [];
        collectTexts(parsed.system, texts);
        system = texts.join('\n');
      } catch {
        system = '';
      }
    }
    if (system.trim().length > 0) return system;
    const scenarios: string[] = [];
    for (const match of unescapeLoosely(prompt).matchAll(AGENT_SCENARIOS)) {
      scenarios.push(match[1] ?? '');
    }
    return scenarios.join('\n');
  }
  return prompt.replace(SEARCH_RESULTS, '\n');
}

export class PromptGuard {
  private readonly secret = new Set<number>();
  private readonly allowed = new Set<number>();
  private readonly seenInstructions = new Set<string>();
  private fingerprinted = 0;
  private redactedFragments = 0;

  /** Fingerprints a prompt and learns its instructions. */
  fingerprint(prompt: string): PromptFingerprint {
    this.fingerprinted++;
    const fingerprint = fingerprintOf(prompt);
    if (prompt.length > 0 && !PLACEHOLDER.test(prompt)) {
      const instructions = instructionText(prompt);
      // Prompts grow turn by turn but the instructions repeat: learn each version once.
      if (!this.seenInstructions.has(instructions)) {
        this.seenInstructions.add(instructions);
        proseWindows(unescapeLoosely(instructions), false, (key) => this.secret.add(key));
      }
    }
    return fingerprint;
  }

  /** The fingerprint alone, without learning or counting. */
  fingerprintOnly(prompt: string): PromptFingerprint {
    return fingerprintOf(prompt);
  }

  /** Text the user wrote may quote a prompt template; it is never treated as a leak. */
  allow(text: string | null): void {
    if (text === null) return;
    proseWindows(unescapeLoosely(text), false, (key) => this.allowed.add(key));
  }

  get promptsFingerprinted(): number {
    return this.fingerprinted;
  }

  get fragmentsRedacted(): number {
    return this.redactedFragments;
  }

  /** Merged sentence ranges of `text` that contain instruction windows. */
  private leaks(text: string): [number, number][] {
    const ranges: [number, number][] = [];
    proseWindows(text, true, (key, start, end) => {
      if (!this.secret.has(key) || this.allowed.has(key)) return;
      const last = ranges.at(-1);
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else ranges.push([start, end]);
    });
    const sentences: [number, number][] = [];
    for (const [start, end] of ranges) {
      const [s, e] = sentenceAround(text, start, end);
      const last = sentences.at(-1);
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else sentences.push([s, e]);
    }
    return sentences;
  }

  /** Model-written text with every sentence holding instructions replaced by the marker. */
  scrub(text: string | null, options: { count?: boolean } = {}): string | null {
    if (text === null || this.secret.size === 0 || text.length < W) return text;
    const plain = unescapeLoosely(text);
    const ranges = this.leaks(plain);
    if (ranges.length === 0) return text;
    if (options.count !== false) this.redactedFragments += ranges.length;
    let out = '';
    let last = 0;
    for (const [start, end] of ranges) {
      out += `${plain.slice(last, start)}${REDACTION_MARKER}`;
      last = end;
    }
    return out + plain.slice(last);
  }

  /** How many passages of instructions `text` holds (for text that is kept as is). */
  countLeaks(text: string | null): number {
    if (text === null || this.secret.size === 0 || text.length < W) return 0;
    return this.leaks(unescapeLoosely(text)).length;
  }
}
