import { defineConfig } from 'vitest/config';

/**
 * GPU tests talk to one dawn.node device per worker; SwiftShader is slow, so tests run in
 * forked processes (dawn.node is not safe in worker threads) with generous timeouts.
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
