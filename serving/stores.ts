// Binds the serving interfaces (sources.ts) to the real stores: speed views in Cassandra
// (storage/views.ts, plus a per-block partial read for the lambda seam) and the lake
// (storage/lake/readers.ts through an internal DuckDB instance, not the SQL sandbox).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Admin } from 'kafkajs';
import { RetryableError, errorMessage } from '../core/errors.js';
import type { CassandraClient } from '../storage/cassandra.js';
import { createIngestStateStore } from '../storage/ingest-state.js';
import type { LakePaths } from '../storage/lake/paths.js';
import { registerLakeViews } from '../storage/lake/canonical.js';
import { readCurrentVersion, readBatchVersion } from '../storage/lake/versions.js';
import { queryRows } from '../storage/lake/duck.js';
import { readBlockSeries, readStats, readTokenVolume, readTopContracts, readTopSenders } from '../storage/lake/readers.js';
import { usageForDay } from '../storage/rpc-usage.js';
import { createViewsQueries } from '../storage/views.js';
import type { OpsSource } from './app.js';
import type { DuckPool } from './duck-pool.js';
import type { BatchStatsRow, BlockSeriesRow, SpeedBlockPartial } from './merge.js';
import type { BatchSource, BatchVersion, JsonRow, SpeedSource } from './sources.js';

const HEIGHT_BUCKET = 100_000; // views_blocks_by_height partition size (speed/views/rows.ts BLOCK_BUCKET)
const DAY = 86_400;
type Row = { get(name: string): unknown };
const str = (v: unknown): string => (v === null || v === undefined ? '0' : String(v));
const num = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(String(v)));
const dayString = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/** Chain ids that ingest or the views consumer has written, smallest first. */
export async function detectChainIds(client: CassandraClient): Promise<number[]> {
  const ids = new Set<number>();
  for (const table of ['ingest_checkpoint', 'views_checkpoint']) {
    try {
      const rs = await client.execute(`SELECT DISTINCT chain_id FROM ${table}`);
      for (const r of rs.rows) ids.add(Number(r.get('chain_id')));
    } catch {
      /* table not migrated in this keyspace */
    }
  }
  return [...ids].sort((a, b) => a - b);
}

export function createSpeedSource(client: CassandraClient, opts: { chainId: number; ttlSeconds: number }): SpeedSource {
  const views = createViewsQueries(client, { chainId: opts.chainId, ttlSeconds: opts.ttlSeconds });
  const ingest = createIngestStateStore(client);
  const q = (cql: string, params: unknown[]) => client.execute(cql, params, { prepare: true, fetchSize: 5000 });
  const chainId = opts.chainId;

  async function canonicalHashes(lo: number, hi: number): Promise<Map<number, { hash: string; row: Row }>> {
    const out = new Map<number, { hash: string; row: Row }>();
    for (let b = Math.floor(lo / HEIGHT_BUCKET); b <= Math.floor(hi / HEIGHT_BUCKET); b++) {
      const rs = await q('SELECT * FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? AND number >= ? AND number <= ?', [chainId, b, lo, hi]);
      for await (const r of rs as unknown as AsyncIterable<Row>) out.set(num(r.get('number')), { hash: String(r.get('hash')), row: r });
    }
    return out;
  }

  /** Raw minute-stats partials of [from, to) that belong to canonical blocks. */
  async function canonicalPartials(from: number, to: number): Promise<Row[]> {
    const partials: Row[] = [];
    for (let d = from - (from % DAY); d < to; d += DAY) {
      const rs = await q('SELECT * FROM views_minute_stats WHERE chain_id = ? AND day = ? AND minute >= ? AND minute < ?', [chainId, dayString(d), from * 1000, to * 1000]);
      for await (const r of rs as unknown as AsyncIterable<Row>) partials.push(r);
    }
    if (partials.length === 0) return [];
    const numbers = partials.map((r) => num(r.get('block_number')));
    const canonical = await canonicalHashes(Math.min(...numbers), Math.max(...numbers));
    return partials.filter((r) => canonical.get(num(r.get('block_number')))?.hash === String(r.get('block_hash')));
  }

  return {
    latestBlocks: async (n) => (await views.latestBlocks(n)) as unknown as JsonRow[],
    blockByNumber: async (n) => (await views.blockByNumber(n)) as unknown as JsonRow | null,
    blockByHash: async (h) => (await views.blockByHash(h)) as unknown as JsonRow | null,
    txByHash: async (h) => (await views.txByHash(h)) as unknown as JsonRow | null,
    addressHistory: async (a, o) => (await views.addressHistory(a, o)) as unknown as { items: JsonRow[]; nextCursor: string | null },
    tokenTransfers: async (o) => (await views.tokenTransfers(o)) as unknown as { items: JsonRow[]; nextCursor: string | null },
    async blockPartials({ from, to }): Promise<SpeedBlockPartial[]> {
      return (await canonicalPartials(from, to)).map((r) => {
        const creations = num(r.get('contract_creations'));
        const natives = num(r.get('native_transfers'));
        const calls = num(r.get('contract_calls'));
        return {
          minute: Math.floor(num(r.get('minute')) / 1000),
          blockNumber: num(r.get('block_number')),
          blockHash: String(r.get('block_hash')),
          txs: num(r.get('tx_count')),
          byClass: { contract_creation: creations, native_transfer: natives, contract_call: calls },
          failed: num(r.get('failed_txs')),
          gasUsed: BigInt(str(r.get('gas_used'))),
          fees: BigInt(str(r.get('fees'))),
          nativeValue: BigInt(str(r.get('native_value'))),
          tokenTransfers: num(r.get('token_transfers')),
        };
      });
    },
    async blockSeries({ fromBlock, toBlock }): Promise<BlockSeriesRow[]> {
      const blocks = await canonicalHashes(fromBlock, toBlock);
      if (blocks.size === 0) return [];
      const times = [...blocks.values()].map((b) => Math.floor(num(b.row.get('block_time')) / 1000));
      const lo = Math.min(...times);
      const hi = Math.max(...times);
      const fees = new Map<string, bigint>();
      for (const r of await canonicalPartials(lo - (lo % 60), hi - (hi % 60) + 60)) fees.set(String(r.get('block_hash')), BigInt(str(r.get('fees'))));
      return [...blocks.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([number, { hash, row }]) => ({
          number,
          timestamp: Math.floor(num(row.get('block_time')) / 1000),
          txs: num(row.get('tx_count')),
          gasUsed: BigInt(str(row.get('gas_used'))),
          fees: fees.get(hash) ?? 0n,
          baseFeePerGas: row.get('base_fee') === null || row.get('base_fee') === undefined ? null : BigInt(str(row.get('base_fee'))),
        }));
    },
    async freshness() {
      const f = await views.freshness();
      return f.lastBlock ? { lastBlock: f.lastBlock.number, lastBlockTimestamp: f.lastBlock.timestamp, writtenAt: f.writtenAt } : null;
    },
    async chainHead() {
      const s = await ingest.load(chainId);
      return s.checkpoint?.number ?? null;
    },
  };
}

