/**
 * A local HTTP server speaking the part of the S3 REST API the sink uses (path-style PutObject,
 * S3 XML errors), so the real S3Client is exercised end to end on 127.0.0.1.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  bucket: string;
  key: string;
  body: string;
  headers: IncomingHttpHeaders;
}

export interface LocalS3 {
  endpoint: string;
  objects: StoredObject[];
  /** Every request, including rejected ones: `PUT key -> status`. */
  log: string[];
  /** The next `times` requests are answered with this S3 error. */
  failNext(times: number, status: number, code: string): void;
  close(): Promise<void>;
}

/** Bodies the SDK sends with `content-encoding: aws-chunked` (flexible checksums). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString().split(';')[0] ?? '0', 16);
    if (!size) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export async function startLocalS3(): Promise<LocalS3> {
  const objects: StoredObject[] = [];
  const log: string[] = [];
  let failures: { times: number; status: number; code: string } | null = null;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const [, bucket = '', ...keyParts] = url.pathname.split('/');
      const key = decodeURIComponent(keyParts.join('/'));
      const reply = (status: number, body = '', headers: Record<string, string> = {}) => {
        log.push(`${req.method} ${key} -> ${status}`);
        res.writeHead(status, { 'x-amz-request-id': 'LOCAL', ...headers });
        res.end(body);
      };
      if (failures && failures.times > 0) {
        failures.times--;
        const { status, code } = failures;
        reply(
          status,
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} from the local S3</Message><RequestId>LOCAL</RequestId></Error>`,
          { 'content-type': 'application/xml' },
        );
        return;
      }
      if (req.method !== 'PUT' || !bucket || !key) {
        reply(
          405,
          '<Error><Code>MethodNotAllowed</Code><Message>only PutObject</Message></Error>',
          { 'content-type': 'application/xml' },
        );
        return;
      }
      const raw = Buffer.concat(chunks);
      const encoded = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
      objects.push({
        bucket,
        key,
        body: (encoded ? decodeAwsChunked(raw) : raw).toString('utf8'),
        headers: req.headers,
      });
      reply(200, '', {
        etag: '"etag"',
        'x-amz-server-side-encryption': String(req.headers['x-amz-server-side-encryption'] ?? ''),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    log,
    failNext(times, status, code) {
      failures = { times, status, code };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
