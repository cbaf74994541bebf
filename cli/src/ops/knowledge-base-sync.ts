/**
 * Keeps the knowledge base's S3 documents equal to the repository's `knowledge_base/` folder,
 * as the deployment does (same prefix, dotfiles excluded, removed files pruned), but uploading
 * only what changed: a file is unchanged when its MD5 equals the object's ETag (single-part
 * uploads to an SSE-S3 bucket have the MD5 as ETag).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DeleteObjectsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Documents live under this prefix; the data source reads only it (see infra's KnowledgeBase). */
export const KNOWLEDGE_BASE_PREFIX = 'knowledge_base/';

export interface LocalDocument {
  key: string;
  file: string;
  md5: string;
  size: number;
}

export interface RemoteDocument {
  etag: string;
  size: number;
}

export type UploadReason = 'new' | 'changed';

export interface SyncPlan {
  upload: (LocalDocument & { reason: UploadReason })[];
  /** Keys under the prefix with no local file (pruned, as the deployment prunes). */
  remove: string[];
  unchanged: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.pdf': 'application/pdf',
};

/** Every file under `dir` except dotfiles and dot-folders, keyed as in the bucket. */
export async function scanDocuments(
  dir: string,
  prefix = KNOWLEDGE_BASE_PREFIX,
): Promise<LocalDocument[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const documents: LocalDocument[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, file).split(path.sep);
    if (relative.some((segment) => segment.startsWith('.'))) continue;
    const body = await readFile(file);
    documents.push({
      key: `${prefix}${relative.join('/')}`,
      file,
      md5: createHash('md5').update(body).digest('hex'),
      size: body.length,
    });
  }
  return documents.sort((a, b) => a.key.localeCompare(b.key));
}

export async function listRemoteDocuments(
  s3: S3Client,
  bucket: string,
  prefix = KNOWLEDGE_BASE_PREFIX,
): Promise<Map<string, RemoteDocument>> {
  const remote = new Map<string, RemoteDocument>();
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: prefix },
  )) {
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/')) continue;
      remote.set(object.Key, {
        etag: (object.ETag ?? '').replace(/"/g, ''),
        size: object.Size ?? 0,
      });
    }
  }
  return remote;
}

export function planSync(
  local: LocalDocument[],
  remote: ReadonlyMap<string, RemoteDocument>,
  options: { prune: boolean },
): SyncPlan {
  const plan: SyncPlan = { upload: [], remove: [], unchanged: 0 };
  const localKeys = new Set<string>();
  for (const document of local) {
    localKeys.add(document.key);
    const existing = remote.get(document.key);
    // A multipart ETag ("…-N") is not an MD5: such an object is uploaded again to be sure.
    if (!existing) plan.upload.push({ ...document, reason: 'new' });
    else if (existing.etag !== document.md5) plan.upload.push({ ...document, reason: 'changed' });
    else plan.unchanged += 1;
  }
  if (options.prune) {
    plan.remove = [...remote.keys()].filter((key) => !localKeys.has(key)).sort();
  }
  return plan;
}

/** Uploads and deletes what the plan says, a few at a time; `onDone` after each file. */
export async function applySync(
  s3: S3Client,
  bucket: string,
  plan: SyncPlan,
  onDone: (key: string, action: 'uploaded' | 'deleted') => void,
): Promise<void> {
  const queue = [...plan.upload];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const body = await readFile(next.file);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: next.key,
          Body: body,
          ContentType:
            CONTENT_TYPES[path.extname(next.key).toLowerCase()] ?? 'application/octet-stream',
          // S3 rejects the upload if the bytes it received differ from the file.
          ContentMD5: Buffer.from(next.md5, 'hex').toString('base64'),
        }),
      );
      onDone(next.key, 'uploaded');
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, plan.upload.length) }, worker));
  for (let i = 0; i < plan.remove.length; i += 1000) {
    const keys = plan.remove.slice(i, i + 1000);
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: false },
      }),
    );
    const failed = result.Errors?.[0];
    if (failed) {
      throw new Error(
        `could not delete s3://${bucket}/${failed.Key}: ${failed.Code} ${failed.Message ?? ''}`.trim(),
      );
    }
    for (const key of keys) onDone(key, 'deleted');
  }
}
