// Kafka → Parquet compaction of one chain's block topic, exactly once without Kafka offsets:
// the position per partition is recovered from the lake's file names (writer.ts), the
// consumer seeks there on assignment, and records below it are skipped. Kafka commits are
// only an optimisation for tools that watch consumer lag.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { type Registry } from 'prom-client';
import { RecordDecodeError } from '../../core/chain.js';
import type { Common } from '../../core/common.js';
import { topicNames } from '../../core/config.js';
import { errorMessage, FatalError } from '../../core/errors.js';
import { counter, gauge, histogram } from '../../core/metrics.js';
import { type LakePaths, lakePaths } from '../../storage/lake/paths.js';
import type { Duck } from '../../storage/lake/duck.js';
import { recordLakeFinality } from '../../storage/lake/finality.js';
import { tryLock } from '../lock.js';
import { decodeRecordFast } from './check.js';
import { createRollBuffer, type RecordLines, recordCsv, type RollBuffer } from './rows.js';
import { mergeClosedDays, type MergeResult } from './merge.js';
import { recoverRolls, resumeOffsets, writeRoll } from './writer.js';

export type CompactMode = 'continuous' | 'drain';
export type CompactOptions = {
  chainId: number;
  /** continuous: run until stopped, rolling by time/size; drain: stop once caught up with the high watermarks seen at start. */
  mode: CompactMode;
  /** Consumer group; default <prefix>.<chainId>.compact. */
  groupId?: string;
  sessionTimeoutMs?: number;
  onRoll?: (r: { files: string[]; records: number; txs: number }) => void;
  /** After each merge of closed days that changed something. */
  onMerge?: (r: MergeResult) => void;
  /** Drain mode: called after every fetched batch with the progress towards the target offsets. */
  onProgress?: (p: CompactProgress) => void;
  /** Only merge the closed days (and sweep superseded files), without consuming. */
  mergeOnly?: boolean;
};
/** records/txs: consumed so far in this run; lag: records left to the target watermarks. */
export type CompactProgress = { records: number; txs: number; lag: number; total: number };
export type CompactSummary = { records: number; txs: number; rolls: number; files: number; skipped: number; undecodable: number; mergedDays: number };

export type CompactMetrics = ReturnType<typeof compactMetrics>;
const metricsByRegistry = new WeakMap<Registry, ReturnType<typeof makeMetrics>>();
function makeMetrics(registry: Registry) {
  return {
    records: counter(registry, { name: 'chainlake_compact_records_total', help: 'Kafka records compacted into the lake' }),
    rows: counter(registry, { name: 'chainlake_compact_rows_total', help: 'Rows written to raw Parquet tables', labelNames: ['table'] }),
    files: counter(registry, { name: 'chainlake_compact_files_total', help: 'Parquet files committed' }),
    undecodable: counter(registry, { name: 'chainlake_compact_undecodable_total', help: 'Records skipped because they do not decode', labelNames: ['reason'] }),
    rollSeconds: histogram(registry, { name: 'chainlake_compact_roll_seconds', help: 'Time to write and commit one roll', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] }),
    mergedDays: counter(registry, { name: 'chainlake_compact_merged_days_total', help: 'Closed (table, day) directories merged into one file' }),
    mergeSeconds: histogram(registry, { name: 'chainlake_compact_merge_seconds', help: 'Time of one merge of closed days', buckets: [0.1, 0.5, 1, 5, 30, 120] }),
    position: gauge(registry, { name: 'chainlake_compact_next_offset', help: 'Next Kafka offset to compact per partition', labelNames: ['partition'] }),
  };
}
export function compactMetrics(registry: Registry) {
  let m = metricsByRegistry.get(registry);
  if (!m) metricsByRegistry.set(registry, (m = makeMetrics(registry)));
  return m;
}

/** Fetch settings of the compactor's consumer (also used by the bench's bare-consume baseline). */
export const compactFetchSettings = (maxMessageBytes: number) => ({
  maxBytesPerPartition: maxMessageBytes,
  maxBytes: Math.max(maxMessageBytes, 64 * 1024 * 1024),
  maxWaitTimeInMs: 250,
});

export type Compactor = { run: () => Promise<CompactSummary>; stop: () => Promise<void> };

/** What every step of one compaction run shares. */
type RunContext = {
  config: Common['config'];
  log: Common['logger'];
  metrics: CompactMetrics;
  opts: CompactOptions;
  paths: LakePaths;
  topic: string;
  summary: CompactSummary;
  conn: DuckDBConnection;
};

