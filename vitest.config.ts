import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: two files at a time keeps PGlite (CPU-bound WASM) and Chromium from starving
    // (three took as long, with every test slower).
    maxWorkers: 2,
    env: { NODE_ENV: 'test' },
  },
});
