// The views process: connect Cassandra (apply migrations) and Kafka, run the consumer, serve
// /metrics /health /ready, close everything through common.shutdown. runViewsCommand is the
// entry point of `chainlake views` (runs until SIGINT/SIGTERM).
import type { Common } from '../../core/common.js';
import { resolveChainId } from '../../core/rpc-probe.js';
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { RetryableError } from '../../core/errors.js';
import { cassandraReadyCheck, createCassandra } from '../../storage/cassandra.js';
import { createKafka } from '../../storage/kafka.js';
import { createViewsConsumer, type ViewsConsumer } from './consumer.js';

export type RunViewsOptions = {
  chainId: number;
  groupId?: string;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** Default VIEWS_METRICS_PORT. */
  metricsPort?: number;
};

export async function runViews(common: Common, opts: RunViewsOptions): Promise<{ consumer: ViewsConsumer; port: number }> {
  const { config, logger } = common;
  const cassandra = await createCassandra(config, logger);
  common.shutdown.add('cassandra', () => cassandra.shutdown());
  const kafka = createKafka(config, logger, `views-${opts.chainId}`);
  const consumer = createViewsConsumer(common, {
    cassandra,
    kafka,
    chainId: opts.chainId,
    ...(opts.groupId ? { groupId: opts.groupId } : {}),
    ...(opts.sessionTimeoutMs ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
    ...(opts.maxBytesPerPartition ? { maxBytesPerPartition: opts.maxBytesPerPartition } : {}),
  });
  // Registered before start so a shutdown during start still leaves the group cleanly.
  common.shutdown.add('views-consumer', () => consumer.stop());
  await consumer.start();
  const { port } = await serveProcessEndpoints(common, opts.metricsPort ?? config.VIEWS_METRICS_PORT, {
    cassandra: cassandraReadyCheck(cassandra),
    consumer: () => {
      if (!consumer.isReady()) throw new RetryableError('views consumer has not joined its group');
    },
  });
  logger.info({ msg: 'Views running', chainId: opts.chainId, groupId: consumer.groupId, topic: consumer.topics.blocks, metricsPort: port });
  return { consumer, port };
}

/** `chainlake views [run]`: the chain from the flag or the RPC endpoint, then run until stopped. */
export async function runViewsCommand(opts: { chainId?: number; group?: string }): Promise<void> {
  const common = createCommon('views');
  const chainId = await resolveChainId(common.config, opts.chainId);
  await runViews(common, { chainId, ...(opts.group ? { groupId: opts.group } : {}) });
  // common.shutdown stops the consumer after its in-flight batch.
  await new Promise<void>((resolve) => common.shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
}
