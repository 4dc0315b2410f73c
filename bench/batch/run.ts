// Batch-layer benchmark. Prints one JSON object:
//  (a) compaction: a topic with ≥ 500k txs → drain compaction tx/s (target ≥ 100k tx/s), each
//      repeat next to a bare kafkajs drain of the same topic (the ceiling on this machine)
//  (b) a 10M-tx lake generated with DuckDB → full recompute time + peak RSS, 1-day incremental
//      time (targets 10 s, 1 s, 4 GB), and the baseline: a plain DuckDB COPY of the same txs.
// Usage: tsx bench/batch/run.ts [--skip-compact] [--skip-recompute] [--txs N] [--compact-repeats N] [--lake-txs N] [--rolls-per-day N] [--keep-lake]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { compactFetchSettings, createCompactor } from '../../batch/compact/compactor.js';
import { parseConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createDuck, lakePaths, queryRows, sqlString } from '../../storage/lake.js';
import { rawFileName } from '../../storage/lake-views.js';
import { generateChain } from '../../test/batch/fixtures.js';
import { createRecordProducer } from '../../test/batch/kafka-helpers.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const numArg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const HERE = dirname(fileURLToPath(import.meta.url));
const CHAIN = 1;
const out: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length } };

async function benchCompaction(targetTxs: number, repeats: number) {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-bench-compact-'));
  const prefix = `bench_${Date.now().toString(36)}`;
  const config = parseConfig({ ...process.env, LAKE_DIR: lake, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn', KAFKA_PARTITIONS: '3' });
  const logger = createLogger({ level: 'warn', pretty: false });
  const common = { config, logger, metrics: createMetricsRegistry({ process: 'bench' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
  const kafka = createKafka(config, logger, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  const topic = (await ensureChainTopics(admin, config, CHAIN)).blocks;
  try {
    const producer = await createRecordProducer(kafka, topic);
    let txs = 0;
    let blocks = 0;
    let bytes = 0;
    const t0 = performance.now();
    while (txs < targetTxs) {
      const chunk = generateChain({ chainId: CHAIN, blocks: 20, startBlock: 1 + blocks, maxTxs: 400, seed: blocks + 1, startTime: Date.UTC(2026, 0, 1) / 1000 + blocks * 12 });
      for (const r of chunk.records) {
        if (r.kind === 'block') txs += r.transactions.length;
        bytes += JSON.stringify(r).length;
      }
      for (let i = 0; i < chunk.records.length; i += 5) await producer.send(chunk.records.slice(i, i + 5));
      blocks += 20;
    }
    await producer.close();
    const produceS = (performance.now() - t0) / 1000;
    // Each repeat: the same-run ceiling (drain the topic with kafkajs and the compactor's fetch
    // settings, doing nothing per record), then a drain compaction of the topic into a fresh lake.
    const runs: Record<string, number>[] = [];
    let last = { rolls: 0, files: 0, records: 0, txs: 0 };
    for (let i = 0; i < repeats; i++) {
      const bare = await bareConsume(kafka, topic, config.KAFKA_MAX_MESSAGE_BYTES);
      const runLake = join(lake, `run${i}`);
      const duck = await createDuck({ threads: config.DUCKDB_THREADS, memoryLimit: config.DUCKDB_MEMORY_LIMIT });
      const t1 = performance.now();
      const s = await createCompactor({ ...common, config: { ...config, LAKE_DIR: runLake } }, { kafka, duck }, { chainId: CHAIN, mode: 'drain', groupId: `${prefix}.compact.${i}` }).run();
      const compactS = (performance.now() - t1) / 1000;
      duck.close();
      await rm(runLake, { recursive: true, force: true });
      last = s;
      runs.push({
        compactSeconds: +compactS.toFixed(2),
        txPerSecond: Math.round(s.txs / compactS),
        bareConsumeSeconds: +bare.seconds.toFixed(2),
        bareConsumeTxPerSecond: Math.round(txs / bare.seconds),
        bareConsumeMBps: Math.round(bare.bytes / 1e6 / bare.seconds),
        shareOfBareConsume: +(bare.seconds / compactS).toFixed(2),
      });
    }
    out.compaction = {
      txs: last.txs,
      blocks: last.records,
      topicMB: Math.round(bytes / 1e6),
      produceSeconds: +produceS.toFixed(1),
      rolls: last.rolls,
      files: last.files,
      runs,
      target: '≥ 100000 tx/s',
    };
  } finally {
    await admin.deleteTopics({ topics: [topic, `${prefix}.${CHAIN}.dlq.v1`] }).catch(() => {});
    await admin.disconnect();
    await rm(lake, { recursive: true, force: true });
  }
}

/** Drain a topic to its current end with a fresh group, counting records and bytes only. */
async function bareConsume(kafka: Kafka, topic: string, maxMessageBytes: number): Promise<{ seconds: number; records: number; bytes: number }> {
  const admin = kafka.admin();
  await admin.connect();
  const target = new Map((await admin.fetchTopicOffsets(topic)).map((w) => [w.partition, Number(w.high)]));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}.bare.${Date.now()}`, ...compactFetchSettings(maxMessageBytes) });
  const pos = new Map<number, number>();
  let records = 0;
  let bytes = 0;
  const t0 = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) bytes += m.value?.length ?? 0;
          records += batch.messages.length;
          pos.set(batch.partition, Number(batch.lastOffset()) + 1);
          if ([...target].every(([p, high]) => (pos.get(p) ?? 0) >= high)) resolve();
        },
      })
      .catch(reject);
  });
  const seconds = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  return { seconds, records, bytes };
}

function runChild(lake: string, mode: 'full' | 'incremental'): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'recompute-child.ts'), mode], {
      env: { ...process.env, LAKE_DIR: lake, LOG_LEVEL: 'warn', FINALITY_DEPTH: '64' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let s = '';
    child.stdout.on('data', (d: Buffer) => (s += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(s.trim().split('\n').pop()!)) : reject(new Error(`recompute child exited ${code}`))));
  });
}

async function benchRecompute(totalTxs: number, rollsPerDay: number) {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-bench-lake-'));
  const paths = lakePaths(lake);
  const days = 30;
  const txsPerBlock = 150;
  const partitions = 3;
  const blocksPerDay = Math.ceil(totalTxs / days / txsPerBlock);
  const template = readFileSync(join(HERE, 'gen-lake.sql'), 'utf8');
  const duck = await createDuck({ threads: 2, memoryLimit: '2GB' });
  const conn = await duck.connect();
  const tables = ['blocks', 'transactions', 'token_transfers', 'retractions'] as const;
  let fileCount = 0;
  // Written like compaction: per roll (a block range) and partition, one file per table and day,
  // named by the partition's offset range and the number of files of that range.
  const genDay = async (d: number, firstBlock: number, blocks: number) => {
    const dayStart = Date.UTC(2026, 0, 1) / 1000 + d * 86400;
    const day = new Date(dayStart * 1000).toISOString().slice(0, 10);
    const vars: Record<string, string | number> = { chain_id: CHAIN, first_block: firstBlock, blocks, day_start: dayStart, txs_per_block: txsPerBlock, partitions, reorg_every: 97 };
    const sql = template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k]));
    for (const stmt of sql.split(/;\s*\n/).filter((x) => x.trim())) await conn.run(stmt);
    for (const t of tables) await mkdir(paths.rawPartition(t, CHAIN, day), { recursive: true });
    const perRoll = Math.ceil(blocks / rollsPerDay);
    for (let lo = firstBlock; lo < firstBlock + blocks; lo += perRoll) {
      const hi = Math.min(lo + perRoll, firstBlock + blocks) - 1;
      const inRoll = `number BETWEEN ${lo} AND ${hi}`;
      const ranges = await queryRows(
        conn,
        `SELECT kafka_partition p, min(kafka_offset) lo, max(kafka_offset) hi, count(DISTINCT t) n FROM (
           SELECT kafka_partition, kafka_offset, 'b' t FROM lake_blocks WHERE ${inRoll}
           UNION ALL SELECT kafka_partition, kafka_offset, 'r' t FROM lake_retractions WHERE ${inRoll}
           UNION ALL SELECT DISTINCT kafka_partition, kafka_offset, 'x' t FROM lake_transactions WHERE block_number BETWEEN ${lo} AND ${hi}
           UNION ALL SELECT DISTINCT kafka_partition, kafka_offset, 'tt' t FROM lake_token_transfers WHERE block_number BETWEEN ${lo} AND ${hi}) GROUP BY ALL ORDER BY p`,
      );
      for (const r of ranges) {
        const name = rawFileName({ partition: Number(r.p), first: Number(r.lo), last: Number(r.hi), files: Number(r.n) });
        for (const t of tables) {
          const where = `kafka_partition = ${r.p} AND ${t === 'blocks' || t === 'retractions' ? inRoll : `block_number BETWEEN ${lo} AND ${hi}`}`;
          if (Number((await queryRows(conn, `SELECT count(*) n FROM lake_${t} WHERE ${where}`))[0]?.n) === 0) continue;
          await conn.run(`COPY (SELECT * FROM lake_${t} WHERE ${where}) TO ${sqlString(join(paths.rawPartition(t, CHAIN, day), name))} (FORMAT parquet, COMPRESSION zstd)`);
          fileCount++;
        }
      }
    }
  };
  const t0 = performance.now();
  for (let d = 0; d < days; d++) await genDay(d, 1 + d * blocksPerDay, blocksPerDay);
  const genS = (performance.now() - t0) / 1000;
  // Baseline: DuckDB rewriting the same transactions to one ZSTD Parquet file, nothing else.
  const t1 = performance.now();
  await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(paths.raw, 'transactions', '*', '*', '*.parquet'))})) TO ${sqlString(join(lake, 'baseline.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
  const baselineS = (performance.now() - t1) / 1000;
  const full = await runChild(lake, 'full');
  // One more day arrives (and the day before gets new blocks past the old horizon): incremental.
  await genDay(days, 1 + days * blocksPerDay, blocksPerDay);
  const inc = await runChild(lake, 'incremental');
  conn.closeSync();
  duck.close();
  out.recompute = {
    lakeTxs: days * blocksPerDay * txsPerBlock,
    days,
    lake: { files: fileCount, rollsPerDay, partitions, mb: Math.round((await dirBytes(paths.raw)) / 1e6), reorgedHeights: '1 in 97' },
    generateSeconds: +genS.toFixed(1),
    baselineCopySeconds: +baselineS.toFixed(2),
    full: { ...full, seconds: +((full.ms as number) / 1000).toFixed(2) },
    incremental: { ...inc, seconds: +((inc.ms as number) / 1000).toFixed(2) },
    targets: { fullSeconds: 10, incrementalSeconds: 1, rssMB: 4096 },
    duckdb: { threads: process.env.DUCKDB_THREADS ?? '2', memoryLimit: process.env.DUCKDB_MEMORY_LIMIT ?? '2GB' },
  };
  if (flag('--keep-lake')) out.recompute = { ...(out.recompute as object), lakeDir: lake };
  else await rm(lake, { recursive: true, force: true });
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += (await stat(join(e.parentPath, e.name))).size;
  return n;
}

if (!flag('--skip-compact')) await benchCompaction(numArg('--txs', 500_000), numArg('--compact-repeats', 1));
if (!flag('--skip-recompute')) await benchRecompute(numArg('--lake-txs', 10_000_000), numArg('--rolls-per-day', 24));
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
