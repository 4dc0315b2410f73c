// Lambda merge: answer a range from batch rows for blocks ≤ horizon and from speed rows
// for blocks > horizon. Pure functions, no driver imports.
//
// Seam rule. The horizon is a BLOCK number. Batch rows are aggregates over blocks ≤ horizon
// only (at any granularity), so a time bucket that straddles the horizon gets batch's sums
// for its blocks ≤ horizon plus the speed per-block partials of its blocks > horizon.
// Speed partials at or below the horizon are ignored (they are already in batch, and they
// expire by TTL anyway); batch rows are never trimmed by block, only by bucket range.
// Result: no gap (every block is either ≤ horizon or > horizon) and no double count.
import { COUNTED_TX_CLASSES, type CountedTxClass } from '../core/chain.js';
import type { BlockSeriesRow } from '../storage/read-rows.js';

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const GRANULARITY_SECONDS: Record<Granularity, number> = { minute: 60, hour: 3600, day: 86400 };

export type StatsTotals = {
  blocks: number;
  txs: number;
  byClass: Record<CountedTxClass, number>;
  failed: number;
  /** Transactions whose receipt had no status (pre-Byzantium): neither failed nor succeeded. */
  unknown: number;
  gasUsed: bigint;
  fees: bigint;
  nativeValue: bigint;
  tokenTransfers: number;
};

/** A batch aggregate over blocks ≤ horizon whose timestamp falls in [bucket, bucket + granularity). */
export type BatchStatsRow = StatsTotals & { bucket: number };

/** One speed partial: the stats of one canonical block, keyed by its minute. */
export type SpeedBlockPartial = Omit<StatsTotals, 'blocks'> & { minute: number; blockNumber: number; blockHash?: string };

export type StatsBucket = StatsTotals & {
  bucket: number;
  /** Where the bucket's numbers came from. */
  source: 'batch' | 'speed' | 'merged' | 'empty';
};

export type Horizon = { block: number } | null;

export const emptyTotals = (): StatsTotals => ({
  blocks: 0,
  txs: 0,
  byClass: { contract_creation: 0, native_transfer: 0, contract_call: 0 },
  failed: 0,
  unknown: 0,
  gasUsed: 0n,
  fees: 0n,
  nativeValue: 0n,
  tokenTransfers: 0,
});

export function addTotals(into: StatsTotals, add: Omit<StatsTotals, 'blocks'> & { blocks?: number }): StatsTotals {
  into.blocks += add.blocks ?? 1;
  into.txs += add.txs;
  for (const c of COUNTED_TX_CLASSES) into.byClass[c] += add.byClass[c];
  into.failed += add.failed;
  into.unknown += add.unknown;
  into.gasUsed += add.gasUsed;
  into.fees += add.fees;
  into.nativeValue += add.nativeValue;
  into.tokenTransfers += add.tokenTransfers;
  return into;
}

export const bucketOf = (unixSeconds: number, g: Granularity): number => unixSeconds - (unixSeconds % GRANULARITY_SECONDS[g]);

/** Bucket starts covering [from, to): from aligned down, to exclusive. */
export function bucketStarts(from: number, to: number, g: Granularity): number[] {
  const step = GRANULARITY_SECONDS[g];
  const out: number[] = [];
  for (let b = bucketOf(from, g); b < to; b += step) out.push(b);
  return out;
}

export type MergeStatsInput = {
  from: number;
  to: number;
  granularity: Granularity;
  horizon: Horizon;
  /** Batch rows at the requested granularity (aggregated over blocks ≤ horizon). Ignored when horizon is null. */
  batch: BatchStatsRow[];
  /** Speed per-block partials; only blocks > horizon are used. */
  speed: SpeedBlockPartial[];
};

/**
 * Merge batch and speed rows into one zero-filled series of buckets over [from, to).
 * Speed partials are deduplicated by block number (last one wins) so a replayed block
 * never counts twice.
 */
