import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type BatchStatsRow,
  type Granularity,
  type SpeedBlockPartial,
  addTotals,
  bucketOf,
  bucketStarts,
  computeFreshness,
  emptyTotals,
  layersFor,
  mergeBlockSeries,
  mergeStats,
  sumBuckets,
} from './merge.js';
import type { BlockSeriesRow } from '../storage/read-rows.js';

type Blk = SpeedBlockPartial & { timestamp: number };

const T0 = 1_700_000_000 - (1_700_000_000 % 86400); // a UTC midnight

/** A chain: block n has timestamp T0 + n*step (+jitter), deterministic stats. */
function chain(count: number, step = 12, start = 1): Blk[] {
  const out: Blk[] = [];
  for (let i = 0; i < count; i++) {
    const n = start + i;
    const ts = T0 + n * step;
    out.push(block(n, ts));
  }
  return out;
}

function block(n: number, ts: number, salt = 0): Blk {
  const txs = (n * 7 + salt) % 11;
  const cc = n % 3 === 0 ? 1 : 0;
  const nt = Math.floor((txs - cc) / 2);
  return {
    blockNumber: n,
    blockHash: `0x${(n * 1000 + salt).toString(16).padStart(64, '0')}`,
    minute: ts - (ts % 60),
    timestamp: ts,
    txs,
    byClass: { contract_creation: cc, native_transfer: nt, contract_call: txs - cc - nt },
    failed: n % 5 === 0 ? 1 : 0,
    unknown: n % 7 === 0 ? 1 : 0,
    gasUsed: BigInt(n) * 21_000n + BigInt(salt),
    fees: BigInt(n) * 10n ** 15n + 2n ** 70n,
    nativeValue: 10n ** 30n + BigInt(n),
    tokenTransfers: n % 4,
  };
}

/** What the batch layer produces: sums over blocks ≤ horizon per bucket. */
function batchRows(blocks: Blk[], horizon: number, g: Granularity): BatchStatsRow[] {
  const m = new Map<number, BatchStatsRow>();
  for (const b of blocks) {
    if (b.blockNumber > horizon) continue;
    const k = bucketOf(b.timestamp, g);
    const row = m.get(k) ?? { bucket: k, ...emptyTotals() };
    addTotals(row, b);
    m.set(k, row);
  }
  return [...m.values()];
}

/** Ground truth: every block aggregated directly. */
function truth(blocks: Blk[], from: number, to: number, g: Granularity) {
  return bucketStarts(from, to, g).map((bucket) => {
    const t = emptyTotals();
    for (const b of blocks) if (bucketOf(b.timestamp, g) === bucket) addTotals(t, b);
    return { bucket, ...t };
  });
}

const strip = (rows: { source?: string }[]) => rows.map(({ source: _s, ...rest }) => rest);