/** Merging closed days after each roll (and once at start), when enabled. */
function createMerger(ctx: RunContext): () => Promise<void> {
  const { config, opts, metrics, summary } = ctx;
  return async () => {
    if (!config.COMPACT_MERGE_CLOSED_DAYS && !opts.mergeOnly) return;
    const t0 = performance.now();
    const r = await mergeClosedDays(ctx.conn, ctx.paths, opts.chainId, { keepMs: config.COMPACT_MERGE_KEEP_MS, logger: ctx.log });
    summary.mergedDays += r.days;
    if (r.days > 0) {
      metrics.mergedDays.inc(r.days);
      metrics.mergeSeconds.observe((performance.now() - t0) / 1000);
    }
    if (r.days > 0 || r.deleted > 0) opts.onMerge?.(r);
  };
}

/**
 * Where each partition starts (the lake's position, at least the low watermark), where a drain
 * stops (the high watermarks seen now), and each partition's low watermark.
 */
async function readPositions(ctx: RunContext, admin: Admin): Promise<{ next: Map<number, number>; target: Map<number, number>; low: Map<number, number> }> {
  const next = await resumeOffsets(ctx.paths, ctx.opts.chainId);
  await admin.connect();
  const watermarks = await admin.fetchTopicOffsets(ctx.topic);
  await admin.disconnect();
  const target = new Map<number, number>();
  const low = new Map<number, number>();
  for (const w of watermarks) {
    const p = w.partition;
    low.set(p, Number(w.low));
    next.set(p, Math.max(next.get(p) ?? 0, Number(w.low)));
    target.set(p, Number(w.high));
    ctx.metrics.position.set({ partition: String(p) }, next.get(p)!);
  }
  return { next, target, low };
}

/** Progress of a drain towards the target watermarks. */
function createDrainProgress(next: Map<number, number>, target: Map<number, number>) {
  const start = new Map(next);
  const total = [...target].reduce((a, [p, high]) => a + Math.max(0, high - (start.get(p) ?? 0)), 0);
  let consumedTxs = 0;
  return {
    caughtUp: () => [...target].every(([p, high]) => (next.get(p) ?? 0) >= high),
    addTxs: (n: number) => {
      consumedTxs += n;
    },
    progress: (): CompactProgress => {
      let lag = 0;
      for (const [p, high] of target) lag += Math.max(0, high - (next.get(p) ?? 0));
      return { records: total - lag, txs: consumedTxs, lag, total };
    },
  };
}

type RollQueue = ReturnType<typeof createRollQueue>;

/**
 * The buffer being filled and the roll being written. Rolls are written one after the other, so
 * they commit in offset order (the lake stays a prefix of each partition); while one is written,
 * the next buffer fills. A failed roll leaves `writing` rejected, so no later roll can commit
 * past it. Every touch of the buffer and every roll runs through `serial`, one at a time.
 */
function createRollQueue(ctx: RunContext, deps: { merge: () => Promise<void>; commit: (ranges: { partition: number; last: number }[]) => Promise<void>; fail: (e: unknown) => void }) {
  const { opts, summary, metrics, log } = ctx;
  let buffer = createRollBuffer();
  /** Per partition, the highest `finalized` among the buffer's records (written beside the roll). */
  let finalized = new Map<number, number>();
  let bufferSince = 0;
  let writing: Promise<void> = Promise.resolve();
  let chain: Promise<unknown> = Promise.resolve();
  // The consumer's heartbeat, once it runs: a big roll or merge can outlast the session timeout.
  let heartbeat: (() => Promise<void>) | undefined;
  const whileBeating = async <T>(fn: () => Promise<T>): Promise<T> => {
    const beat = setInterval(() => void heartbeat?.().catch(() => {}), 2_000);
    try {
      return await fn();
    } finally {
      clearInterval(beat);
    }
  };

  async function writeOut(full: RollBuffer, fullFinalized: Map<number, number>, reason: string): Promise<void> {
    const t0 = performance.now();
    const records = full.records();
    const txs = full.txs();
    const result = await whileBeating(() => writeRoll(ctx.conn, ctx.paths, opts.chainId, full));
    // After the roll's commit point: the lake's finality never runs ahead of its raw files.
    for (const [partition, f] of fullFinalized) await recordLakeFinality(ctx.paths, opts.chainId, partition, f);
    summary.rolls++;
    summary.files += result.files.length;
    summary.records += records;
    summary.txs += txs;
    metrics.records.inc(records);
    metrics.files.inc(result.files.length);
    for (const [table, n] of Object.entries(result.rows)) if (n > 0) metrics.rows.inc({ table }, n);
    metrics.rollSeconds.observe((performance.now() - t0) / 1000);
    log.debug({ msg: 'Rolled', reason, records, txs, files: result.files.length, ms: Math.round(performance.now() - t0) });
    opts.onRoll?.({ files: result.files, records, txs });
    await whileBeating(deps.merge);
    // Only an optimisation: the lake, not the group, says where to resume.
    await deps.commit(result.ranges).catch((e: unknown) => log.debug({ msg: 'Offset commit failed (ignored)', err: errorMessage(e) }));
  }

  return {
    serial<T>(fn: () => Promise<T>): Promise<T> {
      const p = chain.then(fn);
      chain = p.catch(() => {});
      return p;
    },
    setHeartbeat(beat: () => Promise<void>) {
      heartbeat = beat;
    },
    add(partition: number, offset: number, lines: RecordLines, bytes: number, recordFinalized?: number) {
      if (buffer.isEmpty()) bufferSince = Date.now();
      buffer.addLines(partition, offset, lines, bytes);
      if (recordFinalized !== undefined && recordFinalized > (finalized.get(partition) ?? -1)) finalized.set(partition, recordFinalized);
    },
    /** After the roll being written: drop the buffered rows of partitions not in `keep`. */
    async keepPartitions(keep: number[]) {
      await writing;
      for (const p of buffer.partitions().keys()) if (!keep.includes(p)) buffer.dropPartition(p);
      for (const p of finalized.keys()) if (!keep.includes(p)) finalized.delete(p);
    },
    bufferedBytes: () => buffer.bytes(),
    /** True when rows have been buffered for at least `ms`. */
    heldFor: (ms: number) => !buffer.isEmpty() && Date.now() - bufferSince >= ms,
    /** Hand the buffer to the writer and start a new one; waits while the previous roll is still being written. */
    async roll(reason: string) {
      if (buffer.isEmpty()) return;
      await writing;
      const full = buffer;
      const fullFinalized = finalized;
      buffer = createRollBuffer();
      finalized = new Map();
      writing = writeOut(full, fullFinalized, reason);
      writing.catch(deps.fail);
    },
    written: () => writing,
  };
}

