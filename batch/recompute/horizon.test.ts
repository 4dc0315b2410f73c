import { describe, expect, test } from 'vitest';
import { chooseHorizon } from './recompute.js';

describe('batch horizon', () => {
  const partitionMax = [120, 118, 125];
  test('no finality from the node: FINALITY_DEPTH behind the least advanced partition', () => {
    expect(chooseHorizon({ partitionMax, finalized: null, finalityDepth: 64 })).toEqual({ horizon: 54, finality: 'depth' });
  });
  test('node finality behind the lake: the horizon is the finalized block', () => {
    expect(chooseHorizon({ partitionMax, finalized: 100, finalityDepth: 64 })).toEqual({ horizon: 100, finality: 'node' });
  });
  test('node finality ahead of the lake: the horizon is the complete lake, never past it', () => {
    expect(chooseHorizon({ partitionMax, finalized: 200, finalityDepth: 64 })).toEqual({ horizon: 118, finality: 'node' });
  });
  test('an empty lake has no horizon', () => {
    expect(chooseHorizon({ partitionMax: [], finalized: 10, finalityDepth: 64 }).horizon).toBeNull();
  });
});

describe('batch horizon on a young lake', () => {
  test('behavior: fewer blocks than FINALITY_DEPTH is no horizon, not a negative block number', () => {
    expect(chooseHorizon({ partitionMax: [10, 12], finalized: null, finalityDepth: 64 })).toEqual({ horizon: null, finality: 'depth' });
    expect(chooseHorizon({ partitionMax: [64, 70], finalized: null, finalityDepth: 64 })).toEqual({ horizon: 0, finality: 'depth' });
  });
});
