// The recorded real blocks with receipts (test/realdata/corpus.ts: mainnet 18,000,000, 17,000,000
// and the pre-Byzantium 483,920, 1,755,634–1,755,635; Arbitrum Sepolia 185,232,421) through the
// speed and the batch layer, one chain at a time, checked against the independent reference
// (test/realdata/reference.ts, plain BigInt over the raw JSON, not our decoder).
//
// Path: the production ingest itself. The recorded blocks are not a connected chain, so each is
// published by a one-block `backfill` run (createIngest mode backfill from = to = N: the same
// RPC pool → source → decode → Kafka sink as `chainlake backfill --from N --to N`) against the
// replay server, in ascending order, onto one block topic. Then
// (a) the views consumer (runViews) writes the topic to Cassandra, and the per-block partials,
//     per-minute stats and block series read through storage/views/queries.ts equal the reference;
// (b) compact (drain) + full recompute on the same topic: stats_minute and block_series read
//     through storage/lake/readers.ts equal the reference.
// The batch horizon is min over partitions of the newest block − FINALITY_DEPTH; with scattered
// blocks on several partitions most would stay above it, so the topic has 1 partition and
// FINALITY_DEPTH=0 (FINALITY_SOURCE=depth: the replay's "finalized" is only its newest block).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCompactor } from '../../batch/compact/compactor.js';
import { recompute } from '../../batch/recompute/recompute.js';
import type { Common } from '../../core/common.js';
import type { Config } from '../../core/config.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createCommon } from '../../core/runtime.js';
import { createShutdown } from '../../core/shutdown.js';
import { waitFor } from '../../core/wait.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { runViews } from '../../speed/views/main.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createKafka } from '../../storage/kafka.js';
import { createDuck } from '../../storage/lake/duck.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { readBlockSeries, readStats } from '../../storage/lake/readers.js';
import { createViewsQueries, type ViewsQueries } from '../../storage/views/queries.js';
import { testConfig, testLogger } from '../helpers.js';
import { readTopic } from '../ingest/support.js';
import { caughtUp } from '../views/harness.js';
import { completeSets } from './corpus.js';
import { type BlockFigures, referenceFigures } from './reference.js';
import { type ReplayServer, startReplay } from './replay.js';

/** What chainlake stores as a tx's fee: execution fee plus blob fee plus L1 data fee. */
const feeOf = (r: BlockFigures) => r.executionFees + r.blobFees + r.l1Fees;
const logger = testLogger();

/** Per chain, the recorded blocks the corpus must still hold (mainnet's include pre-Byzantium ones, whose status is unknown). */
const CHAINS = [
  { chainId: 1, numbers: [483_920, 1_755_634, 1_755_635, 17_000_000, 18_000_000], preByzantium: [483_920, 1_755_634, 1_755_635] },
  { chainId: 421_614, numbers: [185_232_421], preByzantium: [] },
];

