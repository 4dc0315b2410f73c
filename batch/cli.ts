// `chainlake compact | recompute | schedule | sql`: the batch layer's commands.
import { StatementType } from '@duckdb/node-api';
import { type Command, InvalidArgumentError } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Common } from '../core/common.js';
import { loadConfig } from '../core/config.js';
import { errorMessage, NotFoundError, ValidationError } from '../core/errors.js';
import { createCommon, serveProcessEndpoints } from '../core/runtime.js';
import { claimRunRequest, finishRun, pendingRunRequests, recordSkipped, startRun, type BatchRun } from '../storage/batch-runs.js';
import { type CassandraClient, createCassandra } from '../storage/cassandra.js';
import { createKafka } from '../storage/kafka.js';
import { lakePaths } from '../storage/lake/paths.js';
import { lakeChainIds } from '../storage/lake/files.js';
import { registerLakeViews } from '../storage/lake/canonical.js';
import { createDuck, type Duck, sqlString } from '../storage/lake/duck.js';
import { createCompactor } from './compact/compactor.js';
import { createCompactProgress } from './compact/progress.js';
import { createRecomputeProgress } from './recompute/progress.js';
import { recompute } from './recompute/recompute.js';
import { createBatchScheduler, type RunStore, validateCron } from './schedule.js';
import { runBooksPipeline } from './jobs/cli.js';
import { scheduleBooksPipeline } from './jobs/schedule-books.js';

const chainIdArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer chain id.');
  return n;
};

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

/** Run history in Cassandra; without Cassandra the runs still happen and are only logged. */
export function cassandraRunStore(client: CassandraClient | null): RunStore {
  const started = new Map<string, BatchRun>();
  return {
    async start(kind, trigger) {
      if (!client) return { id: `local-${Date.now()}` };
      const run = await startRun(client, kind, trigger);
      started.set(run.id, run);
      return { id: run.id };
    },
    async finish(r, result) {
      const run = started.get(r.id);
      started.delete(r.id);
      if (client && run) await finishRun(client, run, result);
    },
    async skipped(kind, trigger, reason) {
      if (client) await recordSkipped(client, kind, trigger, reason);
    },
    pendingRequests: async () => (client ? pendingRunRequests(client) : []),
    claim: async (req) => (client ? claimRunRequest(client, req) : false),
  };
}

async function optionalCassandra(common: Common, timeoutMs: number): Promise<CassandraClient | null> {
  try {
    return await createCassandra(common.config, common.logger, { connectTimeoutMs: timeoutMs });
  } catch (e) {
    common.logger.warn({ msg: 'Cassandra unavailable: run history is not recorded', err: errorMessage(e) });
    return null;
  }
}

async function compactJob(common: Common, kafka: Kafka, duck: Duck, chainId: number | undefined) {
  const id = chainId ?? (await discoverChainId(kafka, common.config.KAFKA_TOPIC_PREFIX));
  const s = await createCompactor(common, { kafka, duck }, { chainId: id, mode: 'drain' }).run();
  return { rowsIn: s.records, rowsOut: s.txs, horizon: null, version: null };
}

