import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/cdk.out/**'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // CDK synths bundle every Lambda with esbuild; two cores are shared by all workers.
    maxWorkers: 2,
  },
});
