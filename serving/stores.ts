// Binds the serving interfaces (sources.ts) to the real stores: speed views in Cassandra
// (storage/views/queries.ts) and the lake (storage/lake-views.ts and storage/lake/readers-serving.ts
// through an internal DuckDB instance, not the SQL sandbox). No CQL or SQL here: only shapes.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Admin } from 'kafkajs';
import { RetryableError, errorMessage } from '../core/errors.js';
import type { BatchRun } from '../storage/batch-runs.js';
import type { CassandraClient } from '../storage/cassandra.js';
import { createIngestStateStore } from '../storage/ingest-state.js';
import { type LakePaths } from '../storage/lake/paths.js';
import { readCurrentVersion } from '../storage/lake/versions.js';
import { registerLakeViews } from '../storage/lake/canonical.js';
import { readStats, readTokenVolume, readTopContracts, readTopSenders } from '../storage/lake/readers.js';
import { readBatchVersion } from '../storage/lake/versions.js';
import { readAddressHistory, readBlockSeriesRows } from '../storage/lake/readers-serving.js';
import { usageForDay } from '../storage/rpc-usage.js';
import { createViewsQueries } from '../storage/views/queries.js';
import type { OpsSource } from './routes/admin.js';
import type { DuckPool } from './duck-pool.js';
import type { BatchStatsRow } from './merge.js';
import type { BatchSource, BatchVersion, SpeedSource } from './sources.js';

export function createSpeedSource(client: CassandraClient, opts: { chainId: number; ttlSeconds: number }): SpeedSource {
  const views = createViewsQueries(client, { chainId: opts.chainId, ttlSeconds: opts.ttlSeconds });
  const ingest = createIngestStateStore(client);
  const chainId = opts.chainId;

  return {
    latestBlocks: (n) => views.latestBlocks(n),
    blockByNumber: (n) => views.blockByNumber(n),
    blockByHash: (h) => views.blockByHash(h),
    txByHash: (h) => views.txByHash(h),
    addressHistory: (a, o) => views.addressHistory(a, o),
    tokenTransfers: (o) => views.tokenTransfers(o),
    async blockPartials(range) {
      return (await views.canonicalPartials(range)).map((p) => ({
        minute: p.minute,
        blockNumber: p.blockNumber,
        blockHash: p.blockHash,
        txs: p.txCount,
        byClass: { contract_creation: p.contractCreations, native_transfer: p.nativeTransfers, contract_call: p.contractCalls },
        failed: p.failed,
        unknown: p.unknown,
        gasUsed: p.gasUsed,
        fees: p.fees,
        nativeValue: p.nativeValue,
        tokenTransfers: p.tokenTransfers,
      }));
    },
    blockSeries: (range) => views.blockSeries(range),
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
  listRuns: (limit: number) => Promise<BatchRun[]>;
  requestRecompute: (requestedBy: string) => Promise<{ id: string; requestedBy: string }>;
};

function toVersion(v: Awaited<ReturnType<typeof readBatchVersion>>): BatchVersion {
  // A version without a horizon (a lake younger than FINALITY_DEPTH; older code wrote it as a negative block) covers no block.
  if (!v || v.horizon === null || v.horizon < 0) return null;
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
          failed: r.failed,
          unknown: r.unknown,
          gasUsed: BigInt(r.gasUsed),
          fees: BigInt(r.fees),
          nativeValue: BigInt(r.nativeValue),
          tokenTransfers: r.tokenTransfers,
        }),
      ) };
    },
    topSenders: (q) => pool.use((conn) => readTopSenders(ctx(conn), q.day, q.limit)),
    topContracts: (q) => pool.use((conn) => readTopContracts(ctx(conn), q.day, q.limit)),
    tokenVolume: (q) => pool.use((conn) => readTokenVolume(ctx(conn), { from: q.day, to: q.day, limit: q.limit, ...(q.token ? { token: q.token } : {}) })),
    async blockSeries(range) {
      const { version, rows } = await consistent((conn) => readBlockSeriesRows(ctx(conn), range));
      return { version, rows: version === null ? [] : rows };
    },
    addressHistory: (address, o) => pool.use((conn) => readAddressHistory(conn, address, o)),
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
