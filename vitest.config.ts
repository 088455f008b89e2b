import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files run side by side on few cores: one wasm thread each (tests/runtime/wasm-threads.test.ts covers more).
    env: { MOEC_THREADS: '1' },
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
