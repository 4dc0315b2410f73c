// Kafka → Cassandra speed views. One consumer group per chain; eachBatch with autoCommit off:
// the rows of every record are written (idempotently, USING TIMESTAMP offset+1) and acked by
// Cassandra before the offset is resolved and committed. At-least-once delivery, exactly-once
// view state. Undecodable records go to the DLQ topic and the consumer keeps going.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { type BlockRecord, type ChainRecord, RecordDecodeError, type RetractionRecord, decodeRecord } from '../../core/chain.js';
import type { Common } from '../../core/common.js';
import { topicNames } from '../../core/config.js';
import { errorMessage } from '../../core/errors.js';
import { counter, gauge, histogram } from '../../core/metrics.js';
import type { CassandraClient } from '../../storage/cassandra.js';
import { createIdempotentProducer, ensureChainTopics } from '../../storage/kafka.js';
import type { ViewTable } from '../../storage/views/tables.js';
import { createViewsWriter, planBatches, type TimedRow } from '../../storage/views/writer.js';
import { createLimiter, type TaskGroup } from './limiter.js';
import { blockRows, decodeManifest, encodeManifest, manifestKeys, retractionKeys, writeTimestamp } from './rows.js';

export type ViewsConsumerOptions = {
  cassandra: CassandraClient;
  kafka: Kafka;
  chainId: number;
  /** Default `<prefix>.<chainId>.views`. */
  groupId?: string;
  /** Lower in tests so a killed member leaves the group quickly (broker minimum 6000). */
  sessionTimeoutMs?: number;
  /** Smaller fetches = smaller batches = more frequent commits. */
  maxBytesPerPartition?: number;
  /** Partitions processed in parallel (writes share one VIEWS_CONCURRENCY limit). */
  partitionsConsumedConcurrently?: number;
};

export type ViewsConsumer = {
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** Joined the group and not crashed. */
  isReady: () => boolean;
  groupId: string;
  topics: { blocks: string; dlq: string };
};

/** Flush writes and commit after this many rows, so long batches make steady progress. */
const FLUSH_EVERY_ROWS = 4_000;

