// Batch-layer benchmark. Prints one JSON object:
//  (a) compaction: a topic with ≥ 500k txs → drain compaction tx/s (target ≥ 100k tx/s), each
//      repeat next to a bare kafkajs drain of the same topic (the ceiling on this machine)
//  (b) a 10M-tx lake generated with DuckDB → full recompute time + peak RSS, 1-day incremental
//      time (targets 10 s, 1 s, 4 GB), and the baseline: a plain DuckDB COPY of the same txs.
// Usage: tsx bench/batch/run.ts [--skip-compact] [--skip-recompute] [--txs N] [--compact-repeats N] [--lake-txs N] [--rolls-per-day N]
//        [--keep-lake | --lake DIR] [--repeats N] [--compare FILE] [--keep-views]
//  --lake DIR      generate the lake into DIR once (DIR/lake-complete marks it done) and reuse it later;
//                  each run links it into DIR/run-<impl> (hard links), so the generated files stay as they are
//  --repeats N     N rounds of: COPY baseline, then full + incremental recompute of each implementation
//  --compare FILE  also time the recompute() exported by FILE (e.g. a copy of the previous code), alternating
//  --keep-views    keep DIR/run-<impl>/views of the last round (to compare two implementations' output)
//  --small-files   recompute over every roll's small files, as a lake compacted with COMPACT_MERGE_CLOSED_DAYS=false;
//                  by default the closed days are merged into one file per table and day first, as the compactor
//                  does by default (the merged lake is built once into DIR/merged; the day that closes when the
//                  new day arrives is merged before the incremental run, untimed, as compaction would)
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { compactFetchSettings, createCompactor } from '../../batch/compact/compactor.js';
import { mergeClosedDays } from '../../batch/compact/merge.js';
import { parseConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { type LakePaths, lakePaths } from '../../storage/lake/paths.js';
import { rawFileName } from '../../storage/lake/files.js';
import { createDuck, queryRows, sqlString } from '../../storage/lake/duck.js';
import { generateChain } from '../../test/batch/fixtures.js';
import { createRecordProducer } from '../../test/batch/kafka-helpers.js';
import { benchArgs, intArg } from '../util.js';

const args = benchArgs(import.meta.url, {
  'skip-compact': { type: 'boolean' },
  'skip-recompute': { type: 'boolean' },
  txs: { type: 'string', default: '500000' },
  'compact-repeats': { type: 'string', default: '1' },
  'lake-txs': { type: 'string', default: '10000000' },
  'rolls-per-day': { type: 'string', default: '24' },
  'keep-lake': { type: 'boolean' },
  lake: { type: 'string' },
  repeats: { type: 'string', default: '1' },
  compare: { type: 'string' },
  'keep-views': { type: 'boolean' },
  'small-files': { type: 'boolean' },
});
const n = {
  txs: intArg('txs', args.txs),
  compactRepeats: intArg('compact-repeats', args['compact-repeats']),
  lakeTxs: intArg('lake-txs', args['lake-txs']),
  rollsPerDay: intArg('rolls-per-day', args['rolls-per-day']),
  repeats: intArg('repeats', args.repeats),
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

/** One recompute in a child process (its own peak RSS); `module` times another implementation. */
function runChild(lake: string, mode: 'full' | 'incremental', module?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'recompute-child.ts'), mode, ...(module ? [resolvePath(module)] : [])], {
      env: { ...process.env, LAKE_DIR: lake, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', FINALITY_DEPTH: '64' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let s = '';
    child.stdout.on('data', (d: Buffer) => (s += d.toString()));
    child.once('exit', (code) => {
      const lines = s.trim().split('\n');
      // Anything before the result line (logs, with LOG_LEVEL=debug the per-statement times) goes to stderr.
      if (lines.length > 1) process.stderr.write(`${lines.slice(0, -1).join('\n')}\n`);
      code === 0 ? resolve(JSON.parse(lines.at(-1)!)) : reject(new Error(`recompute child exited ${code}`));
    });
  });
}

const LAKE_DAYS = 30;

/**
 * The bench lake: <root>/raw holds LAKE_DAYS generated days, <root>/next/raw the day that arrives
 * for the incremental run. Generated once; with --lake DIR an existing one is reused.
 */
