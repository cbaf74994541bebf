/** Regenerates `monitoring/schema/*.schema.json` from the zod schemas (then run `pnpm format`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JSON_SCHEMA_DIR, jsonSchemaFiles } from './json-schema';

mkdirSync(JSON_SCHEMA_DIR, { recursive: true });
for (const [file, text] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(path.join(JSON_SCHEMA_DIR, file), text);
  console.log(`wrote ${path.join(JSON_SCHEMA_DIR, file)}`);
}
