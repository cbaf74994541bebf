/**
 * A local stand-in for the Bedrock Agent Runtime's InvokeAgent endpoint: replays a recorded
 * event stream encoded as `application/vnd.amazon.eventstream` frames (what the real service
 * sends), so the real SDK client parses it. Answers 127.0.0.1 only.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import { encodeStreamEvent } from './aws-event-stream';
import { startScriptedHttp2Server } from './scripted-http2-server';

/** One event as recorded in the fixtures: chunk bytes as text, timestamps as wire strings. */
export type RecordedEvent =
  | { trace: Record<string, unknown> }
  | { chunk: { bytes: string; attribution?: unknown } }
  | { returnControl: Record<string, unknown> };

/** A frame of the event stream: a modeled event (`chunk`, `trace`, `returnControl`) with its JSON payload. */
export function encodeEvent(event: RecordedEvent): Uint8Array {
  if ('returnControl' in event) return encodeStreamEvent('returnControl', event.returnControl);
  return 'chunk' in event
    ? encodeStreamEvent('chunk', {
        ...event.chunk,
        // A blob member travels base64-encoded in the JSON payload.
        bytes: Buffer.from(event.chunk.bytes, 'utf8').toString('base64'),
      })
    : encodeStreamEvent('trace', event.trace);
}

export interface InvokeAgentRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** What the server does with one request. */
export type Reply =
  | {
      stream: Uint8Array[];
      sessionId?: string;
      thenHang?: boolean;
      /** Waits this long before each frame, as a model writing its answer does. */
      gapMs?: number;
    }
  | { status: number; errorType: string; message: string }
  | { hang: true };

export interface InvokeAgentServer {
  endpoint: string;
  requests: InvokeAgentRequest[];
  /** Replies in order; the last one repeats. */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

/**
 * The Bedrock Agent Runtime client speaks HTTP/2 (its default handler); this server answers
 * HTTP/2 without TLS, which the client uses for an `http://` endpoint.
 */
export async function startInvokeAgentServer(): Promise<InvokeAgentServer> {
  const requests: InvokeAgentRequest[] = [];
  const scripted = await startScriptedHttp2Server<Reply>((stream, request, nextReply) => {
    const { path, headers } = request;
    requests.push({ method: String(headers[':method'] ?? ''), ...request });
    const reply = nextReply();
    if (!reply) {
      stream.respond({ ':status': 500 });
      stream.end('no reply configured');
      return;
    }
    if ('hang' in reply) return;
    if ('status' in reply) {
      stream.respond({
        ':status': reply.status,
        'content-type': 'application/json',
        'x-amzn-errortype': reply.errorType,
        'x-amzn-requestid': 'local-request',
      });
      stream.end(JSON.stringify({ message: reply.message }));
      return;
    }
    stream.respond({
      ':status': 200,
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-bedrock-agent-content-type': 'application/json',
      'x-amz-bedrock-agent-session-id':
        reply.sessionId ?? decodeURIComponent(path.split('/')[6] ?? ''),
      'x-amzn-requestid': 'local-request',
    });
    if (reply.gapMs) {
      void (async () => {
        for (const frame of reply.stream) {
          await new Promise((resolve) => setTimeout(resolve, reply.gapMs));
          if (stream.destroyed || stream.closed) return;
          stream.write(frame);
        }
        if (!reply.thenHang && !stream.destroyed) stream.end();
      })();
      return;
    }
    for (const frame of reply.stream) stream.write(frame);
    if (!reply.thenHang) stream.end();
  });
  return { ...scripted, requests };
}
