import { defineConfig } from 'vitest/config';

// Two projects. `unit`: the *.test.ts files beside the code, pure (no services, no global
// setup): `npm run test:unit`. `integration`: test/**, against the real services that
// test/global-setup.ts starts (or reuses when `chainlake up` runs them). `npm test` runs both.
const exclude = ['node_modules/**', 'data/**', '.cache/**', 'dist/**', 'test/faults/long/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/count-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['{core,storage,speed,batch,serving,shop,ops,dashboard}/**/*.test.ts'], exclude } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude, globalSetup: ['test/global-setup.ts'] } },
    ],
  },
});
