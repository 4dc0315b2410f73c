// The ingest process: RPC pool → decode → Kafka (blocks + DLQ topics), with the checkpoint
// and reorg window in Cassandra, and the node's finalized block polled (finality.ts). `createIngest` wires real drivers around the pure core
// (pipeline.ts); `mode: backfill` publishes a fixed range with in-memory state so the
// follower's checkpoint never moves.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kafka, Producer } from 'kafkajs';
import { type ChainFamily, resolveChainFamily } from '../../core/chains/index.js';
import type { Common } from '../../core/common.js';
import { nodeFinalityWanted } from '../../core/config.js';
import { errorMessage, FatalError } from '../../core/errors.js';
import type { ReadyCheck } from '../../core/runtime.js';
import { cassandraReadyCheck, createCassandra, type CassandraClient } from '../../storage/cassandra.js';
import { createIngestStateStore } from '../../storage/ingest-state.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { createIdempotentProducer, createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createRpcUsageStore } from '../../storage/rpc-usage.js';
import { createRpcPool, parseRpcEndpoints, type RpcPool } from '../rpc/index.js';
import { createFinalityPoller } from './finality.js';
import { createHeadWaiter } from './heads.js';
import { createKafkaSink } from './kafka-sink.js';
import { createIngestMetrics } from './metrics.js';
import { combineObservers } from './observers.js';
import { createIngestCore } from './pipeline.js';
import { createRpcBlockSource, type RpcBlockSource } from './source.js';
import { memoryStateStore } from './memory-state.js';
import type { BlockRef, IngestObserver, IngestStateStore } from './types.js';

export type IngestMode = { kind: 'follow' } | { kind: 'backfill'; from: number; to: number };

export type IngestDeps = {
  mode?: IngestMode;
  /** Injected in tests; built from ETH_RPC_URLS / RPC_LIMITS otherwise. */
  pool?: RpcPool;
  cassandra?: CassandraClient;
  kafka?: Kafka;
  observer?: IngestObserver;
  /** Per-process id for RPC usage rows. */
  processId?: string;
  /** Injected in tests; otherwise CHAIN_FAMILY, or chosen by the chain id when it is auto. */
  family?: ChainFamily;
};

export type Ingest = {
  chainId: number;
  topics: { blocks: string; dlq: string };
  /** Runs until shutdown (follow) or until the range is published (backfill). */
  run: () => Promise<void>;
  tip: () => BlockRef | null;
  source: RpcBlockSource;
  readyChecks: Record<string, ReadyCheck>;
  /** Closes what createIngest opened (also registered on common.shutdown). */
  close: () => Promise<void>;
};

export async function createIngest(common: Common, deps: IngestDeps = {}): Promise<Ingest> {
  const { config: cfg, logger } = common;
  const log = logger.child({ component: 'ingest' });
  const mode = deps.mode ?? { kind: 'follow' };
  const closers: { name: string; close: () => Promise<void> | void }[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c.close();
      } catch (err) {
        log.warn({ msg: 'Close step failed', step: c.name, err });
      }
    }
  };
  try {
    // Ingest migrates only its own tables (versions 1-99): it never waits on another layer's schema.
    const cassandra = deps.cassandra ?? (await createCassandra(cfg, logger, { migrations: ingestMigrations }));
    if (!deps.cassandra) closers.push({ name: 'cassandra', close: () => cassandra.shutdown() });
    let pool = deps.pool;
    if (!pool) {
      // The follower keeps one usage row per host across restarts; each backfill run gets its own row.
      const processId = deps.processId ?? (mode.kind === 'follow' ? `ingest@${hostname()}` : `backfill@${hostname()}-${randomBytes(4).toString('hex')}`);
      const usageStore = createRpcUsageStore(cassandra, processId);
      closers.push({ name: 'rpc-usage', close: () => usageStore.close() });
      pool = createRpcPool({
        endpoints: parseRpcEndpoints(cfg),
        logger,
        metrics: common.metrics,
        usageStore,
        signal: common.shutdown.signal,
        timeoutMs: cfg.RPC_TIMEOUT_MS,
        secrets: [cfg.ETH_WS_URL],
      });
      const built = pool;
      closers.push({ name: 'rpc-pool', close: () => built.close() });
    }
    const chainId = await pool.chainId();
    const family = deps.family ?? resolveChainFamily(chainId, cfg.CHAIN_FAMILY);

    const kafka = deps.kafka ?? createKafka(cfg, logger, 'ingest');
    const admin = kafka.admin();
    await admin.connect();
    const topics = await ensureChainTopics(admin, cfg, chainId).finally(() => admin.disconnect());
    const producer: Producer = createIdempotentProducer(kafka);
    await producer.connect();
    closers.push({ name: 'kafka-producer', close: () => producer.disconnect() });

    const state: IngestStateStore = mode.kind === 'follow' ? createIngestStateStore(cassandra) : memoryStateStore();
    const source = createRpcBlockSource({ pool, chainId, family, logger: log, onInvalid: cfg.INGEST_ON_INVALID });
    const heads = mode.kind === 'follow' ? createHeadWaiter({ wsUrl: cfg.ETH_WS_URL, logger: log, scrub: pool.scrub }) : null;
    if (heads) closers.push({ name: 'heads', close: () => heads.close() });
    const finality = nodeFinalityWanted(cfg, chainId)
      ? createFinalityPoller({ pool, intervalMs: cfg.FINALITY_POLL_MS, logger: log, metrics: common.metrics })
      : null;

    const core = createIngestCore(
      {
        chainId,
        startBlock: mode.kind === 'backfill' ? mode.from : cfg.START_BLOCK,
        ...(mode.kind === 'backfill' ? { stopAt: mode.to } : {}),
        concurrency: cfg.INGEST_CONCURRENCY,
        reorgWindow: cfg.REORG_WINDOW,
        pollIntervalMs: cfg.POLL_INTERVAL_MS,
      },
      {
        source,
        sink: createKafkaSink({ producer, topics }),
        state,
        logger: log,
        observer: combineObservers(createIngestMetrics(common.metrics), deps.observer),
        ...(heads ? { waitForHead: heads.wait } : {}),
        ...(finality ? { finality } : {}),
      },
    );

    let running: Promise<void> | null = null;
    let loopError: unknown = null;
    // Registered after the drivers, so it runs first at shutdown: finish the in-flight batch, then close.
    common.shutdown.add('ingest', async () => {
      await running?.catch(() => {});
      await close();
    });
    log.info({ msg: 'Ingest ready', chainId, family: family.name, mode: mode.kind, topics, finality: finality ? 'node' : 'depth' });
    return {
      chainId,
      topics,
      source,
      tip: core.tip,
      run: () => {
        running ??= core.run(common.shutdown.signal).catch((e: unknown) => {
          loopError = e;
          throw e;
        });
        return running;
      },
      readyChecks: {
        loop: () => {
          if (loopError !== null) throw new FatalError(`ingest loop stopped: ${errorMessage(loopError)}`);
        },
        rpc: async () => {
          await pool.blockNumber();
        },
        cassandra: cassandraReadyCheck(cassandra),
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