describe.each(CHAINS)('chain $chainId', ({ chainId: CHAIN, numbers: expectedNumbers, preByzantium }) => {
  const sets = completeSets()
    .filter((s) => s.chainId === CHAIN)
    .sort((a, b) => a.number - b.number);
  const numbers = sets.map((s) => s.number);
  const timestampOf = new Map(sets.map((s) => [s.number, Number(BigInt(s.rawBlock.timestamp))]));
  const reference = new Map<number, BlockFigures>(sets.map((s) => [s.number, referenceFigures(s)]));

  /** The reference summed per minute (two of the recorded blocks may share one). */
  function referenceMinutes() {
    const out = new Map<number, { blocks: number; txs: number; failed: number; succeeded: number; unknown: number; gasUsed: bigint; fees: bigint; nativeValue: bigint; tokenTransfers: number }>();
    for (const n of numbers) {
      const r = reference.get(n) as BlockFigures;
      const minute = (timestampOf.get(n) as number) - ((timestampOf.get(n) as number) % 60);
      const m = out.get(minute) ?? { blocks: 0, txs: 0, failed: 0, succeeded: 0, unknown: 0, gasUsed: 0n, fees: 0n, nativeValue: 0n, tokenTransfers: 0 };
      m.blocks++;
      m.txs += r.txCount;
      m.failed += r.failed;
      m.succeeded += r.succeeded;
      m.unknown += r.unknown;
      m.gasUsed += r.gasUsed;
      m.fees += feeOf(r);
      m.nativeValue += r.nativeValueMoved;
      m.tokenTransfers += r.erc20Transfers;
      out.set(minute, m);
    }
    return out;
  }

  /** One config (one topic prefix and keyspace) for every layer; set once the replay server listens. */
  let cfg: Config;
  let replay: ReplayServer;
  let cassandra: CassandraClient;
  let topic = '';

  beforeAll(async () => {
    // The corpus still holds what the test claims: modern blocks and pre-Byzantium ones with unknown status.
    expect(numbers).toEqual(expectedNumbers);
    replay = await startReplay({ sets, chainId: CHAIN });
    cfg = testConfig({ ETH_RPC_URLS: replay.url, KAFKA_PARTITIONS: '1', FINALITY_DEPTH: '0', FINALITY_SOURCE: 'depth', RPC_DEFAULT_RPS: '2000', COMPACT_ROLL_MS: '200', VIEWS_CONCURRENCY: '16' });
    cassandra = await createCassandra(cfg, logger);
    const kafka = createKafka(cfg, logger, 'realdata-layers');
    for (const n of numbers) {
      const common = createCommon('realdata-backfill', { config: cfg, installSignalHandlers: false });
      const ingest = await createIngest(common, { mode: { kind: 'backfill', from: n, to: n }, cassandra, kafka });
      topic = ingest.topics.blocks;
      await ingest.run();
      await common.shutdown.run('block published');
    }
    const entries = await readTopic(kafka, topic, (es) => numbers.every((n) => es.some((e) => e.record.block.number === n)));
    expect(new Set(entries.map((e) => e.partition))).toEqual(new Set([0]));
    expect(entries.map((e) => e.record.block.number)).toEqual(numbers);
  }, 120_000);

  afterAll(async () => {
    await cassandra?.shutdown();
    await replay?.close();
  });

  describe('speed layer: views consumer → Cassandra → queries', () => {
    let common: Common;
    let admin: Admin;
    let queries: ViewsQueries;
    beforeAll(async () => {
      common = createCommon('realdata-views', { config: cfg, installSignalHandlers: false });
      const started = await runViews(common, { chainId: CHAIN, metricsPort: 0, sessionTimeoutMs: 6_000 });
      admin = createKafka(cfg, logger, 'realdata-views-admin').admin();
      await admin.connect();
      await waitFor('views consumer to catch up', () => caughtUp(admin, started.consumer.groupId, topic), 60_000, { everyMs: 200 });
      queries = createViewsQueries(cassandra, { chainId: CHAIN, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
    }, 90_000);
    afterAll(async () => {
      await common?.shutdown.run('test done');
      await admin?.disconnect();
    });

    test('per block: tx count, gas used, fees, failed / unknown, token transfers, native value equal the reference', async () => {
      for (const n of numbers) {
        const r = reference.get(n) as BlockFigures;
        const t = timestampOf.get(n) as number;
        const block = await queries.blockByNumber(n);
        expect({ hash: block?.hash, txCount: block?.txCount, gasUsed: block?.gasUsed }, `block ${n}`).toEqual({ hash: r.hash, txCount: r.txCount, gasUsed: r.gasUsed.toString() });
        const partials = (await queries.canonicalPartials({ from: t - (t % 60), to: t - (t % 60) + 60 })).filter((p) => p.blockNumber === n);
        expect(partials, `block ${n}`).toHaveLength(1);
        const p = partials[0];
        expect(
          { txCount: p?.txCount, failed: p?.failed, unknown: p?.unknown, gasUsed: p?.gasUsed, fees: p?.fees, nativeValue: p?.nativeValue, tokenTransfers: p?.tokenTransfers },
          `block ${n}`,
        ).toEqual({ txCount: r.txCount, failed: r.failed, unknown: r.unknown, gasUsed: r.gasUsed, fees: feeOf(r), nativeValue: r.nativeValueMoved, tokenTransfers: r.erc20Transfers });
        const [series] = await queries.blockSeries({ fromBlock: n, toBlock: n });
        expect({ txs: series?.txs, gasUsed: series?.gasUsed, fees: series?.fees }, `block ${n}`).toEqual({ txs: r.txCount, gasUsed: r.gasUsed, fees: feeOf(r) });
      }
      // Pre-Byzantium receipts have no status: unknown, never failed; modern blocks have none unknown.
      for (const n of preByzantium) expect({ n, unknown: reference.get(n)?.unknown, failed: reference.get(n)?.failed }).toEqual({ n, unknown: reference.get(n)?.txCount, failed: 0 });
      if (preByzantium.length > 0) expect(preByzantium.reduce((a, n) => a + (reference.get(n)?.unknown ?? 0), 0)).toBeGreaterThan(0);
    });

    test('per minute: minute stats equal the reference summed per minute', async () => {
      for (const [minute, m] of referenceMinutes()) {
        const got = await queries.minuteStats({ from: minute, to: minute + 60 });
        expect(
          got.map((g) => ({ blocks: g.blocks, txs: g.txCount, failed: g.failed, unknown: g.unknown, gasUsed: g.gasUsed, fees: g.fees, nativeValue: g.nativeValue, tokenTransfers: g.tokenTransfers })),
          `minute ${minute}`,
        ).toEqual([{ blocks: m.blocks, txs: m.txs, failed: m.failed, unknown: m.unknown, gasUsed: m.gasUsed.toString(), fees: m.fees.toString(), nativeValue: m.nativeValue.toString(), tokenTransfers: m.tokenTransfers }]);
      }
    });
  });

  describe('batch layer: compact + recompute on Kafka and DuckDB', () => {
    let lakeDir = '';
    beforeAll(async () => {
      lakeDir = await mkdtemp(join(tmpdir(), 'chainlake-realdata-lake-'));
    });
    afterAll(async () => {
      if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
    });

    test('stats_minute and block_series equal the reference; every block is below the horizon', async () => {
      const config = { ...cfg, LAKE_DIR: lakeDir };
      const common: Common = { config, logger, metrics: createMetricsRegistry({ process: 'test' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
      const kafka = createKafka(config, logger, 'realdata-batch');
      const duck = await createDuck({ threads: 2, memoryLimit: '1GB' });
      try {
        const drained = await createCompactor(common, { kafka, duck }, { chainId: CHAIN, mode: 'drain' }).run();
        expect(drained.records).toBe(numbers.length);
        const result = await recompute(common, { duck }, { chainId: CHAIN, full: true });
        expect(result.horizon).toBe(Math.max(...numbers));
        const conn = await duck.connect();
        try {
          const ctx = { paths: lakePaths(lakeDir), conn };
          const series = await readBlockSeries(ctx, { from: 0, to: 1e9 });
          expect(series.map((s) => ({ number: s.number, hash: s.hash, txCount: s.txCount, gasUsed: s.gasUsed, fees: s.fees }))).toEqual(
            numbers.map((n) => {
              const r = reference.get(n) as BlockFigures;
              return { number: n, hash: r.hash, txCount: r.txCount, gasUsed: r.gasUsed.toString(), fees: feeOf(r).toString() };
            }),
          );
          for (const [minute, m] of referenceMinutes()) {
            const got = await readStats(ctx, { granularity: 'minute', from: minute, to: minute + 60 });
            expect(
              got.map((g) => ({ blocks: g.blocks, txs: g.txs, failed: g.failed, succeeded: g.succeeded, unknown: g.unknown, gasUsed: g.gasUsed, fees: g.fees, nativeValue: g.nativeValue, tokenTransfers: g.tokenTransfers })),
              `minute ${minute}`,
            ).toEqual([{ blocks: m.blocks, txs: m.txs, failed: m.failed, succeeded: m.succeeded, unknown: m.unknown, gasUsed: m.gasUsed.toString(), fees: m.fees.toString(), nativeValue: m.nativeValue.toString(), tokenTransfers: m.tokenTransfers }]);
          }
        } finally {
          conn.closeSync();
        }
      } finally {
        duck.close();
      }
    }, 120_000);
  });
});