async function ensureLake(root: string, totalTxs: number, rollsPerDay: number): Promise<{ generateSeconds: number | null; files: number }> {
  const paths = lakePaths(root);
  const nextPaths = lakePaths(join(root, 'next'));
  if (existsSync(join(root, 'lake-complete'))) return { generateSeconds: null, files: await countParquet(paths.raw) };
  await rm(root, { recursive: true, force: true });
  const txsPerBlock = 150;
  const partitions = 3;
  const blocksPerDay = Math.ceil(totalTxs / LAKE_DAYS / txsPerBlock);
  const template = readFileSync(join(HERE, 'gen-lake.sql'), 'utf8');
  const duck = await createDuck({ threads: 2, memoryLimit: '2GB' });
  const conn = await duck.connect();
  const tables = ['blocks', 'transactions', 'token_transfers', 'retractions'] as const;
  // Written like compaction: per roll (a block range) and partition, one file per table and day,
  // named by the partition's offset range and the number of files of that range.
  const genDay = async (into: LakePaths, d: number, firstBlock: number, blocks: number) => {
    const dayStart = Date.UTC(2026, 0, 1) / 1000 + d * 86400;
    const day = new Date(dayStart * 1000).toISOString().slice(0, 10);
    const vars: Record<string, string | number> = { chain_id: CHAIN, first_block: firstBlock, blocks, day_start: dayStart, txs_per_block: txsPerBlock, partitions, reorg_every: 97 };
    const sql = template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k]));
    for (const stmt of sql.split(/;\s*\n/).filter((x) => x.trim())) await conn.run(stmt);
    for (const t of tables) await mkdir(into.rawPartition(t, CHAIN, day), { recursive: true });
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
          await conn.run(`COPY (SELECT * FROM lake_${t} WHERE ${where}) TO ${sqlString(join(into.rawPartition(t, CHAIN, day), name))} (FORMAT parquet, COMPRESSION zstd)`);
        }
      }
    }
  };
  const t0 = performance.now();
  for (let d = 0; d < LAKE_DAYS; d++) await genDay(paths, d, 1 + d * blocksPerDay, blocksPerDay);
  // One more day arrives (and the day before gets new blocks past the old horizon): incremental.
  await genDay(nextPaths, LAKE_DAYS, 1 + LAKE_DAYS * blocksPerDay, blocksPerDay);
  conn.closeSync();
  duck.close();
  await writeFile(join(root, 'lake-complete'), `${JSON.stringify({ totalTxs, rollsPerDay, blocksPerDay, txsPerBlock })}\n`);
  return { generateSeconds: +((performance.now() - t0) / 1000).toFixed(1), files: await countParquet(paths.raw) };
}

/** Hard links, so a run's lake costs no copy and the generated files stay untouched. */
const linkTree = (from: string, to: string) => execFileSync('cp', ['-al', `${from}/.`, to]);

/** Merge the closed days of the lake at `dir` like the compactor (superseded files deleted at once). */
async function mergeLake(conn: DuckDBConnection, dir: string): Promise<{ days: number; seconds: number }> {
  const t0 = performance.now();
  const r = await mergeClosedDays(conn, lakePaths(dir), CHAIN, { keepMs: 0, logger: createLogger({ level: 'warn', pretty: false }) });
  return { days: r.days, seconds: +((performance.now() - t0) / 1000).toFixed(1) };
}

/** DIR/merged: the generated lake with its closed days merged, built once from hard links of DIR/raw. */
async function ensureMergedLake(conn: DuckDBConnection, root: string): Promise<{ dir: string; mergeSeconds: number | null }> {
  const dir = join(root, 'merged');
  if (existsSync(join(dir, 'complete'))) return { dir, mergeSeconds: null };
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'raw'), { recursive: true });
  linkTree(join(root, 'raw'), join(dir, 'raw'));
  const { seconds } = await mergeLake(conn, dir);
  await writeFile(join(dir, 'complete'), '');
  return { dir, mergeSeconds: seconds };
}

