/**
 * The one local S3: the REST-XML API (path-style) the real S3Client talks to, covering what
 * RevBot writes and reads: PutObject (plain, `aws-chunked` and Content-MD5 bodies), GetObject,
 * ListObjectsV2 and DeleteObjects, with S3 XML errors and scripted failures. `createLocalS3`
 * is the request handler the AWS router (`fake-aws`) mounts; `startLocalS3` serves it alone on
 * loopback. Signatures are not checked.
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

export interface S3Object {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType?: string;
}

/** One PutObject as it arrived, in order: what tests assert on. */
export interface StoredObject {
  bucket: string;
  key: string;
  body: string;
  contentType?: string;
  serverSideEncryption?: string;
  headers: IncomingHttpHeaders;
}

export interface LocalS3Options {
  /** Buckets by name; shared with the caller, who may fill or inspect them. */
  buckets?: Record<string, Map<string, S3Object>>;
  /** Create a bucket on its first write (true) or answer NoSuchBucket as S3 does (false). */
  createBuckets?: boolean;
  /** Told of every operation served. */
  onCall?: (action: string, input: Record<string, unknown>) => void;
}

export interface LocalS3Handler {
  buckets: Record<string, Map<string, S3Object>>;
  objects: StoredObject[];
  /** Every request, including rejected ones: `PUT key -> status`. */
  log: string[];
  /** The next `times` requests are answered with this S3 error. */
  failNext(times: number, status: number, code: string): void;
  /** Answers one request whose body has already been read. */
  handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void;
}

export interface LocalS3 extends Omit<LocalS3Handler, 'handle'> {
  endpoint: string;
  close(): Promise<void>;
}

class S3Fault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const md5 = (data: Buffer, encoding: 'hex' | 'base64' = 'hex'): string =>
  createHash('md5').update(data).digest(encoding);

