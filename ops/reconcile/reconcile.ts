// `chainlake reconcile`: for a block range below the batch horizon, compare the chain
// itself (re-fetched over RPC and decoded with the ingest code), the speed views
// (Cassandra) and the batch layer (CURRENT version of the lake). Zero drift expected.
import type { BlockRecord } from '../../core/chain.js';
import type { Common } from '../../core/common.js';
import { ValidationError } from '../../core/errors.js';
import { gauge } from '../../core/metrics.js';
import { resolveChainFamily } from '../../core/chains/index.js';
import { decodeBlock, prepareBlock } from '../../speed/decode/index.js';
import { createRpcPoolFromConfig, ReceiptsMissingError, RpcInvalidAnswerError } from '../../speed/rpc/index.js';
import { createCassandra } from '../../storage/cassandra.js';
import { type LakeReadContext, readBlockSeries, readStats } from '../../storage/lake/readers.js';
import { readBatchVersion } from '../../storage/lake/versions.js';
import { createDuck } from '../../storage/lake/duck.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { createViewsQueries } from '../../storage/views/queries.js';
import { type BlockSummary, type Drift, type MinuteSummary, type Source, reconcile, summarizeBlock, summarizeMinutes, wholeMinutes } from './compare.js';

export type ReconcileResult = {
  chainId: number;
  from: number;
  to: number;
  horizon: number | null;
  blocksChecked: number;
  txsChecked: number;
  minutesChecked: number;
  drifts: Drift[];
};

const MAX_RANGE = 10_000;

