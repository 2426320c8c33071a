import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each case runs `npm install` in a fresh folder, which takes tens of seconds.
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
