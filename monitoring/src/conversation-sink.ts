/**
 * Where records go. A sink stores files under keys; `exportConversation` decides the layout
 * (`conversation-history/YYYY/MM/DD/<ISO timestamp>_<id>/` + conversation.json, metadata.json
 * and, when kept, the redacted events.json) so every sink writes the same thing.
 */
import { CONVERSATION_FILE, METADATA_FILE, RAW_EVENTS_FILE } from './conversation-key';
import { ConversationExportError, MonitoringError } from './errors';
import {
  serializeConversation,
  serializeMetadata,
  serializeRawEvents,
} from './record-serialization';
import type { ConversationRecord } from './types';

export interface ConversationSink {
  /** Stores one file. Rejects with a ConversationExportError. */
  put(key: string, body: string, contentType: string): Promise<void>;
  /** Where `key` ends up, for logs and messages: `s3://bucket/key` or an absolute path. */
  locate(key: string): string;
}

export interface ExportResult {
  /** Where the folder is: `s3://bucket/conversation-history/…/` or a local path. */
  location: string;
  keyPrefix: string;
  files: string[];
}

/** Name of the CloudWatch metric (namespace RevBot) callers count failed exports with. */
export const EXPORT_FAILURE_METRIC = 'ConversationExportFailures';

/** Writes the record's files; metadata.json last, so its presence means the folder is complete. */
export async function exportConversation(
  record: ConversationRecord,
  sink: ConversationSink,
): Promise<ExportResult> {
  const prefix = record.metadata.key_prefix;
  const files: [string, string][] = [
    [CONVERSATION_FILE, serializeConversation(record.conversation)],
  ];
  if (record.rawEvents) files.push([RAW_EVENTS_FILE, serializeRawEvents(record.rawEvents)]);
  files.push([METADATA_FILE, serializeMetadata(record.metadata)]);
  const written: string[] = [];
  for (const [name, body] of files) {
    try {
      await sink.put(`${prefix}${name}`, body, 'application/json; charset=utf-8');
    } catch (error) {
      if (error instanceof MonitoringError) throw error;
      throw new ConversationExportError(
        `Could not write ${name} for conversation ${record.conversation.conversation_id}: ${error instanceof Error ? error.message : String(error)}`,
        true,
        { cause: error },
      );
    }
    written.push(sink.locate(`${prefix}${name}`));
  }
  return { location: sink.locate(prefix), keyPrefix: prefix, files: written };
}
