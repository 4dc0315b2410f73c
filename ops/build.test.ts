// dist/ freshness walks the folders tsconfig.build.json compiles: a layer missing there would
// let bin/chainlake.mjs run stale compiled code of that layer without a word.
import { expect, test } from 'vitest';
// @ts-expect-error: plain .mjs without types
import { SOURCE_DIRS } from './build.mjs';

test('behavior: the dist freshness check watches every production layer', () => {
  expect([...(SOURCE_DIRS as string[])].sort()).toEqual(expect.arrayContaining(['batch', 'core', 'ops', 'serving', 'shop', 'speed', 'storage']));
});