function viewsMetrics(registry: Registry) {
  return {
    records: counter(registry, { name: 'chainlake_views_records_total', help: 'Kafka records applied to the speed views', labelNames: ['kind'] }),
    rows: counter(registry, { name: 'chainlake_views_rows_written_total', help: 'Rows written (op=insert) or deleted (op=delete) per table', labelNames: ['table', 'op'] }),
    writeSeconds: histogram(registry, { name: 'chainlake_views_write_seconds', help: 'Time from the first write of a flush until Cassandra acked all of it', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
    lag: gauge(registry, { name: 'chainlake_views_lag_records', help: 'Records between the last applied offset and the high watermark', labelNames: ['partition'] }),
    lastBlock: gauge(registry, { name: 'chainlake_views_last_block', help: 'Highest block number applied to the views' }),
    lastBlockTime: gauge(registry, { name: 'chainlake_views_last_block_timestamp_seconds', help: 'Chain timestamp of the highest applied block' }),
    dlq: counter(registry, { name: 'chainlake_views_dlq_total', help: 'Records sent to the DLQ topic', labelNames: ['reason'] }),
  };
}

export function createViewsConsumer(common: Common, opts: ViewsConsumerOptions): ViewsConsumer {
  const { config } = common;
  const { chainId } = opts;
  const log = common.logger.child({ component: 'views', chainId });
  const metrics = viewsMetrics(common.metrics);
  const topics = topicNames(config, chainId);
  const groupId = opts.groupId ?? `${config.KAFKA_TOPIC_PREFIX}.${chainId}.views`;
  const writer = createViewsWriter(opts.cassandra, { ttlSeconds: config.VIEWS_TTL_SECONDS });
  const limiter = createLimiter(config.VIEWS_CONCURRENCY);
  let consumer: Consumer | undefined;
  let dlqProducer: Producer | undefined;
  let joined = false;
  let crashed = false;
  let highestBlock = -1;

  async function sendToDlq(message: KafkaMessage, topic: string, partition: number, reason: string, error: string): Promise<void> {
    metrics.dlq.inc({ reason });
    log.warn({ msg: 'Record sent to DLQ', topic, partition, offset: message.offset, reason, error });
    await dlqProducer?.send({
      topic: topics.dlq,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            'chainlake-dlq-reason': reason,
            'chainlake-dlq-error': error.slice(0, 1000),
            'chainlake-source-topic': topic,
            'chainlake-source-partition': String(partition),
            'chainlake-source-offset': message.offset,
            'chainlake-dlq-consumer': groupId,
          },
        },
      ],
    });
  }

  const countRow = (table: ViewTable, op: 'insert' | 'delete') => metrics.rows.inc({ table, op });

  /** Rows of one Kafka batch waiting to be grouped into CQL batches, and that batch's write tasks. */
  type BatchContext = { tasks: TaskGroup; pending: TimedRow[] };
  /** Dispatch pending rows once this many accumulated (and always before a retraction or commit). */
  const DISPATCH_ROWS = 1_024;

  async function dispatch(ctx: BatchContext): Promise<void> {
    const entries = ctx.pending;
    ctx.pending = [];
    for (const batch of planBatches(entries, config.VIEWS_BATCH_STATEMENTS))
      await ctx.tasks.schedule(async () => {
        await writer.insertBatch(batch);
        for (const e of batch) countRow(e.row.table, 'insert');
      });
  }

  async function applyBlock(ctx: BatchContext, record: BlockRecord, ts: string): Promise<number> {
    const rows = blockRows(record);
    for (const row of rows) ctx.pending.push({ row, timestamp: ts });
    const manifest = encodeManifest(manifestKeys(rows));
    await ctx.tasks.schedule(() => writer.writeManifest(chainId, record.block.hash, record.block.number, manifest, ts));
    if (ctx.pending.length >= DISPATCH_ROWS) await dispatch(ctx);
    return rows.length + 1;
  }

  /** Deletes the orphaned hash's rows. Runs after every earlier write of the partition was acked. */
  async function applyRetraction(ctx: BatchContext, record: RetractionRecord, ts: string): Promise<number> {
    await dispatch(ctx);
    // The manifest read must see the writes of earlier records of this partition.
    await ctx.tasks.drain();
    const manifest = await writer.readManifest(chainId, record.block.hash);
    const keys = [...retractionKeys(record), ...(manifest ? decodeManifest(manifest) : [])];
    for (const key of keys)
      await ctx.tasks.schedule(async () => {
        await writer.remove(key, ts);
        countRow(key.table, 'delete');
      });
    await ctx.tasks.drain();
    // Last: if we crash before this, the replayed retraction still finds the manifest.
    await writer.deleteManifest(chainId, record.block.hash, ts);
    log.info({ msg: 'Retracted block', number: record.block.number, hash: record.block.hash, rowsDeleted: keys.length, replacedBy: record.replacedBy });
    return keys.length + 1;
  }

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const ctx: BatchContext = { tasks: limiter.group(), pending: [] };
    let pendingRows = 0;
    let lastOffset: string | undefined;
    let lastRecord: ChainRecord | undefined;
    let flushStarted = Date.now();

    const commit = async () => {
      if (lastOffset === undefined) return;
      const t0 = flushStarted;
      await dispatch(ctx);
      await ctx.tasks.drain();
      metrics.writeSeconds.observe((Date.now() - t0) / 1000);
      if (lastRecord) {
        await writer.writeCheckpoint(
          {
            chainId,
            group: groupId,
            topic,
            partition,
            nextOffset: (BigInt(lastOffset) + 1n).toString(),
            lastBlockNumber: lastRecord.block.number,
            lastBlockHash: lastRecord.block.hash,
            lastBlockTime: lastRecord.block.timestamp * 1000,
          },
          writeTimestamp(lastOffset),
          Date.now(),
        );
      }
      payload.resolveOffset(lastOffset);
      await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }] });
      await payload.heartbeat();
      const lag = Number(BigInt(batch.highWatermark) - BigInt(lastOffset) - 1n);
      metrics.lag.set({ partition: String(partition) }, Math.max(0, lag));
      pendingRows = 0;
      flushStarted = Date.now();
    };

    try {
      for (const message of batch.messages) {
        if (!payload.isRunning() || payload.isStale() || ctx.tasks.failed() !== undefined) break;
        const ts = writeTimestamp(message.offset);
        let record: ChainRecord;
        try {
          record = decodeRecord(message.value);
          if (record.chainId !== chainId) throw new RecordDecodeError(`record of chain ${record.chainId} in the topic of chain ${chainId}`, 'invalid');
        } catch (e) {
          if (!(e instanceof RecordDecodeError)) throw e;
          await ctx.tasks.schedule(() => sendToDlq(message, topic, partition, e.reason, e.message));
          lastOffset = message.offset;
          continue;
        }
        pendingRows += record.kind === 'block' ? await applyBlock(ctx, record, ts) : await applyRetraction(ctx, record, ts);
        metrics.records.inc({ kind: record.kind });
        if (record.block.number > highestBlock) {
          highestBlock = record.block.number;
          metrics.lastBlock.set(highestBlock);
          metrics.lastBlockTime.set(record.block.timestamp);
        }
        lastOffset = message.offset;
        lastRecord = record;
        if (pendingRows >= FLUSH_EVERY_ROWS) await commit();
      }
      await commit();
    } catch (e) {
      // Let in-flight writes settle, then fail the batch: kafkajs re-fetches from the last committed offset.
      ctx.pending = [];
      await ctx.tasks.drain().catch(() => {});
      throw e;
    }
  }

  return {
    groupId,
    topics,
    isReady: () => joined && !crashed,
    async start() {
      const admin = opts.kafka.admin();
      await admin.connect();
      try {
        await ensureChainTopics(admin, config, chainId);
      } finally {
        await admin.disconnect();
      }
      dlqProducer = createIdempotentProducer(opts.kafka);
      await dlqProducer.connect();
      consumer = opts.kafka.consumer({
        groupId,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: Math.max(500, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 5)),
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 16 * 1024 * 1024,
        allowAutoTopicCreation: false,
      });
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        joined = true;
        log.info({ msg: 'Joined views consumer group', groupId, assignment: e.payload.memberAssignment });
      });
      consumer.on(consumer.events.CRASH, (e) => {
        crashed = !e.payload.restart;
        log.error({ msg: 'Views consumer crashed', error: errorMessage(e.payload.error), restart: e.payload.restart });
        if (crashed) void common.shutdown.run('views consumer crashed');
      });
      await consumer.connect();
      await consumer.subscribe({ topic: topics.blocks, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? config.KAFKA_PARTITIONS,
        eachBatch: async (payload) => {
          try {
            await processBatch(payload);
          } catch (e) {
            log[/rebalanc/i.test(errorMessage(e)) ? 'info' : 'warn']({ msg: 'Views batch failed, will retry', topic: payload.batch.topic, partition: payload.batch.partition, error: errorMessage(e) });
            throw e;
          }
        },
      });
      log.info({ msg: 'Views consumer started', groupId, topic: topics.blocks });
    },
    async stop() {
      await consumer?.disconnect();
      await dlqProducer?.disconnect();
      joined = false;
    },
  };
}
