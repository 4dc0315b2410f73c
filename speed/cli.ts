// `chainlake ingest | backfill | export`: the speed layer's ingest commands.
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../core/config.js';
import { errorMessage, FatalError } from '../core/errors.js';
import { createCommon, serveProcessEndpoints } from '../core/runtime.js';
import { exportBlocks } from './ingest/export.js';
import { createIngest } from './ingest/ingest.js';
import { createRpcBlockSource } from './ingest/source.js';
import type { IngestObserver } from './ingest/types.js';
import { createRpcPool, parseRpcEndpoints } from './rpc/index.js';

const blockNumber = (flag: string) =>
  z
    .string({ error: `${flag} is required` })
    .regex(/^\d+$/, `${flag} must be a non-negative block number`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${flag} is too large`);

const rangeSchema = z
  .object({ from: blockNumber('--from'), to: blockNumber('--to') })
  .refine((r) => r.from <= r.to, '--from must not be greater than --to');

const exportSchema = z
  .object({
    rpc: z.url({ protocol: /^https?$/, error: '--rpc must be an http(s) URL' }),
    from: z.string().optional(),
    to: z.string().optional(),
    blocks: z.string().optional(),
    format: z.enum(['parquet', 'ndjson'], { error: '--format must be parquet or ndjson' }),
    out: z.string({ error: '--out DIR is required' }).min(1, '--out DIR is required'),
    concurrency: z.coerce.number().int().positive().max(256, '--concurrency must be 1..256').optional(),
  })
  .transform((o, ctx) => {
    const hasRange = o.from !== undefined || o.to !== undefined;
    if (hasRange === (o.blocks !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either --from A --to B or --blocks n1,n2,...' });
      return z.NEVER;
    }
    let numbers: number[];
    if (o.blocks !== undefined) {
      const parts = o.blocks.split(',').map((s) => s.trim());
      if (parts.some((p) => !/^\d+$/.test(p))) {
        ctx.addIssue({ code: 'custom', message: '--blocks must be a comma-separated list of block numbers' });
        return z.NEVER;
      }
      numbers = [...new Set(parts.map(Number))].sort((a, b) => a - b);
    } else {
      const r = rangeSchema.safeParse({ from: o.from, to: o.to });
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'bad range' });
        return z.NEVER;
      }
      numbers = Array.from({ length: r.data.to - r.data.from + 1 }, (_, i) => r.data.from + i);
    }
    return { ...o, numbers };
  });

/** Bad flags: one sentence on stderr, exit code 2. */
function parseFlags<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  process.stderr.write(`chainlake: ${r.error.issues[0]?.message ?? 'invalid flags'}\n`);
  process.exit(2);
}

/** A progress bar on stderr when it is a TTY, else a log line every 5 s. */
function progressReporter(total: number, label: string) {
  const t0 = Date.now();
  let done = 0;
  let txs = 0;
  let lastLine = 0;
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} blocks | {bps} blocks/s | {tps} tx/s | ETA {eta_formatted}`, stream: process.stderr, etaBuffer: 50 },
        Presets.shades_classic,
      )
    : null;
  bar?.start(total, 0, { bps: '0', tps: '0' });
  const rates = () => {
    const s = Math.max(0.001, (Date.now() - t0) / 1000);
    return { bps: (done / s).toFixed(1), tps: (txs / s).toFixed(0), seconds: s };
  };
  return {
    update(blocks: number, txCount: number) {
      done = blocks;
      txs = txCount;
      const r = rates();
      if (bar) bar.update(done, { bps: r.bps, tps: r.tps });
      else if (Date.now() - lastLine > 5_000 || done === total) {
        lastLine = Date.now();
        const eta = done > 0 ? Math.round(((total - done) * r.seconds) / done) : null;
        process.stderr.write(`${label}: ${done}/${total} blocks, ${r.bps} blocks/s, ${r.tps} tx/s, ETA ${eta ?? '?'} s\n`);
      }
    },
    stop() {
      bar?.stop();
      const r = rates();
      return { blocks: done, txs, seconds: Number(r.seconds.toFixed(2)), blocksPerSecond: Number(r.bps), txPerSecond: Number(r.tps) };
    },
  };
}

