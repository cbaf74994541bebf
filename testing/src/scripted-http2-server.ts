/**
 * What the scripted Bedrock stand-ins (ConverseStream, InvokeAgent) share: an HTTP/2 server
 * without TLS (the SDK clients' default handler speaks it to an `http://` endpoint) that reads
 * each request's JSON body and hands it over with the next scripted reply, the last one
 * repeating. Answers 127.0.0.1 only.
 */
import { createServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { listenOnLoopback } from './listen-on-loopback';

export interface Http2JsonRequest {
  headers: IncomingHttpHeaders;
  path: string;
  body: Record<string, unknown>;
}

export interface ScriptedHttp2Server<Reply> {
  endpoint: string;
  /** Replies in order; the last one repeats. */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

/** `answer` gets each request and `nextReply`, which takes the next scripted reply (if any). */
export async function startScriptedHttp2Server<Reply>(
  answer: (
    stream: ServerHttp2Stream,
    request: Http2JsonRequest,
    nextReply: () => Reply | undefined,
  ) => void,
): Promise<ScriptedHttp2Server<Reply>> {
  let replies: Reply[] = [];
  const nextReply = () => (replies.length > 1 ? replies.shift() : replies[0]);
  const server = createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      answer(stream, { headers, path: String(headers[':path'] ?? ''), body }, nextReply);
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    reply(...next) {
      replies = next;
    },
    close: listening.close,
  };
}