/**
 * A group (re)join: buffered rows of partitions that moved away are dropped (they are the new
 * owner's to write), partitions regained after the first join resume from the lake (another
 * member may have written files meanwhile), and every assigned partition seeks to its position.
 */
function createAssignmentHandler(ctx: RunContext, c: Consumer, queue: RollQueue, next: Map<number, number>, low: Map<number, number>) {
  const assigned = new Set<number>();
  let firstJoin = true;
  return async (parts: number[]) => {
    await queue.keepPartitions(parts);
    const fresh = parts.filter((p) => !assigned.has(p));
    if (!firstJoin && fresh.length > 0) {
      const lake = await resumeOffsets(ctx.paths, ctx.opts.chainId);
      for (const p of fresh) next.set(p, Math.max(lake.get(p) ?? 0, low.get(p) ?? 0));
    }
    firstJoin = false;
    assigned.clear();
    for (const p of parts) {
      assigned.add(p);
      c.seek({ topic: ctx.topic, partition: p, offset: String(next.get(p) ?? 0) });
    }
  };
}

/**
 * The records of one fetched batch into the buffer, from the lake's position on: records below
 * it are skipped, a gap above it seeks back once (a second gap at the same place is a real hole:
 * retention), undecodable records are counted and skipped. Returns false when it sought back:
 * the rest of the batch is dropped and nothing else is done with it.
 */
function createBatchConsumer(ctx: RunContext, c: Consumer, queue: RollQueue, next: Map<number, number>, drain: ReturnType<typeof createDrainProgress>) {
  const { opts, summary, metrics, log, topic } = ctx;
  const seekedFor = new Map<number, number>();
  return (batch: EachBatchPayload['batch'], running: () => boolean): boolean => {
    const p = batch.partition;
    for (const m of batch.messages) {
      if (!running()) break;
      const off = Number(m.offset);
      const expected = next.get(p) ?? 0;
      if (off < expected) {
        summary.skipped++;
        continue;
      }
      if (off > expected) {
        if (seekedFor.get(p) !== expected) {
          seekedFor.set(p, expected);
          log.warn({ msg: 'Offset gap, seeking to the lake position', partition: p, expected, got: off });
          c.seek({ topic, partition: p, offset: String(expected) });
          return false;
        }
        log.warn({ msg: 'Accepting offset gap', partition: p, expected, got: off });
      }
      let rows: RecordLines | undefined;
      let recordFinalized: number | undefined;
      try {
        const record = decodeRecordFast(m.value);
        if (record.chainId !== opts.chainId) throw new RecordDecodeError(`record of chain ${record.chainId} in the topic of chain ${opts.chainId}`, 'invalid');
        rows = recordCsv(record, p, off);
        if (record.kind === 'block') recordFinalized = record.finalized;
      } catch (e) {
        if (!(e instanceof RecordDecodeError)) throw e;
        summary.undecodable++;
        metrics.undecodable.inc({ reason: e.reason });
        log.warn({ msg: 'Skipping undecodable record', partition: p, offset: off, reason: e.reason, err: e.message });
      }
      if (rows) {
        drain.addTxs(rows.lines.transactions?.length ?? 0);
        queue.add(p, off, rows, m.value?.length ?? 0, recordFinalized);
      }
      next.set(p, off + 1);
      metrics.position.set({ partition: String(p) }, off + 1);
    }
    return true;
  };
}

