/**
 * A fresh folder under the OS temp dir for the enclosing suite: made before its first test and
 * removed after its last. Call it in a `describe` (or at file level); read the path in tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function suiteTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('the suite folder exists only while the suite runs');
    return dir;
  };
}
