import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The smoke run measures six targets, four of them in headless Chromium
    // on SwiftShader. It takes one to two minutes on an idle 2-core machine,
    // and several times longer when other jobs share the cores.
    hookTimeout: 15 * 60 * 1000,
    testTimeout: 60_000,
  },
});
