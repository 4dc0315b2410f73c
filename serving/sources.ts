// What the serving layer reads, as two small interfaces: the speed views (Cassandra) and the
// batch layer (lake + batch views). app.ts depends only on these; serving/stores.ts binds them
// to the real storage modules. Rows are the storage layer's typed rows: amounts are decimal
// strings in view rows, bigint in merge rows.
import type { TokenVolumeRow, TopContractRow, TopSenderRow } from '../storage/lake/readers.js';
import type { HistoryPosition } from '../storage/lake/readers-serving.js';
import type { BlockSeriesRow, Page } from '../storage/read-rows.js';
import type { AddressTxView, BlockView, TransferView, TxView } from '../storage/views/queries.js';
import type { BatchStatsRow, Granularity, SpeedBlockPartial } from './merge.js';

export type JsonRow = Record<string, unknown>;

export type SpeedFreshness = { lastBlock: number; lastBlockTimestamp: number; writtenAt: number | null } | null;

export type SpeedSource = {
  latestBlocks: (n: number) => Promise<BlockView[]>;
  blockByNumber: (n: number) => Promise<BlockView | null>;
  blockByHash: (hash: string) => Promise<BlockView | null>;
  txByHash: (hash: string) => Promise<TxView | null>;
  /** Newest first. Rows carry blockNumber and transactionIndex. */
  addressHistory: (address: string, opts: { limit: number; cursor?: string }) => Promise<Page<AddressTxView>>;
  tokenTransfers: (opts: { token?: string; address?: string; limit: number; cursor?: string }) => Promise<Page<TransferView>>;
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
  topSenders: (q: RankOpts) => Promise<TopSenderRow[]>;
  topContracts: (q: RankOpts) => Promise<TopContractRow[]>;
  tokenVolume: (q: RankOpts & { token?: string }) => Promise<TokenVolumeRow[]>;
  blockSeries: (range: { fromBlock: number; toBlock: number }) => Promise<{ version: BatchVersion; rows: BlockSeriesRow[] }>;
  /** Lake history of an address for blocks < beforeBlock (or all), newest first, keyset paged by (block, txIndex, side). */
  addressHistory: (address: string, opts: { beforeBlock: number | null; after?: HistoryPosition; limit: number }) => Promise<AddressTxView[]>;
  listRuns: (limit: number) => Promise<JsonRow[]>;
  requestRecompute: (requestedBy: string) => Promise<JsonRow>;
};
