/**
 * Turns a Gong transcript (monologues of timed sentences, speakers by id) into what a model can
 * read within its budget: one line per speaker turn, with the speaker's name and side, the time
 * into the call, and long turns trimmed; when the whole call does not fit, the first and last
 * turns are kept and the middle is summarized by count.
 */
import type { GongParty, GongTranscript } from './gong-client';

export interface CondensedTurn {
  /** `mm:ss` into the call. */
  at: string;
  speaker: string;
  /** `Internal` (our team), `External` (customer) or `Unknown`. */
  side: string;
  text: string;
}

export interface CondensedTranscript {
  turns: CondensedTurn[];
  totalTurns: number;
  omittedTurns: number;
}

export interface CondenseOptions {
  /** Longest text kept per turn (default 600 characters). */
  maxTurnChars?: number;
  /** Budget for all turns together (default 12,000 characters). */
  maxTotalChars?: number;
}

export function condenseTranscript(
  transcript: GongTranscript,
  parties: readonly GongParty[],
  options: CondenseOptions = {},
): CondensedTranscript {
  const maxTurn = options.maxTurnChars ?? 600;
  const maxTotal = options.maxTotalChars ?? 12_000;
  const bySpeaker = new Map(
    parties.filter((p) => p.speakerId).map((p) => [p.speakerId as string, p]),
  );

  // Consecutive monologues of one speaker form one turn.
  const merged: { speakerId: string; start: number; text: string }[] = [];
  for (const monologue of transcript.transcript) {
    const text = monologue.sentences
      .map((s) => s.text.trim())
      .filter(Boolean)
      .join(' ');
    if (!text) continue;
    const speakerId = monologue.speakerId ?? 'unknown';
    const last = merged[merged.length - 1];
    if (last && last.speakerId === speakerId) last.text = `${last.text} ${text}`;
    else merged.push({ speakerId, start: monologue.sentences[0]?.start ?? 0, text });
  }

  const turns = merged.map((turn): CondensedTurn => {
    const party = bySpeaker.get(turn.speakerId);
    return {
      at: clock(turn.start),
      speaker: party?.name ?? `Speaker ${turn.speakerId}`,
      side: party?.affiliation ?? 'Unknown',
      text: turn.text.length > maxTurn ? `${turn.text.slice(0, maxTurn - 1)}…` : turn.text,
    };
  });

  const size = (list: CondensedTurn[]) =>
    list.reduce((sum, t) => sum + t.text.length + t.speaker.length + 20, 0);
  if (size(turns) <= maxTotal) return { turns, totalTurns: turns.length, omittedTurns: 0 };

  // Keep the opening and the close (where next steps are agreed), drop from the middle.
  let head = Math.ceil(turns.length / 2);
  let tail = Math.floor(turns.length / 2);
  while (
    head + tail > 2 &&
    size([...turns.slice(0, head), ...turns.slice(turns.length - tail)]) > maxTotal
  ) {
    if (head > tail) head--;
    else tail--;
  }
  const kept = [...turns.slice(0, head), ...turns.slice(turns.length - tail)];
  return { turns: kept, totalTurns: turns.length, omittedTurns: turns.length - kept.length };
}

/** Gong sentence times are milliseconds from the start of the call. */
function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
