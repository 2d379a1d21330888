import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files each create their own databases; two workers match the machine's two cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
