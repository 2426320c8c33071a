import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The training tests take a few seconds on an idle machine and several
    // times longer when other jobs share the cores. Under vitest's 5 s and
    // 10 s defaults they would then fail for load, not for a wrong result.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
