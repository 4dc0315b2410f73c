// Entry points of `chainlake traffic` (long-running generator, used by `npm start`) and
// `chainlake prefill` (history for benchmarks); ops/commands/traffic.ts parses the flags.
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createProgressBar } from '../../core/progress.js';
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { startTraffic } from './generator.js';
import { prefillChain } from './prefill.js';

export type TrafficCommand = { rpc?: string; tps?: number; duration?: number; seed?: number; accounts: number; metricsPort?: number };

/** Send the tx mix until SIGINT/SIGTERM, or for `duration` seconds (then print its stats as JSON). */
export async function runTraffic(flags: TrafficCommand): Promise<void> {
  const config = loadConfig();
  const common = createCommon('traffic', { config });
  const rpcUrl = flags.rpc ?? `http://${config.HOST}:${config.ANVIL_PORT}`;
  let running = false;
  await serveProcessEndpoints(common, flags.metricsPort ?? config.TRAFFIC_METRICS_PORT, {
    generator: () => {
      if (!running) throw new Error('traffic setup not finished');
    },
  });
  const traffic = await startTraffic({
    rpcUrl,
    tps: flags.tps ?? config.TRAFFIC_TPS,
    logger: common.logger,
    signal: common.shutdown.signal,
    metrics: common.metrics,
    accounts: flags.accounts,
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  });
  running = true;
  common.shutdown.add('traffic', traffic.stop);
  if (flags.duration !== undefined) {
    setTimeout(
      () =>
        void common.shutdown.run('duration elapsed').then(() => {
          process.stdout.write(`${JSON.stringify({ tokens: traffic.tokens, counter: traffic.counter, ...traffic.stats() })}\n`);
          process.exit(0);
        }),
      flags.duration * 1000,
    );
  }
}

export type PrefillCommand = { rpc?: string; blocks: number; txsPerBlock: number; seed: number; accounts: number; timestampStep?: number };

/** Mine `blocks` blocks of `txsPerBlock` txs each; a bar on a TTY, the result as JSON on stdout. */
export async function runPrefill(flags: PrefillCommand): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, name: 'chainlake-prefill' });
  const bar = createProgressBar<{ txs: number }>({
    stream: process.stderr,
    format: 'prefill [{bar}] {value}/{total} blocks · {txs} txs · {eta_formatted} left',
    fields: (s) => ({ txs: String(s.payload.txs) }),
  });
  try {
    const result = await prefillChain({
      rpcUrl: flags.rpc ?? `http://${config.HOST}:${config.ANVIL_PORT}`,
      blocks: flags.blocks,
      txsPerBlock: flags.txsPerBlock,
      logger,
      seed: flags.seed,
      accounts: flags.accounts,
      ...(flags.timestampStep !== undefined ? { timestampStep: flags.timestampStep } : {}),
      onProgress: (p) => bar.update(p.blocksDone, flags.blocks, { txs: p.txs }),
    });
    bar.stop();
    process.stdout.write(`${JSON.stringify({ ...result, elapsedMs: Math.round(result.elapsedMs), txPerSecond: Math.round(result.txs / (result.elapsedMs / 1000)) })}\n`);
  } finally {
    bar.stop();
  }
}
