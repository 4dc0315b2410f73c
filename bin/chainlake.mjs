#!/usr/bin/env node
// The `chainlake` CLI. Runs the compiled dist/ when it is fresh (see ops/build.mjs; `npm start`,
// `npm test` and `npm run bench` build it), otherwise the TypeScript sources through tsx, which
// compiles every module it loads at each start. CHAINLAKE_TSX=1 forces the sources.
import { distFresh } from '../ops/build.mjs';

if (process.env.CHAINLAKE_TSX !== '1' && distFresh()) {
  await import('../dist/ops/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../ops/cli.ts');
}
