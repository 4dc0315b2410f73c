// Batch-layer benchmark. Prints one JSON object:
//  (a) compaction: a topic with ≥ 500k txs → drain compaction tx/s (target ≥ 100k tx/s)
//  (b) a 10M-tx lake generated with DuckDB → full recompute time + peak RSS, 1-day incremental
//      time (targets 10 s, 1 s, 4 GB), and the baseline: a plain DuckDB COPY of the same txs.
// Usage: tsx bench/batch/run.ts [--skip-compact] [--skip-recompute] [--txs N] [--lake-txs N]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompactor } from '../../batch/compact/compactor.js';
import { parseConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createDuck, lakePaths, sqlString } from '../../storage/lake.js';
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

async function benchCompaction(targetTxs: number) {
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
    const duck = await createDuck({ threads: config.DUCKDB_THREADS, memoryLimit: config.DUCKDB_MEMORY_LIMIT });
    const t1 = performance.now();
    let firstRollAt = 0;
    const s = await createCompactor(common, { kafka, duck }, { chainId: CHAIN, mode: 'drain', onRoll: () => (firstRollAt ||= performance.now()) }).run();
    const compactS = (performance.now() - t1) / 1000;
    duck.close();
    out.compaction = {
      txs: s.txs,
      blocks: s.records,
      topicMB: Math.round(bytes / 1e6),
      produceSeconds: +produceS.toFixed(1),
      compactSeconds: +compactS.toFixed(2),
      txPerSecond: Math.round(s.txs / compactS),
      rolls: s.rolls,
      files: s.files,
      target: '≥ 100000 tx/s',
    };
  } finally {
    await admin.deleteTopics({ topics: [topic, `${prefix}.${CHAIN}.dlq.v1`] }).catch(() => {});
    await admin.disconnect();
    await rm(lake, { recursive: true, force: true });
  }
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

async function benchRecompute(totalTxs: number) {
  const lake = await mkdtemp(join(tmpdir(), 'chainlake-bench-lake-'));
  const paths = lakePaths(lake);
  const days = 30;
  const txsPerBlock = 150;
  const blocksPerDay = Math.ceil(totalTxs / days / txsPerBlock);
  const template = readFileSync(join(HERE, 'gen-lake.sql'), 'utf8');
  const duck = await createDuck({ threads: 2, memoryLimit: '2GB' });
  const conn = await duck.connect();
  const genDay = async (d: number, firstBlock: number, blocks: number) => {
    const dayStart = Date.UTC(2026, 0, 1) / 1000 + d * 86400;
    const day = new Date(dayStart * 1000).toISOString().slice(0, 10);
    const name = rawFileName({ partition: 0, first: firstBlock, last: firstBlock + blocks - 1, files: 3 });
    const file = (t: string) => join(paths.rawPartition(t as 'blocks', CHAIN, day), name);
    for (const t of ['blocks', 'transactions', 'token_transfers']) await mkdir(paths.rawPartition(t as 'blocks', CHAIN, day), { recursive: true });
    const vars: Record<string, string | number> = { chain_id: CHAIN, first_block: firstBlock, blocks, day_start: dayStart, txs_per_block: txsPerBlock, blocks_file: file('blocks'), txs_file: file('transactions'), tt_file: file('token_transfers') };
    const sql = template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k]));
    for (const stmt of sql.split(/;\s*\n/).filter((x) => x.trim())) await conn.run(stmt);
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
    generateSeconds: +genS.toFixed(1),
    baselineCopySeconds: +baselineS.toFixed(2),
    full: { ...full, seconds: +((full.ms as number) / 1000).toFixed(2) },
    incremental: { ...inc, seconds: +((inc.ms as number) / 1000).toFixed(2) },
    targets: { fullSeconds: 10, incrementalSeconds: 1, rssMB: 4096 },
    duckdb: { threads: process.env.DUCKDB_THREADS ?? '2', memoryLimit: process.env.DUCKDB_MEMORY_LIMIT ?? '2GB' },
  };
  await rm(lake, { recursive: true, force: true });
}

if (!flag('--skip-compact')) await benchCompaction(numArg('--txs', 500_000));
if (!flag('--skip-recompute')) await benchRecompute(numArg('--lake-txs', 10_000_000));
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