export async function runReconcile(common: Common, opts: { from?: number; to?: number; chainId?: number; sources?: Source[] } = {}): Promise<ReconcileResult> {
  const cfg = common.config;
  const sources = opts.sources ?? ['chain', 'speed', 'batch'];
  const paths = lakePaths(cfg.LAKE_DIR);
  const version = await readBatchVersion(paths);
  const horizon = version?.horizon ?? null;
  const pool = createRpcPoolFromConfig(common);
  const duck = await createDuck({ memoryLimit: cfg.DUCKDB_MEMORY_LIMIT, threads: cfg.DUCKDB_THREADS });
  const cassandra = await createCassandra(cfg, common.logger, { migrate: false });
  try {
    const chainId = opts.chainId ?? (await pool.chainId());
    // Default range: the last 500 blocks at or below the horizon.
    const to = opts.to ?? horizon;
    if (to === null || to === undefined) throw new ValidationError('no batch horizon yet (run `chainlake recompute` first) and no --to given');
    const from = opts.from ?? Math.max(0, to - 499);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) throw new ValidationError(`invalid range ${from}..${to}: need 0 ≤ from ≤ to`);
    if (to - from + 1 > MAX_RANGE) throw new ValidationError(`range ${from}..${to} holds more than ${MAX_RANGE} blocks; reconcile it in pieces`);
    if (sources.includes('batch') && horizon !== null && to > horizon)
      throw new ValidationError(`--to ${to} is past the batch horizon ${horizon}: the batch layer does not cover it yet`);

    const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const records: BlockRecord[] = [];
    // Decoded as ingest decodes them, so family fees (L1 data fee, blob fee) are in the chain's figures too.
    const family = resolveChainFamily(chainId, cfg.CHAIN_FAMILY);
    // A block the providers answer terminally wrong (ingest DLQ'd it with INGEST_ON_INVALID=dlq) is a gap: reported, not fatal.
    const unreadable: Drift[] = [];
    for (let i = 0; i < numbers.length; i += 16) {
      const slice = numbers.slice(i, i + 16);
      const bundles = await Promise.all(
        slice.map((n) =>
          pool.getBlockBundle(n, { family }).catch((e: unknown) => {
            if (!(e instanceof RpcInvalidAnswerError || e instanceof ReceiptsMissingError)) throw e;
            unreadable.push({ scope: 'block', key: n, field: 'unreadable', values: { chain: e.message } });
            return null;
          }),
        ),
      );
      for (const b of bundles) if (b) records.push(decodeBlock(chainId, b.block, b.receipts, Date.now(), family, await prepareBlock(b.block, family)));
    }
    // Timestamps of the blocks just outside the range tell which edge minutes are partial.
    const edgeTimestamp = async (n: number): Promise<number | null> => {
      if (n < 0) return null;
      try {
        return Number(BigInt((await pool.getBlockBundle(n)).block.timestamp));
      } catch {
        return null; // past the head: no source can hold a later block of that minute yet
      }
    };
    const minutes = wholeMinutes(records, await edgeTimestamp(from - 1), await edgeTimestamp(to + 1));
    const minuteRange = minutes.length > 0 ? { from: minutes[0]!, to: minutes.at(-1)! + 60 } : null;

    const blockSummaries: Partial<Record<Source, BlockSummary[]>> = {};
    const minuteSummaries: Partial<Record<Source, MinuteSummary[]>> = {};
    if (sources.includes('chain')) {
      blockSummaries.chain = records.map(summarizeBlock);
      minuteSummaries.chain = summarizeMinutes(records).filter((m) => minutes.includes(m.minute));
    }
    if (sources.includes('speed')) {
      const views = createViewsQueries(cassandra, { chainId, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
      const blocks = await Promise.all(numbers.map((n) => views.blockByNumber(n)));
      blockSummaries.speed = blocks.filter((b) => b !== null).map((b) => ({ number: b.number, hash: b.hash, txCount: b.txCount, gasUsed: BigInt(b.gasUsed) }));
      minuteSummaries.speed = minuteRange
        ? (await views.minuteStats(minuteRange))
            .filter((m) => minutes.includes(m.minute))
            .map((m) => ({ minute: m.minute, txCount: m.txCount, failed: m.failed, gasUsed: BigInt(m.gasUsed), fees: BigInt(m.fees), nativeValue: BigInt(m.nativeValue), tokenTransfers: m.tokenTransfers }))
        : [];
    }
    if (sources.includes('batch')) {
      const ctx: LakeReadContext = { paths, conn: await duck.connect() };
      blockSummaries.batch = (await readBlockSeries(ctx, { from, to, limit: MAX_RANGE })).map((b) => ({ number: b.number, hash: b.hash, txCount: b.txCount, gasUsed: BigInt(b.gasUsed) }));
      minuteSummaries.batch = minuteRange
        ? (await readStats(ctx, { granularity: 'minute', ...minuteRange }))
            .filter((m) => minutes.includes(m.bucketStart))
            .map((m) => ({ minute: m.bucketStart, txCount: m.txs, failed: m.failed, gasUsed: BigInt(m.gasUsed), fees: BigInt(m.fees), nativeValue: BigInt(m.nativeValue), tokenTransfers: m.tokenTransfers }))
        : [];
    }
    const drifts = [...unreadable, ...reconcile({ blocks: numbers, minutes, blockSummaries, minuteSummaries })];
    return {
      chainId,
      from,
      to,
      horizon,
      blocksChecked: numbers.length,
      txsChecked: records.reduce((a, r) => a + r.transactions.length, 0),
      minutesChecked: minutes.length,
      drifts,
    };
  } finally {
    pool.close();
    duck.close();
    await cassandra.shutdown();
  }
}

export function reconcileMetrics(common: Common) {
  return {
    drift: gauge(common.metrics, { name: 'chainlake_reconcile_drift', help: 'Differences found by the last reconcile run (0 expected)' }),
    lastRun: gauge(common.metrics, { name: 'chainlake_reconcile_last_run_timestamp_seconds', help: 'When reconcile last finished' }),
    blocks: gauge(common.metrics, { name: 'chainlake_reconcile_blocks_checked', help: 'Blocks compared by the last reconcile run' }),
  };
}
