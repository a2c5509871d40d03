import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll waits for a state to be reached; on two loaded cores one second is not enough.
    // It returns as soon as the state is there, so a longer bound costs nothing when all is well.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: browser and multi-process suites compete for them.
    maxWorkers: 2,
  },
});
