import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalQueue } from '../src/local-queue';
import { QueueJournal } from '../src/queue-journal';

describe('a journalled LocalQueue', () => {
  const dirs: string[] = [];
  const open: LocalQueue[] = [];
  afterEach(() => {
    for (const queue of open.splice(0)) queue.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const folder = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'queue-journal-'));
    dirs.push(dir);
    return dir;
  };
  /** A queue and its DLQ on `dir`, as a fresh process would open them. */
  const reopen = (dir: string, now: () => number) => {
    const dlq = new LocalQueue({
      name: 'q-dlq',
      visibilityTimeoutSeconds: 30,
      journal: new QueueJournal(path.join(dir, 'q-dlq.jsonl')),
      now,
    });
    const queue = new LocalQueue({
      name: 'q',
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 2,
      deadLetterQueue: dlq,
      journal: new QueueJournal(path.join(dir, 'q.jsonl')),
      now,
    });
    open.push(queue, dlq);
    return { queue, dlq };
  };

  it('gives back after a restart what was sent and not deleted, in order', () => {
    const dir = folder();
    const first = reopen(dir, () => 1_000);
    first.queue.send('a');
    first.queue.send('b');
    first.queue.send('c');
    const [a] = first.queue.receive(1);
    first.queue.delete(a?.receiptHandle ?? '');
    // No close: the process is killed.
    const second = reopen(dir, () => 1_000);
    expect(second.queue.receive(10).map((m) => m.body)).toEqual(['b', 'c']);
  });

  it('brings a message in flight at the crash back after its visibility timeout, counted', () => {
    const dir = folder();
    let now = 1_000;
    const first = reopen(dir, () => now);
    first.queue.send('job');
    expect(first.queue.receive(1)).toHaveLength(1);
    now += 10_000;
    const second = reopen(dir, () => now);
    expect(second.queue.receive(1)).toEqual([]);
    now += 20_001;
    const [again] = second.queue.receive(1);
    expect(again?.body).toBe('job');
    expect(again?.receiveCount).toBe(2);
  });

  it('keeps the dead-letter move across a restart', () => {
    const dir = folder();
    let now = 0;
    const first = reopen(dir, () => now);
    first.queue.send('poison');
    first.queue.receive(1);
    now += 31_000;
    first.queue.receive(1);
    now += 31_000;
    expect(first.queue.receive(1)).toEqual([]);
    const second = reopen(dir, () => now);
    expect(second.queue.size).toBe(0);
    expect(second.dlq.receive(1).map((m) => m.body)).toEqual(['poison']);
  });

  it('skips a last line torn by a crash mid-write', () => {
    const dir = folder();
    const first = reopen(dir, () => 0);
    first.queue.send('whole');
    appendFileSync(path.join(dir, 'q.jsonl'), '{"put":{"messageId":"x","bo');
    expect(
      reopen(dir, () => 0)
        .queue.receive(10)
        .map((m) => m.body),
    ).toEqual(['whole']);
  });

  it('rewrites the file once it holds far more lines than live messages', () => {
    const dir = folder();
    const { queue } = reopen(dir, () => 0);
    for (let i = 0; i < 600; i++) {
      queue.send(`m${i}`);
      const [message] = queue.receive(1);
      queue.delete(message?.receiptHandle ?? '');
    }
    queue.send('kept');
    // 600 × (send, receive, delete) lines were written; the rewrite left a handful.
    const lines = readFileSync(path.join(dir, 'q.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThan(1_000);
    expect(
      reopen(dir, () => 0)
        .queue.receive(10)
        .map((m) => m.body),
    ).toEqual(['kept']);
  });
});
