// Entry points of `chainlake ingest | backfill | export` (ops/commands/ingest.ts parses the
// flags): one function per command, owning its process lifetime (shutdown, exit code).
import { resolveChainFamily } from '../../core/chains/index.js';
import { loadConfig } from '../../core/config.js';
import { errorMessage, FatalError } from '../../core/errors.js';
import { createProgressBar, etaSeconds, ratePerSecond } from '../../core/progress.js';
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { createRpcPoolFromConfig } from '../rpc/index.js';
import { ExportIncompleteError, exportBlocks } from './export.js';
import type { createIngest } from './ingest.js';
import { createRpcBlockSource } from './source.js';
import type { IngestObserver } from './types.js';

/** Blocks and txs done, with rates: a bar on a TTY, else a line every 5 s on stderr. */
function blockProgress(total: number, label: string) {
  let txs = 0;
  const rates = (value: number, seconds: number) => ({ bps: ratePerSecond(value, seconds).toFixed(1), tps: ratePerSecond(txs, seconds).toFixed(0) });
  const bar = createProgressBar<null>({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} blocks | {bps} blocks/s | {tps} tx/s | ETA {eta_formatted}`,
    fields: (s) => rates(s.value, s.seconds),
    line: (s) => {
      const r = rates(s.value, s.seconds);
      const eta = etaSeconds(s.total - s.value, s.value, s.seconds);
      process.stderr.write(`${label}: ${s.value}/${s.total} blocks, ${r.bps} blocks/s, ${r.tps} tx/s, ETA ${eta === null ? '?' : Math.round(eta)} s\n`);
    },
  });
  let done = 0;
  return {
    update(blocks: number, txCount: number) {
      done = blocks;
      txs = txCount;
      bar.update(blocks, total, null);
    },
    stop() {
      bar.stop();
      const seconds = bar.seconds();
      const r = rates(done, seconds);
      return { blocks: done, txs, seconds: Number(seconds.toFixed(2)), blocksPerSecond: Number(r.bps), txPerSecond: Number(r.tps) };
    },
  };
}

/** Follow the chain head until stopped; exit 1 on a crash or a fatal condition (every RPC key refused included). */
export async function runIngest(): Promise<void> {
  const common = createCommon('ingest');
  let ingest: Awaited<ReturnType<typeof createIngest>>;
  try {
    ingest = await (await import('./ingest.js')).createIngest(common);
  } catch (e) {
    if (common.shutdown.signal.aborted) return;
    common.logger.fatal({ msg: 'Ingest could not start', err: errorMessage(e) });
    process.stderr.write(`chainlake: ingest could not start: ${errorMessage(e)}\n`);
    await common.shutdown.run('fatal');
    process.exit(1);
  }
  await serveProcessEndpoints(common, common.config.INGEST_METRICS_PORT, ingest.readyChecks);
  try {
    await ingest.run();
  } catch (e) {
    common.logger.fatal({ msg: e instanceof FatalError ? 'Ingest stopped: fatal condition' : 'Ingest crashed', err: errorMessage(e) });
    await common.shutdown.run('fatal');
    process.exit(1);
  }
  await common.shutdown.run('done');
}

/** Publish blocks from..to to Kafka; prints a JSON summary. Exit 2 when `to` is above the head. */
export async function runBackfill(range: { from: number; to: number }, opts: { rps?: number } = {}): Promise<void> {
  const cfg = loadConfig();
  // --rps: the rate of every endpoint (RPC_LIMITS entries and RPC_DEFAULT_RPS alike).
  const common = createCommon('backfill', opts.rps !== undefined ? { config: { ...cfg, RPC_DEFAULT_RPS: opts.rps, RPC_LIMITS: overrideRps(cfg.RPC_LIMITS, opts.rps) } } : {});
  let progress: ReturnType<typeof blockProgress> | null = null;
  let blocks = 0;
  let txs = 0;
  const observer: IngestObserver = {
    published: (p) => {
      blocks += p.blocks;
      txs += p.txs;
      progress?.update(blocks, txs);
    },
  };
  let ingest: Awaited<ReturnType<typeof createIngest>>;
  try {
    ingest = await (await import('./ingest.js')).createIngest(common, { mode: { kind: 'backfill', from: range.from, to: range.to }, observer });
  } catch (e) {
    process.stderr.write(`chainlake: backfill could not start: ${errorMessage(e)}\n`);
    await common.shutdown.run('failed');
    process.exit(1);
  }
  const head = await ingest.source.head();
  if (range.to > head) {
    process.stderr.write(`chainlake: --to ${range.to} is above the chain head ${head}\n`);
    await common.shutdown.run('bad flags');
    process.exit(2);
  }
  progress = blockProgress(range.to - range.from + 1, 'backfill');
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
}

/** RPC_LIMITS with every entry's rps replaced (quota, weight and costs kept). */
function overrideRps(limits: string, rps: number): string {
  return limits
    .split(/[;\n]/)
    .filter((e) => e.trim() !== '')
    .map((e) => e.trim().replace(/=([0-9.]*)/, `=${rps}`))
    .join(';');
}

export type ExportCommand = { rpc: string; numbers: number[]; format: 'parquet' | 'ndjson'; out: string; concurrency?: number; rps?: number; strict?: boolean };

/**
 * Write the blocks straight from the RPC endpoint to files. Exit 1 when some block went to
 * the DLQ or could not be read (each named on stderr; with --strict nothing is written).
 * The staging folder is removed on every path, SIGTERM included.
 */
export async function runExport(opts: ExportCommand): Promise<void> {
  const cfg = loadConfig();
  const common = createCommon('export', { config: { ...cfg, ETH_RPC_URLS: [opts.rpc], ...(opts.rps !== undefined ? { RPC_DEFAULT_RPS: opts.rps, RPC_LIMITS: overrideRps(cfg.RPC_LIMITS, opts.rps) } : {}) } });
  const pool = createRpcPoolFromConfig(common);
  common.shutdown.add('rpc-pool', () => pool.close());
  let running: Promise<unknown> | null = null;
  // Registered last, so it runs first on SIGTERM: the export stops and removes its staging folder before the process exits.
  common.shutdown.add('export', async () => {
    await running?.catch(() => {});
  });
  try {
    const chainId = await pool.chainId();
    const progress = blockProgress(opts.numbers.length, 'export');
    const exporting = exportBlocks({
      // The chain family as ingest picks it (CHAIN_FAMILY overrides the chain id's), so export keeps the same fields.
      source: createRpcBlockSource({ pool, chainId, logger: common.logger, family: resolveChainFamily(chainId, cfg.CHAIN_FAMILY) }),
      numbers: opts.numbers,
      format: opts.format,
      outDir: opts.out,
      concurrency: opts.concurrency ?? cfg.INGEST_CONCURRENCY,
      ...(opts.strict ? { strict: true } : {}),
      signal: common.shutdown.signal,
      onProgress: (p) => progress.update(p.blocks, p.txs),
    });
    running = exporting;
    const result = await exporting;
    const summary = progress.stop();
    for (const f of result.failed) process.stderr.write(`chainlake: ${f.reason}\n`);
    process.stdout.write(`${JSON.stringify({ chainId, format: opts.format, ...result, seconds: summary.seconds })}\n`);
    await common.shutdown.run('done');
    process.exit(result.dlqBlocks.length > 0 || result.failed.length > 0 ? 1 : 0);
  } catch (e) {
    if (common.shutdown.signal.aborted) return;
    if (e instanceof ExportIncompleteError) for (const f of e.failed) process.stderr.write(`chainlake: ${f.reason}\n`);
    process.stderr.write(`chainlake: export failed: ${errorMessage(e)}\n`);
    await common.shutdown.run('failed');
    process.exit(1);
  }
}