export function createCompactor(common: Common, deps: { kafka: Kafka; duck: Duck }, opts: CompactOptions): Compactor {
  const { config, logger } = common;
  const log = logger.child({ component: 'compact', chainId: opts.chainId });
  const metrics = compactMetrics(common.metrics);
  const paths = lakePaths(config.LAKE_DIR);
  const topic = topicNames(config, opts.chainId).blocks;
  const groupId = opts.groupId ?? `${config.KAFKA_TOPIC_PREFIX}.${opts.chainId}.compact`;
  const summary: CompactSummary = { records: 0, txs: 0, rolls: 0, files: 0, skipped: 0, undecodable: 0, mergedDays: 0 };
  let consumer: Consumer | undefined;
  let stopRequested = false;
  let finish: (() => void) | undefined;
  let fail: ((e: unknown) => void) | undefined;

  let running: Promise<CompactSummary> | undefined;

  async function runOnce(): Promise<CompactSummary> {
    const lock = await tryLock(paths, `compact-c${opts.chainId}`);
    if (!lock) throw new FatalError(`another compactor of chain ${opts.chainId} holds the lock in ${paths.root}/_locks`);
    const ctx: RunContext = { config, log, metrics, opts, paths, topic, summary, conn: await deps.duck.connect() };
    const merge = createMerger(ctx);
    const queue = createRollQueue(ctx, {
      merge,
      commit: async (ranges) => {
        await consumer?.commitOffsets(ranges.map((r) => ({ topic, partition: r.partition, offset: String(r.last + 1) })));
      },
      fail: (e) => fail?.(e),
    });
    const admin = deps.kafka.admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      await recoverRolls(paths, opts.chainId, log);
      await merge();
      if (opts.mergeOnly) return summary;
      const { next, target, low } = await readPositions(ctx, admin);
      const drain = createDrainProgress(next, target);
      log.info({ msg: 'Compaction starting', topic, groupId, mode: opts.mode, resume: Object.fromEntries(next) });
      if (opts.mode === 'drain' && drain.caughtUp()) return summary;

      const done = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      if (stopRequested) return summary;
      consumer = deps.kafka.consumer({
        groupId,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: Math.min(3_000, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 3)),
        ...compactFetchSettings(config.KAFKA_MAX_MESSAGE_BYTES),
        allowAutoTopicCreation: false,
      });
      const c = consumer;
      const assign = createAssignmentHandler(ctx, c, queue, next, low);
      c.on(c.events.GROUP_JOIN, (e) => {
        const parts = (e.payload.memberAssignment[topic] ?? []) as number[];
        void queue.serial(() => assign(parts)).catch((err: unknown) => fail?.(err));
      });
      c.on(c.events.CRASH, (e) => {
        if (!(e.payload as { restart?: boolean }).restart) fail?.(e.payload.error);
      });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      const consumeBatch = createBatchConsumer(ctx, c, queue, next, drain);
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          queue.setHeartbeat(heartbeat);
          await queue.serial(async () => {
            if (!consumeBatch(batch, () => isRunning() && !isStale() && !stopRequested)) return;
            if (opts.mode === 'drain') opts.onProgress?.(drain.progress());
            if (queue.bufferedBytes() >= config.COMPACT_ROLL_BYTES) await queue.roll('bytes');
            if (opts.mode === 'drain' && drain.caughtUp()) {
              await queue.roll('drained');
              await queue.written();
              finish?.();
            }
          });
          await heartbeat();
        },
      });
      timer = setInterval(() => {
        void queue
          .serial(async () => {
            if (queue.heldFor(config.COMPACT_ROLL_MS)) await queue.roll('time');
          })
          .catch((e: unknown) => fail?.(e));
      }, Math.min(1_000, config.COMPACT_ROLL_MS));
      await done;
      clearInterval(timer);
      await c.stop();
      await queue.serial(() => queue.roll('shutdown'));
      await queue.written();
      return summary;
    } finally {
      if (timer) clearInterval(timer);
      await queue.written().catch(() => {});
      await consumer?.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
      ctx.conn.closeSync();
      await lock.release();
      log.info({ msg: 'Compaction stopped', ...summary });
    }
  }

  return {
    run: () => (running ??= runOnce()),
    /** Stop consuming, write the buffered rows as a last roll, and resolve when that is done. */
    stop: async () => {
      stopRequested = true;
      finish?.();
      await running?.catch(() => {});
    },
  };
}
