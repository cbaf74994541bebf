/**
 * JSON Schema (draft 2020-12) of both export files, generated from the zod schemas. The committed
 * copies in `monitoring/schema/` are what readers outside TypeScript use; a test keeps them
 * current, and `pnpm --filter @revbot/monitoring schema` rewrites them.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CONVERSATION_SCHEMA_VERSION, conversationSchema, metadataSchema } from './schema';

export const JSON_SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

function withId(schema: z.ZodType, file: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = json;
  const name = file.replace('.schema.json', '');
  return { $schema, $id: `urn:revbot:monitoring:${name}:${CONVERSATION_SCHEMA_VERSION}`, ...rest };
}

/** File name → JSON text, as generated (the committed copies may be re-indented by the formatter). */
export function jsonSchemaFiles(): Record<string, string> {
  return {
    'conversation.schema.json': `${JSON.stringify(withId(conversationSchema, 'conversation.schema.json'), null, 2)}\n`,
    'metadata.schema.json': `${JSON.stringify(withId(metadataSchema, 'metadata.schema.json'), null, 2)}\n`,
  };
}
