/**
 * A LocalQueue's messages on disk, so the local stack's queues survive `kill -9`: an append-only
 * file of JSON lines, one per change (a message's whole state after a send, receive or visibility
 * change; a delete; a purge), written with one `write(2)` each before the change is acknowledged.
 * A killed process loses nothing the kernel already has; a line torn by a crash mid-write is the
 * last one and is skipped on replay. Replaying folds the lines into the live messages; once the
 * file holds many more lines than live messages it is rewritten (temporary file + rename, so a
 * crash leaves the old file or the new, never half of one).
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { QueueMessage } from './local-queue';

type JournalLine = { put: QueueMessage } | { del: string } | { purge: true };

/** Lines written before a rewrite is considered, and how many times the live count they must exceed. */
const COMPACT_MIN_LINES = 1_000;
const COMPACT_RATIO = 4;

export class QueueJournal {
  private fd: number;
  private lines = 0;

  /** `file` is created (with its folder) when missing. */
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
  }

  /** The messages the file holds, oldest first (the order they were first sent). */
  load(): QueueMessage[] {
    const messages = new Map<string, QueueMessage>();
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      let line: JournalLine;
      try {
        line = JSON.parse(raw) as JournalLine;
      } catch {
        continue; // torn by a crash mid-write: the change it held was never acknowledged
      }
      this.lines += 1;
      if ('put' in line) messages.set(line.put.messageId, line.put);
      else if ('del' in line) messages.delete(line.del);
      else messages.clear();
    }
    return [...messages.values()];
  }

  /** Records a message's whole current state (sent, adopted, received or made visible). */
  put(message: QueueMessage): void {
    this.append({ put: message });
  }

  delete(messageId: string): void {
    this.append({ del: messageId });
  }

  purge(): void {
    this.append({ purge: true });
  }

  /** Rewrites the file with only `messages` when it has grown well past them. */
  compactIfLarge(messages: readonly QueueMessage[]): void {
    if (this.lines < COMPACT_MIN_LINES || this.lines < COMPACT_RATIO * messages.length) return;
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      const text = messages.map((message) => `${JSON.stringify({ put: message })}\n`).join('');
      if (text) writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.lines = messages.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  private append(line: JournalLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.lines += 1;
  }
}