export function registerSpeedIngestCommands(program: Command): void {
  program
    .command('ingest')
    .description('Follow the chain head: RPC → decode → Kafka (blocks + DLQ topics), checkpoint and reorg window in Cassandra; serves /metrics /health /ready on INGEST_METRICS_PORT')
    .action(async () => {
      const common = createCommon('ingest');
      const ingest = await createIngest(common);
      await serveProcessEndpoints(common, common.config.INGEST_METRICS_PORT, ingest.readyChecks);
      try {
        await ingest.run();
      } catch (e) {
        common.logger.fatal({ msg: e instanceof FatalError ? 'Ingest stopped: fatal condition' : 'Ingest crashed', err: errorMessage(e) });
        await common.shutdown.run('fatal');
        process.exit(1);
      }
      await common.shutdown.run('done');
    });

  program
    .command('backfill')
    .description("Publish blocks --from A --to B (inclusive) to Kafka with a progress bar; safe beside a running follower (the follower's checkpoint is not moved)")
    .requiredOption('--from <block>', 'first block')
    .requiredOption('--to <block>', 'last block (at most the current head)')
    .action(async (flags: { from: string; to: string }) => {
      const range = parseFlags(rangeSchema, flags);
      const common = createCommon('backfill');
      let progress: ReturnType<typeof progressReporter> | null = null;
      let blocks = 0;
      let txs = 0;
      const observer: IngestObserver = {
        published: (p) => {
          blocks += p.blocks;
          txs += p.txs;
          progress?.update(blocks, txs);
        },
      };
      const ingest = await createIngest(common, { mode: { kind: 'backfill', from: range.from, to: range.to }, observer });
      const head = await ingest.source.head();
      if (range.to > head) {
        process.stderr.write(`chainlake: --to ${range.to} is above the chain head ${head}\n`);
        await common.shutdown.run('bad flags');
        process.exit(2);
      }
      progress = progressReporter(range.to - range.from + 1, 'backfill');
      try {
        await ingest.run();
      } catch (e) {
        progress.stop();
        process.stderr.write(`chainlake: backfill failed: ${errorMessage(e)}\n`);
        await common.shutdown.run('failed');
        process.exit(1);
      }
      const summary = progress.stop();
      const source = ingest.source.stats();
      await common.shutdown.run('done');
      process.stdout.write(
        `${JSON.stringify({ chainId: ingest.chainId, topic: ingest.topics.blocks, from: range.from, to: range.to, ...summary, requestsPerBlock: source.blocks > 0 ? Number((source.blockRequests / source.blocks).toFixed(3)) : null })}\n`,
      );
      process.exit(0);
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
    .action(async (flags: Record<string, string | undefined>) => {
      const opts = parseFlags(exportSchema, flags);
      const cfg = loadConfig();
      const common = createCommon('export', { config: { ...cfg, ETH_RPC_URLS: [opts.rpc] } });
      const pool = createRpcPool({ endpoints: parseRpcEndpoints(common.config), logger: common.logger, metrics: common.metrics, signal: common.shutdown.signal, timeoutMs: cfg.RPC_TIMEOUT_MS });
      common.shutdown.add('rpc-pool', () => pool.close());
      try {
        const chainId = await pool.chainId();
        const progress = progressReporter(opts.numbers.length, 'export');
        const result = await exportBlocks({
          source: createRpcBlockSource({ pool, chainId, logger: common.logger }),
          numbers: opts.numbers,
          format: opts.format,
          outDir: opts.out,
          concurrency: opts.concurrency ?? cfg.INGEST_CONCURRENCY,
          signal: common.shutdown.signal,
          onProgress: (p) => progress.update(p.blocks, p.txs),
        });
        const summary = progress.stop();
        process.stdout.write(`${JSON.stringify({ chainId, format: opts.format, ...result, seconds: summary.seconds })}\n`);
        await common.shutdown.run('done');
        process.exit(result.dlqBlocks.length > 0 ? 1 : 0);
      } catch (e) {
        process.stderr.write(`chainlake: export failed: ${errorMessage(e)}\n`);
        await common.shutdown.run('failed');
        process.exit(1);
      }
    });
}