describe('mergeStats', () => {
  test('empty batch (no horizon): answers from speed only', () => {
    const blocks = chain(50);
    const from = T0, to = T0 + 3600;
    const out = mergeStats({ from, to, granularity: 'minute', horizon: null, batch: batchRows(blocks, 1e9, 'minute'), speed: blocks });
    expect(strip(out)).toEqual(truth(blocks, from, to, 'minute'));
    expect(out.every((b) => b.source === 'speed' || b.source === 'empty')).toBe(true);
  });

  test('speed empty: answers from batch only', () => {
    const blocks = chain(50);
    const from = T0, to = T0 + 3600;
    const out = mergeStats({ from, to, granularity: 'minute', horizon: { block: 50 }, batch: batchRows(blocks, 50, 'minute'), speed: [] });
    expect(strip(out)).toEqual(truth(blocks, from, to, 'minute'));
  });

  test('range entirely before the horizon uses batch and ignores speed rows ≤ horizon', () => {
    const blocks = chain(200);
    const from = T0, to = T0 + 600; // blocks 1..49
    const out = mergeStats({ from, to, granularity: 'minute', horizon: { block: 150 }, batch: batchRows(blocks, 150, 'minute'), speed: blocks });
    expect(strip(out)).toEqual(truth(blocks, from, to, 'minute'));
    expect(out.filter((b) => b.blocks > 0).every((b) => b.source === 'batch')).toBe(true);
  });

  test('range entirely after the horizon uses speed', () => {
    const blocks = chain(200);
    const from = T0 + 151 * 12 + 60, to = T0 + 200 * 12;
    const out = mergeStats({ from, to, granularity: 'minute', horizon: { block: 150 }, batch: batchRows(blocks, 150, 'minute'), speed: blocks });
    expect(strip(out)).toEqual(truth(blocks, from, to, 'minute'));
    expect(out.filter((b) => b.blocks > 0).every((b) => b.source === 'speed')).toBe(true);
  });

  test('a minute straddling the horizon takes batch blocks ≤ horizon plus speed blocks > horizon', () => {
    // 5 blocks in one minute: 10..14; horizon 12.
    const blocks = [10, 11, 12, 13, 14].map((n, i) => block(n, T0 + 60 + i * 5));
    const out = mergeStats({ from: T0, to: T0 + 180, granularity: 'minute', horizon: { block: 12 }, batch: batchRows(blocks, 12, 'minute'), speed: blocks });
    const straddling = out.find((b) => b.bucket === T0 + 60);
    expect(straddling?.source).toBe('merged');
    expect(straddling?.blocks).toBe(5);
    expect(strip(out)).toEqual(truth(blocks, T0, T0 + 180, 'minute'));
  });

  test('hour and day buckets straddling the horizon are exact', () => {
    const blocks = chain(20_000, 7); // ~39 hours
    for (const g of ['hour', 'day'] as const) {
      const from = T0, to = T0 + 2 * 86400;
      const out = mergeStats({ from, to, granularity: g, horizon: { block: 9_999 }, batch: batchRows(blocks, 9_999, g), speed: blocks });
      expect(strip(out)).toEqual(truth(blocks, from, to, g));
      expect(out.some((b) => b.source === 'merged')).toBe(true);
    }
  });

  test('a reorg just after the horizon: the retracted block is gone, the replacement counts once', () => {
    const blocks = chain(30);
    const orphan = block(21, T0 + 21 * 12, 0);
    const replacement = block(21, T0 + 21 * 12 + 1, 99);
    // Speed after the reorg: canonical rows only (the orphan's partial was deleted by its retraction).
    const canonical = blocks.map((b) => (b.blockNumber === 21 ? replacement : b));
    const out = mergeStats({ from: T0, to: T0 + 3600, granularity: 'minute', horizon: { block: 20 }, batch: batchRows(blocks, 20, 'minute'), speed: canonical });
    expect(strip(out)).toEqual(truth(canonical, T0, T0 + 3600, 'minute'));
    const total = sumBuckets(out);
    expect(total.blocks).toBe(30);
    expect(total.gasUsed).toBe(sumBuckets(canonical.map((b) => ({ ...b, blocks: 1 }))).gasUsed);
    expect(total.gasUsed).not.toBe(sumBuckets(blocks.map((b) => ({ ...b, blocks: 1 }))).gasUsed);
    expect(orphan.blockHash).not.toBe(replacement.blockHash);
  });

  test('a block replayed twice in speed counts once', () => {
    const blocks = chain(10);
    const out = mergeStats({ from: T0, to: T0 + 600, granularity: 'minute', horizon: null, batch: [], speed: [...blocks, ...blocks] });
    expect(sumBuckets(out).blocks).toBe(10);
  });

  test('horizon switch between two calls: the later answer only adds newer data', () => {
    const early = chain(100);
    const later = chain(160);
    const from = T0, to = T0 + 3 * 3600;
    const a = mergeStats({ from, to, granularity: 'hour', horizon: { block: 40 }, batch: batchRows(early, 40, 'hour'), speed: early });
    // Speed rows ≤ the new horizon have partly expired by TTL: only blocks > 60 remain.
    const b = mergeStats({ from, to, granularity: 'hour', horizon: { block: 90 }, batch: batchRows(later, 90, 'hour'), speed: later.filter((x) => x.blockNumber > 60) });
    expect(strip(a)).toEqual(truth(early, from, to, 'hour'));
    expect(strip(b)).toEqual(truth(later, from, to, 'hour'));
    for (let i = 0; i < a.length; i++) {
      expect(b[i]!.blocks).toBeGreaterThanOrEqual(a[i]!.blocks);
      expect(b[i]!.txs).toBeGreaterThanOrEqual(a[i]!.txs);
      expect(b[i]!.fees >= a[i]!.fees).toBe(true);
    }
  });

  test('buckets outside [from, to) are dropped and empty buckets are zero-filled', () => {
    const blocks = chain(100, 60); // one block per minute
    const from = T0 + 30 * 60 + 17, to = T0 + 40 * 60;
    const out = mergeStats({ from, to, granularity: 'minute', horizon: { block: 35 }, batch: batchRows(blocks, 35, 'minute'), speed: blocks });
    expect(out.map((b) => b.bucket)).toEqual(bucketStarts(from, to, 'minute'));
    expect(out[0]!.bucket).toBe(T0 + 30 * 60);
    expect(strip(out)).toEqual(truth(blocks, from, to, 'minute'));
    const sparse = mergeStats({ from: T0, to: T0 + 300, granularity: 'minute', horizon: null, batch: [], speed: [] });
    expect(sparse).toHaveLength(5);
    expect(sparse.every((b) => b.source === 'empty' && b.blocks === 0 && b.fees === 0n)).toBe(true);
  });

  test('property: for any horizon and granularity, merge equals aggregating every block once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: -1, max: 420 }),
        fc.constantFrom<Granularity>('minute', 'hour', 'day'),
        fc.integer({ min: 0, max: 400 }),
        (count, step, h, g, expiredBelow) => {
          const blocks = chain(count, step);
          const horizon = h < 0 ? null : { block: h };
          // Speed never holds blocks it has expired, but always holds every block > horizon.
          const speed = blocks.filter((b) => horizon === null || b.blockNumber > Math.min(expiredBelow, horizon.block));
          const from = T0, to = T0 + (count + 2) * step + 86400;
          const out = mergeStats({ from, to, granularity: g, horizon, batch: horizon ? batchRows(blocks, horizon.block, g) : [], speed });
          expect(strip(out)).toEqual(truth(blocks, from, to, g));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('mergeBlockSeries', () => {
  const row = (n: number, src: string): BlockSeriesRow => ({ number: n, timestamp: T0 + n, txs: src === 'b' ? 1 : 2, gasUsed: BigInt(n), fees: 0n, baseFeePerGas: null });
  test('uses batch up to the horizon and speed after it, no gap and no duplicate', () => {
    const batch = Array.from({ length: 60 }, (_, i) => row(i + 1, 'b'));
    const speed = Array.from({ length: 40 }, (_, i) => row(i + 41, 's'));
    const out = mergeBlockSeries({ fromBlock: 30, toBlock: 80, horizon: { block: 50 }, batch, speed });
    expect(out.map((r) => r.number)).toEqual(Array.from({ length: 51 }, (_, i) => 30 + i));
    expect(out.filter((r) => r.number <= 50).every((r) => r.source === 'batch' && r.txs === 1)).toBe(true);
    expect(out.filter((r) => r.number > 50).every((r) => r.source === 'speed' && r.txs === 2)).toBe(true);
  });
  test('no horizon: speed only', () => {
    const out = mergeBlockSeries({ fromBlock: 0, toBlock: 10, horizon: null, batch: [row(1, 'b')], speed: [row(1, 's'), row(2, 's')] });
    expect(out.map((r) => [r.number, r.source])).toEqual([
      [1, 'speed'],
      [2, 'speed'],
    ]);
  });
});

describe('layersFor / freshness', () => {
  test('skips the layer a block range does not touch', () => {
    expect(layersFor({ fromBlock: 0, toBlock: 10 }, { block: 20 })).toEqual({ batch: true, speed: false });
    expect(layersFor({ fromBlock: 21, toBlock: 30 }, { block: 20 })).toEqual({ batch: false, speed: true });
    expect(layersFor({ fromBlock: 20, toBlock: 21 }, { block: 20 })).toEqual({ batch: true, speed: true });
    expect(layersFor({}, null)).toEqual({ batch: false, speed: true });
  });
  test('freshness lags are measured from the chain head and the clock', () => {
    const f = computeFreshness({ chainHead: 110, speedLastBlock: 105, speedLastTimestamp: 1000, speedWrittenAt: 1_001_000, batchHorizon: 40, batchVersion: 'v1', batchCreatedAt: 5, nowMs: 1_003_400 });
    expect(f.speed.lagBlocks).toBe(5);
    expect(f.speed.lagSeconds).toBe(3);
    expect(f.batch.lagBlocks).toBe(70);
    const empty = computeFreshness({ chainHead: null, speedLastBlock: null, speedLastTimestamp: null, speedWrittenAt: null, batchHorizon: null, batchVersion: null, batchCreatedAt: null, nowMs: 0 });
    expect(empty.speed.lagBlocks).toBeNull();
    expect(empty.batch.lagBlocks).toBeNull();
  });
});
