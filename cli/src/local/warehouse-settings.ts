/**
 * The embedded warehouse's settings the local stack and `revbot ask` share: `revbot seed` pins
 * the day the sample data is "as of" in `<data dir>/warehouse.json`, so answers stay the same
 * from one day to the next until the warehouse is seeded again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const WAREHOUSE_SETTINGS_FILE = 'warehouse.json';

const settingsSchema = z.object({ asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

/** `REVBOT_DATA_AS_OF` wins; then the seeded day; undefined means today. */
export function seededAsOf(
  dataDir: string,
  env: Record<string, string | undefined>,
): string | undefined {
  if (env.REVBOT_DATA_AS_OF) return env.REVBOT_DATA_AS_OF;
  const file = path.join(dataDir, WAREHOUSE_SETTINGS_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = settingsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not valid: run "pnpm revbot seed" again`);
  return parsed.data.asOf;
}

export async function saveSeededAsOf(dataDir: string, asOf: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, WAREHOUSE_SETTINGS_FILE);
  await writeFile(file, `${JSON.stringify({ asOf }, null, 2)}\n`);
  return file;
}
