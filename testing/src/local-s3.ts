/**
 * A local stand-in for S3's PutObject (REST, path-style `PUT /<bucket>/<key>`), keeping what was
 * written so tests read back the conversation records a processor exported. 127.0.0.1 only.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  bucket: string;
  key: string;
  body: string;
  contentType?: string;
  serverSideEncryption?: string;
}

export interface LocalS3 {
  endpoint: string;
  objects: StoredObject[];
  close(): Promise<void>;
}

export async function startLocalS3(): Promise<LocalS3> {
  const objects: StoredObject[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, bucket = '', ...key] = url.pathname.split('/');
    if (req.method !== 'PUT' || !bucket || key.length === 0) {
      res.writeHead(501, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NotImplemented</Code><Message>Only PutObject</Message></Error>');
      return;
    }
    objects.push({
      bucket,
      key: decodeURIComponent(key.join('/')),
      body: Buffer.concat(chunks).toString('utf8'),
      contentType: req.headers['content-type'],
      serverSideEncryption: req.headers['x-amz-server-side-encryption'] as string | undefined,
    });
    res.writeHead(200, { etag: `"${objects.length}"` });
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
