import { describe, expect, test } from 'vitest';
import { VIEWS_SQL_DIGEST, canBuildOn, dayChunks, viewsSqlDigest } from './recompute.js';

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

describe('canBuildOn', () => {
  test('behavior: an incremental run builds only on a version of the same chain computed by the same SQL', () => {
    expect(canBuildOn({ chainId: 1, sqlDigest: VIEWS_SQL_DIGEST }, 1)).toBe(true);
    expect(canBuildOn({ chainId: 2, sqlDigest: VIEWS_SQL_DIGEST }, 1)).toBe(false);
    // A version written by other SQL (a view or a column added since), or before the digest existed.
    expect(canBuildOn({ chainId: 1, sqlDigest: 'other' }, 1)).toBe(false);
    expect(canBuildOn({ chainId: 1 }, 1)).toBe(false);
  });
  test('behavior: the digest changes with any SQL file or view order, not with the listing order', () => {
    const files: [string, string][] = [['a.sql', 'SELECT 1'], ['b.sql', 'SELECT 2']];
    const base = viewsSqlDigest(files, { v: 'day' });
    expect(viewsSqlDigest([...files].reverse(), { v: 'day' })).toBe(base);
    expect(viewsSqlDigest([['a.sql', 'SELECT 1, 2'], ['b.sql', 'SELECT 2']], { v: 'day' })).not.toBe(base);
    expect(viewsSqlDigest([...files, ['c.sql', '']], { v: 'day' })).not.toBe(base);
    expect(viewsSqlDigest(files, { v: 'day, rank' })).not.toBe(base);
  });
});
