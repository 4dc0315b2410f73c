// `chainlake compact | recompute | schedule | sql`: the batch layer (batch/main.ts, batch/sql-runner.ts).
import type { Command } from 'commander';
import type { Common } from '../../core/common.js';
import type { CassandraClient } from '../../storage/cassandra.js';
import { chainIdFlag, oneOfFlag } from './flags.js';

const SQL_FORMATS = ['table', 'csv', 'json', 'parquet'] as const;

/** Work `chainlake schedule` starts beside the batch scheduler (the shop's scheduler, see ops/cli.ts); resolves to its stop. */
export type ScheduleAlongside = (common: Common, cassandra: CassandraClient) => Promise<() => Promise<void>>;

export function registerBatchCommands(program: Command, alongsideSchedule?: ScheduleAlongside): void {
  program
    .command('compact')
    .description('Compact the Kafka block topic into ZSTD Parquet under LAKE_DIR/raw, exactly once (resumes from the lake file names)')
    .option('--chain-id <id>', 'chain to compact (default: the only block topic in Kafka)', chainIdFlag())
    .option('--once', 'stop once caught up with the topic end seen at start, instead of running continuously (progress bar on stderr when it is a TTY)')
    .option('--merge-only', 'only merge the files of closed days into one per table (and delete superseded files), then exit')
    .action(async (opts: { chainId?: number; once?: boolean; mergeOnly?: boolean }) =>
      (await import('../../batch/main.js')).runCompact({ ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}), once: opts.once === true, mergeOnly: opts.mergeOnly === true }),
    );

  program
    .command('recompute')
    .description('Recompute the batch views from the lake and publish a new version (incremental by default)')
    .option('--chain-id <id>', 'chain of the lake to recompute (default: the only chain in the lake)', chainIdFlag())
    .option('--full', 'recompute every day instead of only the days whose raw files changed')
    .option('--no-history', 'do not record the run in Cassandra')
    .action(async (opts: { chainId?: number; full?: boolean; history: boolean }) =>
      (await import('../../batch/main.js')).runRecompute({ ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}), full: opts.full === true, history: opts.history }),
    );

  program
    .command('schedule')
    .description('Run the batch scheduler: recompute on BATCH_CRON, compaction on COMPACT_CRON ("off" disables), run requests from the API; serves /metrics /health /ready on BATCH_METRICS_PORT')
    .option('--chain-id <id>', 'chain to compact and recompute (default: discovered)', chainIdFlag())
    .action(async (opts: { chainId?: number }) =>
      (await import('../../batch/main.js')).runSchedule({ ...(opts.chainId !== undefined ? { chainId: opts.chainId } : {}), ...(alongsideSchedule ? { alongside: alongsideSchedule } : {}) }),
    );

  program
    .command('sql')
    .description('Run one read-only SELECT over the lake with DuckDB (raw tables, canonical_blocks, canonical_transactions and the batch views of CURRENT)')
    .argument('<query>', 'a SELECT statement')
    .option('--format <format>', 'table | csv | json | parquet', oneOfFlag('--format', SQL_FORMATS, 'table, csv, json or parquet'), 'table')
    .option('--out <file>', 'write the result to FILE instead of stdout (required for parquet)')
    .option('--chain-id <id>', 'only this chain of the raw lake', chainIdFlag())
    .action(async (query: string, opts: { format: (typeof SQL_FORMATS)[number]; out?: string; chainId?: number }) => (await import('../../batch/sql-runner.js')).printLakeSql(query, opts));
}