export function mergeStats(input: MergeStatsInput): StatsBucket[] {
  const { from, to, granularity: g, horizon } = input;
  const starts = bucketStarts(from, to, g);
  const byBucket = new Map<number, StatsBucket>();
  for (const b of starts) byBucket.set(b, { bucket: b, source: 'empty', ...emptyTotals() });

  if (horizon !== null) {
    for (const row of input.batch) {
      const target = byBucket.get(bucketOf(row.bucket, g));
      if (!target) continue;
      addTotals(target, row);
      target.source = 'batch';
    }
  }
  const seen = new Map<number, SpeedBlockPartial>();
  for (const p of input.speed) {
    if (horizon !== null && p.blockNumber <= horizon.block) continue;
    seen.set(p.blockNumber, p);
  }
  for (const p of seen.values()) {
    const target = byBucket.get(bucketOf(p.minute, g));
    if (!target) continue;
    addTotals(target, p);
    target.source = target.source === 'batch' || target.source === 'merged' ? 'merged' : 'speed';
  }
  return starts.map((b) => byBucket.get(b) as StatsBucket);
}

/** Sum of a series (e.g. the "total" of a stats answer). */
export function sumBuckets(buckets: StatsTotals[]): StatsTotals {
  const total = emptyTotals();
  for (const b of buckets) addTotals(total, b);
  return total;
}

/** Blocks in [fromBlock, toBlock]: batch for ≤ horizon, speed for > horizon, sorted ascending. */
export function mergeBlockSeries(input: {
  fromBlock: number;
  toBlock: number;
  horizon: Horizon;
  batch: BlockSeriesRow[];
  speed: BlockSeriesRow[];
}): (BlockSeriesRow & { source: 'batch' | 'speed' })[] {
  const h = input.horizon?.block ?? -1;
  const out = new Map<number, BlockSeriesRow & { source: 'batch' | 'speed' }>();
  const inRange = (n: number) => n >= input.fromBlock && n <= input.toBlock;
  for (const r of input.batch) if (r.number <= h && inRange(r.number)) out.set(r.number, { ...r, source: 'batch' });
  for (const r of input.speed) if (r.number > h && inRange(r.number)) out.set(r.number, { ...r, source: 'speed' });
  return [...out.values()].sort((a, b) => a.number - b.number);
}

/** Which layers a range needs: lets the caller skip a store entirely. */
export function layersFor(range: { fromBlock?: number; toBlock?: number }, horizon: Horizon): { batch: boolean; speed: boolean } {
  if (horizon === null) return { batch: false, speed: true };
  const from = range.fromBlock ?? 0;
  const to = range.toBlock ?? Number.MAX_SAFE_INTEGER;
  return { batch: from <= horizon.block, speed: to > horizon.block };
}

export type Freshness = {
  chainHead: number | null;
  speed: { lastBlock: number | null; lastBlockTimestamp: number | null; lagBlocks: number | null; lagSeconds: number | null; writtenAt: number | null };
  batch: { horizon: number | null; version: string | null; createdAt: number | null; lagBlocks: number | null };
};

/** Lags from the chain head and the layers' positions; nowMs is injected for tests. */
export function computeFreshness(input: {
  chainHead: number | null;
  speedLastBlock: number | null;
  speedLastTimestamp: number | null;
  speedWrittenAt: number | null;
  batchHorizon: number | null;
  batchVersion: string | null;
  batchCreatedAt: number | null;
  nowMs: number;
}): Freshness {
  const head = input.chainHead ?? input.speedLastBlock;
  return {
    chainHead: head,
    speed: {
      lastBlock: input.speedLastBlock,
      lastBlockTimestamp: input.speedLastTimestamp,
      lagBlocks: head !== null && input.speedLastBlock !== null ? Math.max(0, head - input.speedLastBlock) : null,
      lagSeconds: input.speedLastTimestamp !== null ? Math.max(0, Math.round(input.nowMs / 1000 - input.speedLastTimestamp)) : null,
      writtenAt: input.speedWrittenAt,
    },
    batch: {
      horizon: input.batchHorizon,
      version: input.batchVersion,
      createdAt: input.batchCreatedAt,
      lagBlocks: head !== null && input.batchHorizon !== null ? Math.max(0, head - input.batchHorizon) : null,
    },
  };
}

/** JSON form of totals: bigints as decimal strings. */
export function totalsJson<T extends StatsTotals>(t: T): Omit<T, 'gasUsed' | 'fees' | 'nativeValue'> & { gasUsed: string; fees: string; nativeValue: string } {
  return { ...t, gasUsed: t.gasUsed.toString(), fees: t.fees.toString(), nativeValue: t.nativeValue.toString() };
}
