/**
 * Splits a long mrkdwn answer into Slack messages. Each piece stays within `limit` characters
 * (default 3,000: a Block Kit section's text holds at most 3,000 characters, well under the
 * 40,000 Slack accepts in `text`, and about a screenful, so a long answer reads as a few messages
 * instead of one wall with "Show more"). Cuts fall between paragraphs, then between lines, then
 * between words — never inside a code block (a long block is closed and reopened around the cut),
 * a link, an inline code span or a formatted phrase.
 */

export const SLACK_MESSAGE_LIMIT = 3_000;

const FENCE = '```';

type Block = { kind: 'code'; lines: string[] } | { kind: 'text'; text: string };

/** Paragraphs and code blocks of a mrkdwn text. */
function blocksOf(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'text', text: paragraph.join('\n') });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith(FENCE)) {
      flush();
      const code: string[] = [];
      // A fence that opens and closes on one line (```x```) is inline: treat it as text.
      if (line.length > FENCE.length * 2 - 1 && line.endsWith(FENCE) && line !== FENCE) {
        paragraph.push(line);
        continue;
      }
      if (line.length > FENCE.length) code.push(line.slice(FENCE.length));
      i++;
      while (i < lines.length && !(lines[i] ?? '').endsWith(FENCE)) {
        code.push(lines[i] ?? '');
        i++;
      }
      const closing = lines[i];
      if (closing !== undefined && closing !== FENCE) code.push(closing.slice(0, -FENCE.length));
      blocks.push({ kind: 'code', lines: code });
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}

const fenced = (lines: string[]) => `${FENCE}\n${lines.join('\n')}\n${FENCE}`;

/** Pieces of a code block, each a whole fenced block within `limit`. */
function splitCode(lines: string[], limit: number): string[] {
  const room = limit - (FENCE.length * 2 + 2);
  const pieces: string[] = [];
  let current: string[] = [];
  let size = 0;
  const push = () => {
    if (current.length > 0) pieces.push(fenced(current));
    current = [];
    size = 0;
  };
  for (const line of lines) {
    // A line longer than a whole message is cut; it stays inside a fence either way.
    const parts =
      line.length > room ? (line.match(new RegExp(`[\\s\\S]{1,${room}}`, 'g')) ?? []) : [line];
    for (const part of parts) {
      const added = (current.length > 0 ? 1 : 0) + part.length;
      if (size + added > room) push();
      current.push(part);
      size += (current.length > 1 ? 1 : 0) + part.length;
    }
  }
  push();
  return pieces;
}

/**
 * Atoms of a line that must not be cut: links and mentions (`<…>`), inline code, formatted
 * phrases; everything else splits at spaces.
 */
const ATOM = /<[^<>\n]*>|`[^`\n]+`|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|\S+/g;

function splitLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  let current = '';
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  for (const match of line.matchAll(ATOM)) {
    let atom = match[0];
    if (atom.length > limit && atom.startsWith('<')) {
      // A link longer than a message cannot be kept whole: show its label (or address) instead.
      const inner = atom.slice(1, -1);
      atom = inner.includes('|') ? inner.slice(inner.indexOf('|') + 1) : inner;
    }
    const words = atom.length > limit ? splitWord(atom, limit) : [atom];
    for (const word of words) {
      const candidate = current === '' ? `${indent}${word}` : `${current} ${word}`;
      if (candidate.length > limit && current !== '') {
        pieces.push(current);
        current = word;
      } else current = candidate;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Formatted phrases longer than a message fall back to words; words to characters. */
function splitWord(atom: string, limit: number): string[] {
  if (/\s/.test(atom)) return atom.split(/\s+/).flatMap((word) => splitWord(word, limit));
  return atom.match(new RegExp(`[\\s\\S]{1,${limit}}`, 'g')) ?? [];
}

/** Pieces of a paragraph: whole lines while they fit, lines split at word boundaries otherwise. */
function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const parts = line.length > limit ? splitLine(line, limit) : [line];
    for (const part of parts) {
      const candidate = current === '' ? part : `${current}\n${part}`;
      if (candidate.length > limit && current !== '') {
        pieces.push(current);
        current = part;
      } else current = candidate;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** The messages to send for `text`, in order; none for an empty text. */
export function splitSlackMessage(text: string, limit = SLACK_MESSAGE_LIMIT): string[] {
  if (limit < 20)
    throw new RangeError('A Slack message limit below 20 characters cannot hold a code block');
  const messages: string[] = [];
  let current = '';
  const add = (piece: string, separator: string) => {
    const candidate = current === '' ? piece : `${current}${separator}${piece}`;
    if (candidate.length > limit && current !== '') {
      messages.push(current);
      current = piece;
    } else current = candidate;
  };
  for (const block of blocksOf(text.trim())) {
    const pieces =
      block.kind === 'code'
        ? splitCode(block.lines, limit)
        : block.text.length > limit
          ? splitText(block.text, limit)
          : [block.text];
    for (const piece of pieces) add(piece, '\n\n');
  }
  if (current.trim() !== '') messages.push(current);
  return messages;
}
