// What the serving layer reads, as two small interfaces: the speed views (Cassandra) and the
// batch layer (lake + batch views). app.ts depends only on these; serving/stores.ts binds them
// to the real storage modules. Amounts are decimal strings in JSON rows, bigint in merge rows.
import type { BatchStatsRow, BlockSeriesRow, Granularity, SpeedBlockPartial } from './merge.js';

export type JsonRow = Record<string, unknown>;
export type Page<T = JsonRow> = { items: T[]; nextCursor: string | null };

export type SpeedFreshness = { lastBlock: number; lastBlockTimestamp: number; writtenAt: number | null } | null;

export type SpeedSource = {
  latestBlocks: (n: number) => Promise<JsonRow[]>;
  blockByNumber: (n: number) => Promise<JsonRow | null>;
  blockByHash: (hash: string) => Promise<JsonRow | null>;
  txByHash: (hash: string) => Promise<JsonRow | null>;
  /** Newest first. Rows carry blockNumber and transactionIndex. */
  addressHistory: (address: string, opts: { limit: number; cursor?: string }) => Promise<Page>;
  tokenTransfers: (opts: { token?: string; address?: string; limit: number; cursor?: string }) => Promise<Page>;
  /** Per-block partials of canonical blocks whose minute is in [from, to). */
  blockPartials: (range: { from: number; to: number }) => Promise<SpeedBlockPartial[]>;
  /** Per-block series of canonical blocks in [fromBlock, toBlock]. */
  blockSeries: (range: { fromBlock: number; toBlock: number }) => Promise<BlockSeriesRow[]>;
  freshness: () => Promise<SpeedFreshness>;
  /** Newest block ingest published (the chain head as far as chainlake knows), or null. */
  chainHead: () => Promise<number | null>;
};

export type BatchVersion = { version: string; horizon: number; createdAt: number | null } | null;

/** day: UTC YYYY-MM-DD. */
export type RankOpts = { day: string; limit: number };

export type BatchSource = {
  version: () => Promise<BatchVersion>;
  /** Rows and the version they came from (read consistently: a version switch in between is retried). */
  stats: (q: { granularity: Granularity; from: number; to: number }) => Promise<{ version: BatchVersion; rows: BatchStatsRow[] }>;
  topSenders: (q: RankOpts) => Promise<JsonRow[]>;
  topContracts: (q: RankOpts) => Promise<JsonRow[]>;
  tokenVolume: (q: RankOpts & { token?: string }) => Promise<JsonRow[]>;
  blockSeries: (range: { fromBlock: number; toBlock: number }) => Promise<{ version: BatchVersion; rows: BlockSeriesRow[] }>;
  /** Lake history of an address for blocks < beforeBlock (or all), newest first, keyset paged by (block, txIndex). */
  addressHistory: (address: string, opts: { beforeBlock: number | null; after?: { block: number; index: number; side: string }; limit: number }) => Promise<JsonRow[]>;
  listRuns: (limit: number) => Promise<JsonRow[]>;
  requestRecompute: (requestedBy: string) => Promise<JsonRow>;
};