export type RunsStore = {
  listRuns: (limit: number) => Promise<JsonRow[]>;
  requestRecompute: (requestedBy: string) => Promise<JsonRow>;
};

function toVersion(v: Awaited<ReturnType<typeof readBatchVersion>>): BatchVersion {
  if (!v || v.horizon === null) return null;
  return { version: v.version, horizon: v.horizon, createdAt: Date.parse(v.createdAt) || null };
}

/** Batch reads: the CURRENT version's views and (for address history) the canonical raw lake. */
export function createBatchSource(opts: { paths: LakePaths; pool: DuckPool; runs: RunsStore }): BatchSource {
  const { paths, pool } = opts;
  const ctx = (conn: DuckDBConnection) => ({ paths, conn });

  /** Read rows and the horizon of the same version: retry when CURRENT switched in between. */
  async function consistent<T>(read: (conn: DuckDBConnection) => Promise<T>): Promise<{ version: BatchVersion; rows: T }> {
    for (let attempt = 0; ; attempt++) {
      const before = await readBatchVersion(paths);
      const rows = await pool.use(read);
      const after = await readCurrentVersion(paths);
      if ((before?.version ?? null) === after || attempt >= 3) return { version: toVersion(before), rows };
    }
  }

  return {
    version: async () => toVersion(await readBatchVersion(paths)),
    async stats(q) {
      const { version, rows } = await consistent((conn) => readStats(ctx(conn), q));
      if (version === null) return { version, rows: [] };
      return { version, rows: rows.map(
        (r): BatchStatsRow => ({
          bucket: r.bucketStart,
          blocks: r.blocks,
          txs: r.txs,
          byClass: { ...r.txsByClass },
          failed: r.failedTxs,
          gasUsed: BigInt(r.gasUsed),
          fees: BigInt(r.fees),
          nativeValue: BigInt(r.nativeValue),
          tokenTransfers: r.tokenTransfers,
        }),
      ) };
    },
    topSenders: (q) => pool.use(async (conn) => (await readTopSenders(ctx(conn), q.day, q.limit)) as unknown as JsonRow[]),
    topContracts: (q) => pool.use(async (conn) => (await readTopContracts(ctx(conn), q.day, q.limit)) as unknown as JsonRow[]),
    tokenVolume: (q) =>
      pool.use(async (conn) => (await readTokenVolume(ctx(conn), { from: q.day, to: q.day, limit: q.limit, ...(q.token ? { token: q.token } : {}) })) as unknown as JsonRow[]),
    async blockSeries({ fromBlock, toBlock }) {
      const { version, rows } = await consistent((conn) => readBlockSeries(ctx(conn), { from: fromBlock, to: toBlock }));
      if (version === null) return { version, rows: [] };
      return { version, rows: rows.map((r) => ({
        number: r.number,
        timestamp: r.timestamp,
        txs: r.txCount,
        gasUsed: BigInt(r.gasUsed),
        fees: BigInt(r.fees),
        baseFeePerGas: r.baseFeePerGas === null ? null : BigInt(r.baseFeePerGas),
      })) };
    },
    async addressHistory(address, o) {
      // One row per (tx, side) like views_txs_by_address; keyset order (block, index, side) DESC.
      const where: string[] = [];
      const params: Record<string, string | number> = { addr: address, limit: o.limit };
      if (o.beforeBlock !== null) {
        where.push('block_number < $before');
        params.before = o.beforeBlock;
      }
      if (o.after) {
        where.push('(block_number, transaction_index, side) < ($ab, $ai, $as)');
        params.ab = o.after.block;
        params.ai = o.after.index;
        params.as = o.after.side;
      }
      const sql = `WITH t AS (SELECT * FROM canonical_transactions WHERE from_address = $addr OR to_address = $addr OR contract_address = $addr),
        sides AS (
          SELECT *, 'from' AS side, coalesce(to_address, contract_address) AS counterparty FROM t WHERE from_address = $addr
          UNION ALL SELECT *, 'to' AS side, from_address AS counterparty FROM t WHERE to_address = $addr
          UNION ALL SELECT *, 'created' AS side, from_address AS counterparty FROM t WHERE contract_address = $addr)
        SELECT hash, block_number, block_hash, transaction_index, side, block_timestamp, counterparty, value, tx_class, method, status, CAST(fee AS VARCHAR) AS fee
        FROM sides ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY block_number DESC, transaction_index DESC, side DESC LIMIT $limit`;
      const rows = await pool.use((conn) => queryRows(conn, sql, params));
      return rows.map((r) => ({
        txHash: String(r.hash),
        blockNumber: Number(r.block_number),
        blockHash: String(r.block_hash),
        transactionIndex: Number(r.transaction_index),
        side: String(r.side),
        timestamp: Number(r.block_timestamp),
        counterparty: r.counterparty === null ? null : String(r.counterparty),
        value: String(r.value ?? '0'),
        txClass: String(r.tx_class),
        method: r.method === null ? null : String(r.method),
        status: Number(r.status),
        fee: String(r.fee ?? '0'),
      }));
    },
    listRuns: (limit) => opts.runs.listRuns(limit),
    requestRecompute: (by) => opts.runs.requestRecompute(by),
  };
}