/** Format rows as an aligned text table. */
export function formatTable(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

export function formatCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** First line of a DuckDB error, as one sentence. */
const oneSentence = (e: unknown): string => {
  const first = errorMessage(e).split('\n')[0]!.trim();
  return /[.!?]$/.test(first) ? first : `${first}.`;
};

export type SqlFormat = 'table' | 'csv' | 'json' | 'parquet';

/** Run one read-only SELECT over the lake. Returns the text to print (empty when written to a file). */
export async function runLakeSql(common: Common, sql: string, opts: { format: SqlFormat; out?: string; chainId?: number }): Promise<string> {
  const paths = lakePaths(common.config.LAKE_DIR);
  const query = sql.trim().replace(/;\s*$/, '');
  if (opts.format === 'parquet' && !opts.out) throw new ValidationError('--format parquet needs --out FILE.');
  if (opts.out && (resolve(opts.out) + sep).startsWith(paths.root + sep)) throw new ValidationError('--out must be outside the lake directory.');
  const duck = await duckFor(common);
  const conn = await duck.connect();
  try {
    await registerLakeViews(conn, paths, opts.chainId === undefined ? {} : { chainId: opts.chainId });
    let extracted;
    try {
      extracted = await conn.extractStatements(query);
      if (extracted.count !== 1) throw new ValidationError(`expected exactly one SQL statement, got ${extracted.count}.`);
      const prepared = await extracted.prepare(0);
      if (prepared.statementType !== StatementType.SELECT) throw new ValidationError('only SELECT queries are allowed; the lake is read-only here.');
      if (opts.format === 'parquet') {
        await conn.run(`COPY (${query}) TO ${sqlString(resolve(opts.out!))} (FORMAT parquet, COMPRESSION zstd)`);
        return '';
      }
      const reader = await prepared.runAndReadAll();
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      const columns = reader.columnNames();
      const text = opts.format === 'json' ? `${JSON.stringify(rows)}\n` : opts.format === 'csv' ? formatCsv(rows, columns) : formatTable(rows, columns);
      if (opts.out) {
        await writeFile(opts.out, text);
        return '';
      }
      return text;
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      throw new ValidationError(`SQL error: ${oneSentence(e)}`, undefined, { cause: e });
    }
  } finally {
    conn.closeSync();
    duck.close();
  }
}

export function registerBatchCommands(program: Command): void {
  program
    .command('compact')
    .description('Compact the Kafka block topic into ZSTD Parquet under LAKE_DIR/raw, exactly once (resumes from the lake file names)')
    .option('--chain-id <id>', 'chain to compact (default: the only block topic in Kafka)', chainIdArg)
    .option('--once', 'stop once caught up with the topic end seen at start, instead of running continuously (progress bar on stderr when it is a TTY)')
    .option('--merge-only', 'only merge the files of closed days into one per table (and delete superseded files), then exit')
    .action(async (opts: { chainId?: number; once?: boolean; mergeOnly?: boolean }) => {
      const common = createCommon('compact');
      const kafka = createKafka(common.config, common.logger, 'compact');
      const chainId = opts.chainId ?? (await discoverChainId(kafka, common.config.KAFKA_TOPIC_PREFIX));
      const duck = await duckFor(common);
      const drain = opts.once === true || opts.mergeOnly === true;
      const progress = opts.once && !opts.mergeOnly ? createCompactProgress({ stream: process.stderr, logger: common.logger }) : null;
      const compactor = createCompactor(common, { kafka, duck }, {
        chainId,
        mode: drain ? 'drain' : 'continuous',
        mergeOnly: opts.mergeOnly === true,
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
    });

  program
    .command('recompute')
    .description('Recompute the batch views from the lake and publish a new version (incremental by default)')
    .option('--chain-id <id>', 'chain of the lake to recompute (default: the only chain in the lake)', chainIdArg)
    .option('--full', 'recompute every day instead of only the days whose raw files changed')
    .option('--no-history', 'do not record the run in Cassandra')
    .action(async (opts: { chainId?: number; full?: boolean; history: boolean }) => {
      const common = createCommon('recompute');
      const duck = await duckFor(common);
      const cassandra = opts.history ? await optionalCassandra(common, 10_000) : null;
      try {
        const scheduler = createBatchScheduler(
          common,
          {
            store: cassandraRunStore(cassandra),
            jobs: {
              recompute: async () => {
                const progress = createRecomputeProgress({ stream: process.stderr, logger: common.logger });
                const r = await recompute(common, { duck }, { ...(opts.chainId ? { chainId: opts.chainId } : {}), full: opts.full === true, onStep: progress.onStep, onStepStart: progress.onStepStart }).finally(progress.stop);
                process.stdout.write(`${JSON.stringify(r)}\n`);
                return { rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, version: r.version };
              },
              compact: async () => {
                throw new ValidationError('not used');
              },
            },
          },
          { batchCron: '* * * * *', compactCron: null, requestPollMs: 1000 },
        );
        const result = await scheduler.run('recompute', 'manual');
        if (result.status !== 'succeeded') throw new ValidationError(`recompute ${result.status}: ${result.error ?? ''}`.trim());
      } finally {
        await cassandra?.shutdown();
        duck.close();
      }
    });

  program
    .command('schedule')
    .description('Run the batch scheduler: recompute on BATCH_CRON, compaction on COMPACT_CRON ("off" disables), run requests from the API; serves /metrics /health /ready on BATCH_METRICS_PORT')
    .option('--chain-id <id>', 'chain to compact and recompute (default: discovered)', chainIdArg)
    .action(async (opts: { chainId?: number }) => {
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
      const paths = lakePaths(config.LAKE_DIR);
      const scheduler = createBatchScheduler(
        common,
        {
          store: cassandraRunStore(cassandra),
          jobs: {
            recompute: async () => {
              const ids = await lakeChainIds(paths);
              const chainId = opts.chainId ?? (ids.length === 1 ? ids[0] : undefined);
              const r = await withDuck((duck) => recompute(common, { duck }, chainId === undefined ? {} : { chainId }));
              return { rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, version: r.version };
            },
            compact: () => withDuck((duck) => compactJob(common, kafka, duck, opts.chainId)),
          },
        },
        { batchCron: config.BATCH_CRON, compactCron: config.COMPACT_CRON === 'off' ? null : config.COMPACT_CRON, requestPollMs: config.BATCH_REQUEST_POLL_MS },
      );
      scheduler.start();
      common.shutdown.add('scheduler', () => scheduler.stop());
      // The shop's nightly books scrape + recommendations ("off" disables); it records its own runs.
      if (config.BOOKS_CRON !== 'off') {
        validateCron('BOOKS_CRON', config.BOOKS_CRON);
        const books = scheduleBooksPipeline(config.BOOKS_CRON, () => runBooksPipeline(common, { trigger: 'cron' }), common.logger);
        common.shutdown.add('books-cron', () => void books.stop());
      }
      await serveProcessEndpoints(common, config.BATCH_METRICS_PORT, {
        cassandra: async () => void (await cassandra.execute('SELECT release_version FROM system.local')),
      });
      await new Promise<void>((r) => common.shutdown.signal.addEventListener('abort', () => r(), { once: true }));
    });

  program
    .command('sql')
    .description('Run one read-only SELECT over the lake with DuckDB (raw tables, canonical_blocks, canonical_transactions and the batch views of CURRENT)')
    .argument('<query>', 'a SELECT statement')
    .option('--format <format>', 'table | csv | json | parquet', (v: string) => {
      if (!['table', 'csv', 'json', 'parquet'].includes(v)) throw new InvalidArgumentError('expected table, csv, json or parquet.');
      return v as SqlFormat;
    }, 'table')
    .option('--out <file>', 'write the result to FILE instead of stdout (required for parquet)')
    .option('--chain-id <id>', 'only this chain of the raw lake', chainIdArg)
    .action(async (query: string, opts: { format: SqlFormat; out?: string; chainId?: number }) => {
      const config = loadConfig();
      const common = createCommon('sql', { config: { ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, installSignalHandlers: false });
      const text = await runLakeSql(common, query, opts);
      if (text) process.stdout.write(text);
    });
}
