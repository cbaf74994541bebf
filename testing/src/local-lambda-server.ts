/**
 * The local AWS Lambda `Invoke` API (REST-JSON: `POST /2015-03-31/functions/{name}/invocations`)
 * the portable runtime's tool invoker calls, so the real LambdaClient talks to it through an
 * endpoint override on loopback. Each function answers with a handler's result, a function error
 * (`X-Amz-Function-Error`) or a throttle, as scripted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export type LambdaBehaviour =
  | { result: (payload: unknown) => Promise<unknown> | unknown }
  | { functionError: { errorType: string; errorMessage: string } }
  | { throttle: true };

export interface LocalLambdaServer {
  endpoint: string;
  invocations: { functionName: string; invocationType?: string; payload: unknown }[];
  /** What a function does; unknown functions answer ResourceNotFoundException. */
  behave(functionName: string, ...behaviours: LambdaBehaviour[]): void;
  close(): Promise<void>;
}

export async function startLocalLambdaServer(): Promise<LocalLambdaServer> {
  const invocations: LocalLambdaServer['invocations'] = [];
  const behaviours = new Map<string, LambdaBehaviour[]>();
  const send = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      send(res, 404, { message: 'Unknown operation' }, { 'x-amzn-errortype': 'UnknownOperation' });
      return;
    }
    const functionName = decodeURIComponent(match[1] ?? '');
    const payload: unknown = body ? JSON.parse(body) : null;
    invocations.push({
      functionName,
      invocationType: req.headers['x-amz-invocation-type'] as string | undefined,
      payload,
    });
    const queue = behaviours.get(functionName);
    const behaviour = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (!behaviour) {
      send(
        res,
        404,
        { Type: 'User', message: `Function not found: ${functionName}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    } else if ('throttle' in behaviour) {
      send(
        res,
        429,
        {
          Type: 'User',
          message: 'Rate Exceeded.',
          Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        },
        { 'x-amzn-errortype': 'TooManyRequestsException' },
      );
    } else if ('functionError' in behaviour) {
      send(
        res,
        200,
        { ...behaviour.functionError, trace: [] },
        {
          'x-amz-function-error': 'Unhandled',
          'x-amz-executed-version': '$LATEST',
        },
      );
    } else {
      send(res, 200, await behaviour.result(payload), { 'x-amz-executed-version': '$LATEST' });
    }
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    invocations,
    behave(functionName, ...list) {
      behaviours.set(functionName, list);
    },
    close: listening.close,
  };
}
