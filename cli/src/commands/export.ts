/**
 * `revbot export <stream.json>`: converts a saved InvokeAgent event stream into the monitoring
 * record (conversation.json + metadata.json) in the conversation-history layout, so recorded runs
 * can be inspected without deploying anything.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildConversationRecord,
  exportConversation,
  localConversationSink,
  parseSavedStream,
} from '@revbot/monitoring';
import type { Command } from '../command';
import { UsageError } from '../errors';

const DEFAULT_OUT = '.revbot';

export const exportCommand: Command = {
  name: 'export',
  summary: 'turn a saved agent event stream into conversation.json + metadata.json',
  usage: `usage: revbot export <stream.json> [--out DIR] [--conversation-id ID] [--query TEXT]
                     [--root-agent NAME] [--save-raw] [--json] [--format otlp [--content]]

Reads a saved InvokeAgent event stream (a JSON array of {trace}/{chunk} events, as the SDK
yields them, or an events.json saved with a conversation) and writes conversation.json and
metadata.json to DIR/conversation-history/YYYY/MM/DD/<ISO time>_<id>/, the same layout as the
S3 bucket.

  --out DIR              folder to write into (default ${DEFAULT_OUT})
  --conversation-id ID   id of the record (default replay-<start of the file's SHA-256>)
  --query TEXT           the user's question, when known (streams do not carry it)
  --root-agent NAME      name of the top-level agent (default Manager)
  --save-raw             also write the redacted events.json
  --json                 print the result as JSON
  --format otlp          print the conversation as an OpenTelemetry trace (OTLP/JSON, GenAI
                         conventions) instead of writing files; --content adds the messages`,
  async run(args, io) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'missing <stream.json>'
          : `expected one stream file, got ${positionals.length}`,
      );
    }
    const file = path.resolve(io.cwd, positionals[0] as string);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
      throw new Error(`cannot read ${positionals[0]}: ${reason}`);
    }
    const events = parseSavedStream(text, path.basename(file));
    const conversationId =
      values['conversation-id'] ??
      `replay-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
    const record = buildConversationRecord(
      events,
      {
        conversationId,
        channel: { kind: 'replay', source: path.basename(file) },
        userQuery: values.query ?? null,
      },
      { rootAgentName: values['root-agent'], keepRawEvents: values['save-raw'] },
    );
    if (values.format === 'otlp') {
      const { otlpJson } = await import('@revbot/monitoring/otlp');
      io.stdout.write(`${otlpJson([record.conversation], { includeContent: values.content })}\n`);
      return 0;
    }
    if (values.format !== 'record') {
      throw new UsageError(`--format must be record or otlp, got "${values.format}"`);
    }
    const result = await exportConversation(
      record,
      localConversationSink(path.resolve(io.cwd, values.out)),
    );
    const { counts, quality } = record.metadata;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ location: result.location, files: result.files, status: record.conversation.status, counts, quality }, null, 2)}\n`,
      );
      return 0;
    }
    io.stdout.write(`wrote ${result.location}\n`);
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    io.stdout.write(
      `  ${n(counts.agent_invocations, 'agent run')}, ${n(counts.tool_calls, 'tool call')}, ${n(counts.knowledge_base_lookups, 'knowledge-base lookup')}, ${n(counts.total_tokens, 'token')}; status ${record.conversation.status}\n`,
    );
    io.stdout.write(`  quality ${quality.score}: ${quality.summary}\n`);
    for (const check of quality.checks.filter((c) => !c.passed)) {
      io.stdout.write(`    ${check.name}: ${check.detail}\n`);
    }
    return 0;
  },
};

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', default: DEFAULT_OUT },
      'conversation-id': { type: 'string' },
      query: { type: 'string' },
      'root-agent': { type: 'string' },
      'save-raw': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      format: { type: 'string', default: 'record' },
      content: { type: 'boolean', default: false },
    },
  });
}