export const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const xmlUnescape = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** S3's XML error document. */
export const s3ErrorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>LOCAL</RequestId></Error>`;

/** Decodes an `aws-chunked` body (the SDK's streaming upload with a trailing checksum). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString().split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function createLocalS3(options: LocalS3Options = {}): LocalS3Handler {
  const buckets = options.buckets ?? {};
  const createBuckets = options.createBuckets ?? true;
  const objects: StoredObject[] = [];
  const log: string[] = [];
  let failures: { times: number; status: number; code: string } | null = null;
  const record = (action: string, input: Record<string, unknown>) =>
    options.onCall?.(action, input);

  const xml = (body: string): Reply => ({
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  });

  const listObjects = (name: string, bucket: Map<string, S3Object>, url: URL): Reply => {
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter');
    const maxKeys = Number(url.searchParams.get('max-keys') ?? 1000);
    const start = Number(url.searchParams.get('continuation-token') ?? 0);
    record('ListObjectsV2', { bucket: name, prefix, delimiter });
    const entries: { key?: string; prefix?: string }[] = [];
    const seenPrefixes = new Set<string>();
    for (const k of [...bucket.keys()].sort()) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (delimiter && cut >= 0) {
        const common = prefix + rest.slice(0, cut + delimiter.length);
        if (!seenPrefixes.has(common)) {
          seenPrefixes.add(common);
          entries.push({ prefix: common });
        }
      } else {
        entries.push({ key: k });
      }
    }
    const page = entries.slice(start, start + maxKeys);
    const truncated = start + page.length < entries.length;
    const contents = page
      .filter((e) => e.key !== undefined)
      .map((e) => {
        const object = bucket.get(e.key as string) as S3Object;
        return `<Contents><Key>${xmlEscape(e.key as string)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>&quot;${object.etag}&quot;</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const prefixes = page
      .filter((e) => e.prefix !== undefined)
      .map(
        (e) => `<CommonPrefixes><Prefix>${xmlEscape(e.prefix as string)}</Prefix></CommonPrefixes>`,
      )
      .join('');
    return xml(
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${name}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ''}<IsTruncated>${truncated}</IsTruncated>${contents}${prefixes}${truncated ? `<NextContinuationToken>${start + page.length}</NextContinuationToken>` : ''}</ListBucketResult>`,
    );
  };

  const putObject = (
    req: IncomingMessage,
    name: string,
    bucket: Map<string, S3Object>,
    key: string,
    raw: Buffer,
  ): Reply => {
    const chunked =
      String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ||
      String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
    const body = chunked ? decodeAwsChunked(raw) : raw;
    const contentMd5 = req.headers['content-md5'];
    if (typeof contentMd5 === 'string' && md5(body, 'base64') !== contentMd5) {
      throw new S3Fault(
        400,
        'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
      );
    }
    record('PutObject', { bucket: name, key, bytes: body.length });
    const etag = md5(body);
    const contentType = req.headers['content-type'];
    const serverSideEncryption = req.headers['x-amz-server-side-encryption'] as string | undefined;
    bucket.set(key, { body, etag, lastModified: new Date(), contentType });
    objects.push({
      bucket: name,
      key,
      body: body.toString('utf8'),
      contentType,
      serverSideEncryption,
      headers: req.headers,
    });
    return {
      headers: {
        etag: `"${etag}"`,
        ...(serverSideEncryption ? { 'x-amz-server-side-encryption': serverSideEncryption } : {}),
      },
    };
  };

  const route = (req: IncomingMessage, url: URL, raw: Buffer): Reply => {
    if (failures && failures.times > 0) {
      failures.times--;
      throw new S3Fault(failures.status, failures.code, `${failures.code} from the local S3`);
    }
    const [name = '', ...keyParts] = url.pathname.slice(1).split('/');
    const key = keyParts.map(decodeURIComponent).join('/');
    const method = req.method ?? 'GET';
    let bucket = buckets[name];
    if (!bucket && createBuckets && name && method === 'PUT') {
      bucket = new Map();
      buckets[name] = bucket;
    }
    if (!bucket) throw new S3Fault(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
      return listObjects(name, bucket, url);
    }
    if (method === 'POST' && !key && url.searchParams.has('delete')) {
      const keys = [...raw.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) =>
        xmlUnescape(m[1] ?? ''),
      );
      record('DeleteObjects', { bucket: name, keys });
      for (const k of keys) bucket.delete(k);
      return xml(
        `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${keys.map((k) => `<Deleted><Key>${xmlEscape(k)}</Key></Deleted>`).join('')}</DeleteResult>`,
      );
    }
    if (method === 'PUT' && key) return putObject(req, name, bucket, key, raw);
    if (method === 'GET' && key) {
      record('GetObject', { bucket: name, key });
      const object = bucket.get(key);
      if (!object) throw new S3Fault(404, 'NoSuchKey', 'The specified key does not exist.');
      return {
        headers: {
          'content-type': object.contentType ?? 'application/octet-stream',
          etag: `"${object.etag}"`,
          'last-modified': object.lastModified.toUTCString(),
          'content-length': String(object.body.length),
        },
        body: object.body,
      };
    }
    throw new S3Fault(400, 'NotImplemented', `No route for ${method} ${url.pathname}${url.search}`);
  };

  return {
    buckets,
    objects,
    log,
    failNext(times, status, code) {
      failures = { times, status, code };
    },
    handle(req, res, raw) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const key = decodeURIComponent(url.pathname.slice(1).split('/').slice(1).join('/'));
      let reply: Reply;
      try {
        reply = route(req, url, raw);
      } catch (error) {
        const fault =
          error instanceof S3Fault ? error : new S3Fault(500, 'InternalError', String(error));
        reply = {
          status: fault.status,
          headers: { 'content-type': 'application/xml' },
          body: s3ErrorXml(fault.code, fault.message),
        };
      }
      const status = reply.status ?? 200;
      log.push(`${req.method} ${key} -> ${status}`);
      res.writeHead(status, { 'x-amz-request-id': 'LOCAL', ...reply.headers });
      res.end(reply.body ?? '');
    },
  };
}

/** A local S3 on its own loopback port; buckets are created on first write. */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const { handle, ...s3 } = createLocalS3(options);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    handle(req, res, Buffer.concat(chunks));
  });
  const listening = await listenOnLoopback(server);
  return { ...s3, endpoint: listening.url, close: listening.close };
}