/** Registers the lake views on an internal (unsandboxed) connection. */
export const lakeViewSetup = (paths: LakePaths) => async (conn: DuckDBConnection) => {
  await registerLakeViews(conn, paths);
};

/**
 * Ops status: today's rpc_usage rows summed per endpoint label, and committed offset vs high
 * watermark per partition for each consumer group on the block topic. Kafka failures become a
 * retryable error (503). The compactor resumes from lake file names, so its committed offsets
 * can trail what it has actually written: its lag is what Kafka says, an upper bound.
 */
export function createOpsSource(opts: {
  cassandra: CassandraClient;
  admin: () => Promise<Admin>;
  topic: string;
  groups: string[];
  now?: () => number;
}): OpsSource {
  const now = opts.now ?? (() => Date.now());
  return async () => {
    const day = new Date(now()).toISOString().slice(0, 10);
    const usage = await usageForDay(opts.cassandra, day);
    const rpc = usage.map((u) => ({
      endpoint: u.endpoint,
      day: u.day,
      requests: u.requests,
      errors: u.errors,
      rateLimited: u.rateLimited,
      lastUsed: u.lastUsed ? u.lastUsed.toISOString() : null,
      coolingUntil: u.coolingUntil ? u.coolingUntil.toISOString() : null,
      coolingDown: u.coolingUntil !== null && u.coolingUntil.getTime() > Date.now(),
    }));
    const consumers: { group: string; topic: string; partition: number; committedOffset: number; endOffset: number; lag: number }[] = [];
    try {
      const admin = await opts.admin();
      if ((await admin.listTopics()).includes(opts.topic)) {
        const ends = await admin.fetchTopicOffsets(opts.topic);
        const high = new Map(ends.map((p) => [p.partition, Number(p.high)]));
        for (const group of opts.groups) {
          const committed = await admin.fetchOffsets({ groupId: group, topics: [opts.topic] });
          const parts = committed.find((t) => t.topic === opts.topic)?.partitions ?? [];
          const byPartition = new Map(parts.map((p) => [p.partition, Number(p.offset)]));
          for (const [partition, end] of [...high.entries()].sort((a, b) => a[0] - b[0])) {
            const c = byPartition.get(partition) ?? -1;
            consumers.push({ group, topic: opts.topic, partition, committedOffset: c, endOffset: end, lag: c < 0 ? end : Math.max(0, end - c) });
          }
        }
      }
    } catch (e) {
      throw new RetryableError(`kafka offsets unavailable: ${errorMessage(e)}`, { cause: e });
    }
    return { rpc, consumers };
  };
}
