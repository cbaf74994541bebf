import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_DIR, jsonSchemaFiles } from '../src/json-schema';
import { CONVERSATION_SCHEMA_VERSION } from '../src/schema';

describe('the committed JSON Schema files', () => {
  it.each(Object.entries(jsonSchemaFiles()))(
    '%s matches the zod schema (run "pnpm --filter @revbot/monitoring schema" after a change)',
    (file, generated) => {
      // Compared as JSON: the repository formatter may re-indent the committed file.
      expect(JSON.parse(readFileSync(path.join(JSON_SCHEMA_DIR, file), 'utf8'))).toEqual(
        JSON.parse(generated),
      );
    },
  );

  it('carry the schema version in their id and pin schema_version', () => {
    const conversation = JSON.parse(jsonSchemaFiles()['conversation.schema.json'] ?? '{}');
    expect(conversation.$id).toBe(
      `urn:revbot:monitoring:conversation:${CONVERSATION_SCHEMA_VERSION}`,
    );
    expect(conversation.properties.schema_version.const).toBe(CONVERSATION_SCHEMA_VERSION);
    expect(conversation.required).toEqual(
      expect.arrayContaining(['agent_flow', 'collaboration_map', 'errors']),
    );
  });
});
