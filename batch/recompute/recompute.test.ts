import { describe, expect, test } from 'vitest';
import { dayChunks } from './recompute.js';

describe('dayChunks', () => {
  const bytes: Record<string, number> = { '2026-01-01': 40, '2026-01-02': 50, '2026-01-03': 20, '2026-01-04': 200, '2026-01-05': 10 };
  const of = (d: string) => bytes[d] ?? 0;

  test('behavior: consecutive days fill a chunk up to the budget; a bigger day is a chunk of its own', () => {
    expect(dayChunks(Object.keys(bytes), of, 100)).toEqual([['2026-01-01', '2026-01-02'], ['2026-01-03'], ['2026-01-04'], ['2026-01-05']]);
    expect(dayChunks(Object.keys(bytes), of, 1000)).toEqual([Object.keys(bytes)]);
    expect(dayChunks(Object.keys(bytes), of, 1)).toEqual(Object.keys(bytes).map((d) => [d]));
  });

  test('behavior: no days still give one (empty) chunk, so every input table exists', () => {
    expect(dayChunks([], of, 100)).toEqual([[]]);
  });
});
