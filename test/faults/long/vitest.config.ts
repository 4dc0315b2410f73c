import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The long fault run (≥ 100 faults, Kafka and Cassandra restarts) starts its own private Kafka and
// Cassandra, so it needs no global setup; the default config excludes this folder.
// Run: npx vitest run --config test/faults/long/vitest.config.ts
export default defineConfig({
  root: resolve(import.meta.dirname, '../../..'),
  test: {
    include: ['test/faults/long/**/*.test.ts'],
    reporters: ['default', './test/count-reporter.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
