import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (*.test.ts); integration tests live in test/ and use the
// real services that test/global-setup.ts starts (or reuses when `chainlake up` runs them).
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['{core,storage,speed,batch,serving,shop,ops,dashboard}/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**', '.cache/**', 'test/faults/long/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/count-reporter.ts'],
  },
});
