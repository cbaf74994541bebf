/**
 * `pnpm test:faults`: the fault suite, apart from the unit tests because it starts real
 * `pnpm dev` processes and kills them; one file at a time, bounded to a few minutes.
 */
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['tests/faults/**/*.faults.ts'],
    testTimeout: 120_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
