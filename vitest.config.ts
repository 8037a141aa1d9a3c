import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores, but a test file spends much of its time waiting (on Chromium, on mail, on the
    // other database): three files at a time keep both cores busy without starving PGlite
    // (CPU-bound WASM) or Chromium.
    maxWorkers: 3,
    env: { NODE_ENV: 'test' },
  },
});
