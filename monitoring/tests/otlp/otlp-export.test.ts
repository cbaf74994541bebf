/**
 * The OTLP form of a record through the official OpenTelemetry packages: the JSON export request,
 * and a trace posted over OTLP/HTTP to a local receiver that records what it got.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type ListeningServer, listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../../src/build-conversation-record';
import { ConversationExportError } from '../../src/errors';
import { conversationSpans } from '../../src/otlp/genai-spans';
import { otlpJson, sendConversationTrace } from '../../src/otlp/otlp-export';
import type { Conversation } from '../../src/schema';
import { loadFixture, replayContext } from '../support/fixtures';

const FILE = '01-supervisor-nested-collaborators.json';

interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: {
      scope: { name: string };
      spans: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        startTimeUnixNano: string | number;
        attributes: { key: string; value: Record<string, unknown> }[];
      }[];
    }[];
  }[];
}

let record: Conversation;
let receiver: ListeningServer & { bodies: { path: string; type?: string; body: string }[] };
let status = 200;

beforeAll(async () => {
  ({ conversation: record } = await buildConversationRecord(
    loadFixture(FILE) as never,
    replayContext(FILE),
  ));
  const bodies: { path: string; type?: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push({
        path: req.url ?? '',
        type: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  receiver = Object.assign(await listenOnLoopback(server), { bodies });
});

afterAll(() => receiver?.close());

const spansOf = (request: OtlpRequest) =>
  request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

describe('OTLP export', () => {
  it('writes every span of the record into one OTLP/JSON export request', () => {
    const request = JSON.parse(otlpJson([record])) as OtlpRequest;
    const expected = conversationSpans(record);
    const spans = spansOf(request);
    expect(spans.map((s) => s.name).sort()).toEqual(expected.spans.map((s) => s.name).sort());
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([expected.traceId]));
    const root = spans.find((s) => !s.parentSpanId);
    expect(root?.name).toMatch(/^invoke_agent /);
    // Times are the trace's own, in nanoseconds.
    const first = Math.min(...expected.spans.map((s) => s.startMs));
    expect(Math.min(...spans.map((s) => Number(BigInt(s.startTimeUnixNano) / 1_000_000n)))).toBe(
      first,
    );
    const service = request.resourceSpans[0]?.resource.attributes.find(
      (a) => a.key === 'service.name',
    );
    expect(service?.value.stringValue).toBe('revbot');
  });

  it('posts the trace to an OTLP/HTTP endpoint', async () => {
    status = 200;
    receiver.bodies.length = 0;
    await sendConversationTrace(record, { url: `${receiver.url}/v1/traces` });
    expect(receiver.bodies).toHaveLength(1);
    const [received] = receiver.bodies;
    expect(received?.path).toBe('/v1/traces');
    expect(received?.type).toContain('application/json');
    const spans = spansOf(JSON.parse(received?.body ?? '{}') as OtlpRequest);
    expect(spans).toHaveLength(conversationSpans(record).spans.length);
    const operations = spans.map(
      (s) => s.attributes.find((a) => a.key === 'gen_ai.operation.name')?.value.stringValue,
    );
    expect(operations.sort()).toEqual(
      conversationSpans(record)
        .spans.map((s) => s.operation)
        .sort(),
    );
    expect(operations).toContain('invoke_agent');
    expect(operations).toContain('chat');
  });

  it('says the export failed, retryably, when the endpoint refuses it', async () => {
    status = 503;
    const failure = await sendConversationTrace(record, {
      url: `${receiver.url}/v1/traces`,
      timeoutMs: 2_000,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConversationExportError);
    expect((failure as ConversationExportError).retryable).toBe(true);
  });
});
