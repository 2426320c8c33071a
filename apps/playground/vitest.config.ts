import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Building the page and training in headless Chromium take about a
    // minute together when other jobs share the two cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
