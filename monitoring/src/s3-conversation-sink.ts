/**
 * Writes records to the conversation-history bucket with SSE-S3 (AES256). The client is created
 * once per container by the caller; the SDK's standard retry strategy retries throttling, 5xx
 * and network errors before we see them.
 */
import { PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { ConversationSink } from './conversation-sink';
import { ConversationExportError } from './errors';

export interface S3ConversationSinkOptions {
  client: S3Client;
  bucket: string;
}

const RETRYABLE_CODES = new Set([
  'SlowDown',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
  'ThrottlingException',
]);

export function s3ConversationSink({
  client,
  bucket,
}: S3ConversationSinkOptions): ConversationSink {
  if (!bucket) throw new ConversationExportError('s3ConversationSink needs a bucket name', false);
  return {
    async put(key, body, contentType) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ServerSideEncryption: 'AES256',
          }),
        );
      } catch (error) {
        const service = error instanceof S3ServiceException ? error : undefined;
        const status = service?.$metadata.httpStatusCode;
        const retryable =
          service === undefined ||
          RETRYABLE_CODES.has(service.name) ||
          (status !== undefined && (status >= 500 || status === 429));
        const reason = service
          ? `${service.name}${status ? ` (HTTP ${status})` : ''}: ${service.message}`
          : String(error);
        throw new ConversationExportError(
          `Could not write s3://${bucket}/${key}: ${reason}`,
          retryable,
          {
            cause: error,
          },
        );
      }
    },
    locate(key) {
      return `s3://${bucket}/${key}`;
    },
  };
}