async function benchRecompute(root: string, totalTxs: number, rollsPerDay: number, repeats: number, compare: string | undefined) {
  const lake = await ensureLake(root, totalTxs, rollsPerDay);
  const paths = lakePaths(root);
  const duck = await createDuck({ threads: 2, memoryLimit: '2GB' });
  const conn = await duck.connect();
  const txs = Number((await queryRows(conn, `SELECT count(*) n FROM read_parquet(${sqlString(join(paths.raw, 'transactions', '*', '*', '*.parquet'))})`))[0]?.n);
  const smallFiles = args['small-files'];
  const merged = smallFiles ? null : await ensureMergedLake(conn, root);
  const base = merged ? join(merged.dir, 'raw') : paths.raw;
  const files = await countParquet(base);
  const impls: { name: string; module?: string }[] = [{ name: 'current' }, ...(compare ? [{ name: 'compare', module: compare }] : [])];
  const runs: Record<string, unknown>[] = [];
  for (let i = 0; i < repeats; i++) {
    // Baseline: DuckDB rewriting the same transactions (the files the recompute reads) to one ZSTD Parquet file, nothing else.
    const baselineFile = join(root, 'baseline.parquet');
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(base, 'transactions', '*', '*', '*.parquet'))})) TO ${sqlString(baselineFile)} (FORMAT parquet, COMPRESSION zstd)`);
    const baselineS = +((performance.now() - t1) / 1000).toFixed(2);
    const copyCpu = process.cpuUsage(cpu1);
    await rm(baselineFile, { force: true });
    // CPU seconds (all DuckDB threads) swing less than wall seconds on a shared machine.
    const run: Record<string, unknown> = { loadAverage: loadavg().map((x) => +x.toFixed(1)), baselineCopySeconds: baselineS, baselineCopyCpuSeconds: +((copyCpu.user + copyCpu.system) / 1e6).toFixed(2) };
    // Alternate the implementations within a repeat (order flipped every repeat).
    for (const impl of i % 2 === 0 ? impls : [...impls].reverse()) {
      const work = join(root, `run-${impl.name}`);
      await rm(work, { recursive: true, force: true });
      await mkdir(join(work, 'raw'), { recursive: true });
      linkTree(base, join(work, 'raw'));
      const full = await runChild(work, 'full', impl.module);
      linkTree(join(root, 'next', 'raw'), join(work, 'raw'));
      // The new day closes the day before it: the compactor merges that one (not timed here).
      const mergedBeforeIncremental = merged ? await mergeLake(conn, work) : null;
      const inc = await runChild(work, 'incremental', impl.module);
      if (!args['keep-views']) await rm(work, { recursive: true, force: true });
      run[impl.name] = { full: { ...full, seconds: +((full.ms as number) / 1000).toFixed(2) }, incremental: { ...inc, seconds: +((inc.ms as number) / 1000).toFixed(2), ...(mergedBeforeIncremental ? { mergedBefore: mergedBeforeIncremental } : {}) }, fullOverBaseline: +((full.ms as number) / 1000 / baselineS).toFixed(2) };
    }
    runs.push(run);
    process.stderr.write(`${JSON.stringify(run)}\n`);
  }
  conn.closeSync();
  duck.close();
  out.recompute = {
    lakeTxs: txs,
    days: LAKE_DAYS,
    lake: {
      dir: root,
      shape: smallFiles ? 'small files (COMPACT_MERGE_CLOSED_DAYS=false)' : 'closed days merged (compactor default)',
      files,
      generatedFiles: lake.files,
      ...(merged?.mergeSeconds != null ? { mergeSeconds: merged.mergeSeconds } : {}),
      rollsPerDay,
      partitions: 3,
      mb: Math.round((await dirBytes(base)) / 1e6),
      reorgedHeights: '1 in 97',
    },
    generateSeconds: lake.generateSeconds,
    runs,
    ...(compare ? { compare } : {}),
    targets: { fullSeconds: 10, incrementalSeconds: 1, rssMB: 4096 },
    duckdb: { threads: process.env.DUCKDB_THREADS ?? '2', memoryLimit: process.env.DUCKDB_MEMORY_LIMIT ?? '2GB' },
  };
}

async function countParquet(dir: string): Promise<number> {
  return (await readdir(dir, { recursive: true })).filter((f) => String(f).endsWith('.parquet')).length;
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += (await stat(join(e.parentPath, e.name))).size;
  return n;
}

if (!args['skip-compact']) await benchCompaction(n.txs, n.compactRepeats);
if (!args['skip-recompute']) {
  const given = args.lake;
  const root = given ? resolvePath(given) : await mkdtemp(join(tmpdir(), 'chainlake-bench-lake-'));
  await benchRecompute(root, n.lakeTxs, n.rollsPerDay, n.repeats, args.compare);
  if (!given && !args['keep-lake']) await rm(root, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
