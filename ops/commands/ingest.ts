// `chainlake ingest | backfill | export`: the speed layer's ingest commands (speed/ingest/main.ts).
import type { Command } from 'commander';
import { configSpec } from '../../core/config.js';
import { blockList, blockRange, flagFail, httpUrlFlag, intFlag, oneOfFlag, optional } from './flags.js';

/** --rps: the rate limit default is easy to miss (it caps export at about rps/2 blocks/s), so the help says it. */
const RPS_HELP = `requests/s per RPC endpoint (default: RPC_LIMITS for its host, else RPC_DEFAULT_RPS = ${process.env.RPC_DEFAULT_RPS || configSpec.RPC_DEFAULT_RPS[1]}); a block costs 2 requests, so this caps the speed at about rps/2 blocks/s`;
const rpsFlag = (v: string | undefined) => optional(intFlag('--rps', 1, 100_000, '1..100000'), v);

export function registerIngestCommands(program: Command): void {
  program
    .command('ingest')
    .description('Follow the chain head: RPC → decode → Kafka (blocks + DLQ topics), checkpoint and reorg window in Cassandra; serves /metrics /health /ready on INGEST_METRICS_PORT')
    .action(async () => (await import('../../speed/ingest/main.js')).runIngest());

  program
    .command('backfill')
    .description("Publish blocks --from A --to B (inclusive) to Kafka with a progress bar; safe beside a running follower (the follower's checkpoint is not moved)")
    .requiredOption('--from <block>', 'first block')
    .requiredOption('--to <block>', 'last block (at most the current head)')
    .option('--rps <n>', RPS_HELP)
    .action(async (flags: { from: string; to: string; rps?: string }) => {
      const range = blockRange(flags.from, flags.to);
      const rps = rpsFlag(flags.rps);
      await (await import('../../speed/ingest/main.js')).runBackfill(range, rps !== undefined ? { rps } : {});
    });

  program
    .command('export')
    .description('Write blocks, transactions and token_transfers of a block range straight from an RPC endpoint to Parquet (ZSTD) or NDJSON files, decoded like the Kafka path (schema: docs/export-schema.md)')
    .requiredOption('--rpc <url>', 'JSON-RPC endpoint (http or https)')
    .option('--from <block>', 'first block (with --to)')
    .option('--to <block>', 'last block, inclusive (with --from)')
    .option('--blocks <list>', 'comma-separated block numbers (instead of --from/--to)')
    .option('--format <format>', 'parquet or ndjson', 'parquet')
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--concurrency <n>', 'blocks fetched in parallel (default INGEST_CONCURRENCY)')
    .option('--rps <n>', RPS_HELP)
    .option('--strict', 'write nothing when any block cannot be read (default: write every block that can be, name the others on stderr, exit 1)')
    .action(async (flags: { rpc: string; from?: string; to?: string; blocks?: string; format: string; out: string; concurrency?: string; rps?: string; strict?: boolean }) => {
      const rpc = httpUrlFlag('--rpc')(flags.rpc);
      const hasRange = flags.from !== undefined || flags.to !== undefined;
      if (hasRange === (flags.blocks !== undefined)) flagFail('give either --from A --to B or --blocks n1,n2,...');
      let numbers: number[];
      if (flags.blocks !== undefined) numbers = blockList('--blocks', flags.blocks);
      else {
        if (flags.from === undefined) flagFail('--from is required');
        if (flags.to === undefined) flagFail('--to is required');
        const r = blockRange(flags.from!, flags.to!);
        numbers = Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i);
      }
      const format = oneOfFlag('--format', ['parquet', 'ndjson'] as const)(flags.format);
      if (flags.out.trim() === '') flagFail('--out DIR is required');
      const concurrency = optional(intFlag('--concurrency', 1, 256, '1..256'), flags.concurrency);
      const rps = rpsFlag(flags.rps);
      await (await import('../../speed/ingest/main.js')).runExport({
        rpc,
        numbers,
        format,
        out: flags.out,
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(rps !== undefined ? { rps } : {}),
        ...(flags.strict ? { strict: true } : {}),
      });
    });
}
