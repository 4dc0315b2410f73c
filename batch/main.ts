// Entry points of `chainlake compact | recompute | schedule` (ops/commands/batch.ts parses the
// flags): one function per command, owning its process lifetime.
import type { Kafka } from 'kafkajs';
import type { Common } from '../core/common.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { createCommon, serveProcessEndpoints } from '../core/runtime.js';
import { type CassandraClient, cassandraReadyCheck, createCassandra } from '../storage/cassandra.js';
import { createKafka } from '../storage/kafka.js';
import { createDuck, type Duck } from '../storage/lake/duck.js';
import { createCompactor } from './compact/compactor.js';
import { createCompactProgress } from './compact/progress.js';
import { createRecomputeProgress } from './recompute/progress.js';
import { recompute } from './recompute/recompute.js';
import { cassandraRunStore, optionalCassandra, recordedRun } from './runs.js';
import { createBatchScheduler } from './schedule.js';

/** The chain to compact: --chain-id, else the only `<prefix>.<id>.blocks.v1` topic in Kafka. */
export async function discoverChainId(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.blocks\\.v1$`);
    const ids = (await admin.listTopics()).map((t) => re.exec(t)?.[1]).filter((x): x is string => x !== undefined).map(Number);
    if (ids.length === 0) throw new NotFoundError(`no ${prefix}.<chainId>.blocks.v1 topic exists yet; start ingest or pass --chain-id`);
    if (ids.length > 1) throw new ValidationError(`several chains have block topics (${ids.join(', ')}); pass --chain-id`);
    return ids[0]!;
  } finally {
    await admin.disconnect();
  }
}

const duckFor = (common: Common): Promise<Duck> => createDuck({ memoryLimit: common.config.DUCKDB_MEMORY_LIMIT, threads: common.config.DUCKDB_THREADS });

/** `chainlake compact`: continuous by default, drain with once/mergeOnly; prints a JSON summary. */
export async function runCompact(opts: { chainId?: number; once: boolean; mergeOnly: boolean }): Promise<void> {
  const common = createCommon('compact');
  const kafka = createKafka(common.config, common.logger, 'compact');
  const chainId = opts.chainId ?? (await discoverChainId(kafka, common.config.KAFKA_TOPIC_PREFIX));
  const duck = await duckFor(common);
  const drain = opts.once || opts.mergeOnly;
  const progress = opts.once && !opts.mergeOnly ? createCompactProgress({ stream: process.stderr, logger: common.logger }) : null;
  const compactor = createCompactor(common, { kafka, duck }, {
    chainId,
    mode: drain ? 'drain' : 'continuous',
    mergeOnly: opts.mergeOnly,
    ...(progress ? { onProgress: progress.update } : {}),
  });
  common.shutdown.add('duckdb', () => duck.close());
  if (!drain) {
    await serveProcessEndpoints(common, common.config.COMPACT_METRICS_PORT, {});
    common.shutdown.add('compactor', () => compactor.stop());
  }
  const summary = await compactor.run().finally(() => progress?.stop());
  process.stdout.write(`${JSON.stringify({ chainId, ...summary })}\n`);
  await common.shutdown.run('done');
}

/**
 * `chainlake recompute`: one recorded run (history in Cassandra unless history is false or
 * Cassandra is unreachable), progress on stderr, the result as JSON on stdout.
 */
export async function runRecompute(opts: { chainId?: number; full: boolean; history: boolean }): Promise<void> {
  const common = createCommon('recompute');
  const duck = await duckFor(common);
  const cassandra = opts.history ? await optionalCassandra(common, 10_000) : null;
  try {
    const result = await recordedRun(common, cassandraRunStore(cassandra), 'recompute', 'manual', async () => {
      const progress = createRecomputeProgress({ stream: process.stderr, logger: common.logger });
      const r = await recompute(common, { duck }, { ...(opts.chainId ? { chainId: opts.chainId } : {}), full: opts.full, onStep: progress.onStep, onStepStart: progress.onStepStart }).finally(progress.stop);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return { rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, version: r.version };
    });
    if (result.status !== 'succeeded') throw new ValidationError(`recompute ${result.status}: ${result.error ?? ''}`.trim());
  } finally {
    await cassandra?.shutdown();
    duck.close();
  }
}

/**
 * `chainlake schedule`: the batch scheduler (recompute on BATCH_CRON, compaction on COMPACT_CRON,
 * run requests from the API) until stopped. `alongside` starts other scheduled work in the same
 * process (the CLI passes the shop's scheduler) and resolves to its stop function.
 */
export async function runSchedule(opts: { chainId?: number; alongside?: (common: Common, cassandra: CassandraClient) => Promise<() => Promise<void>> }): Promise<void> {
  const common = createCommon('schedule');
  const { config } = common;
  // A DuckDB instance per run: an instance keeps ~40 KB of native memory per distinct Parquet
  // file it touched until it is closed, and a long-lived one grew steadily with the lake.
  const withDuck = async <T>(fn: (duck: Duck) => Promise<T>): Promise<T> => {
    const duck = await duckFor(common);
    try {
      return await fn(duck);
    } finally {
      duck.close();
    }
  };
  const cassandra = await createCassandra(config, common.logger);
  common.shutdown.add('cassandra', () => cassandra.shutdown());
  const kafka = createKafka(config, common.logger, 'schedule');
  const scheduler = createBatchScheduler(
    common,
    {
      store: cassandraRunStore(cassandra),
      jobs: {
        recompute: async () => {
          // Without --chain-id, recompute finds the lake's only chain itself (and says so when there is none or several).
          const r = await withDuck((duck) => recompute(common, { duck }, opts.chainId === undefined ? {} : { chainId: opts.chainId }));
          return { rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, version: r.version };
        },
        compact: () =>
          withDuck(async (duck) => {
            const id = opts.chainId ?? (await discoverChainId(kafka, config.KAFKA_TOPIC_PREFIX));
            const s = await createCompactor(common, { kafka, duck }, { chainId: id, mode: 'drain' }).run();
            return { rowsIn: s.records, rowsOut: s.txs, horizon: null, version: null };
          }),
      },
    },
    { batchCron: config.BATCH_CRON, compactCron: config.COMPACT_CRON === 'off' ? null : config.COMPACT_CRON, requestPollMs: config.BATCH_REQUEST_POLL_MS },
  );
  scheduler.start();
  common.shutdown.add('scheduler', () => scheduler.stop());
  if (opts.alongside) common.shutdown.add('alongside', await opts.alongside(common, cassandra));
  await serveProcessEndpoints(common, config.BATCH_METRICS_PORT, {
    cassandra: cassandraReadyCheck(cassandra),
  });
  await new Promise<void>((r) => common.shutdown.signal.addEventListener('abort', () => r(), { once: true }));
}
