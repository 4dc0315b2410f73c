// `chainlake traffic` (long-running generator, used by `npm start`) and `chainlake prefill`
// (history for benchmarks). Flags are validated with zod; a bad flag is one sentence on stderr.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../core/config.js';
import { ValidationError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { startTraffic } from './generator.js';
import { prefillChain } from './prefill.js';

/** An optional numeric flag; `expected` completes "--flag must be …". */
const num = (flag: string, schema: z.ZodNumber, expected: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const parsed = schema.safeParse(Number(v));
      if (v.trim() === '' || !parsed.success) {
        ctx.addIssue({ code: 'custom', message: `${flag} must be ${expected}, got "${v}"` });
        return z.NEVER;
      }
      return parsed.data;
    });
const url = z.string().url('--rpc must be an http(s) URL').optional();

const trafficFlags = z.object({
  rpc: url,
  tps: num('--tps', z.number().finite().min(0).max(10_000), 'a number from 0 to 10000'),
  duration: num('--duration', z.number().finite().positive(), 'a positive number of seconds'),
  seed: num('--seed', z.number().int(), 'an integer'),
  accounts: num('--accounts', z.number().int().min(1).max(20), 'an integer from 1 to 20'),
  metricsPort: num('--metrics-port', z.number().int().min(0).max(65535), 'a port number'),
});

const prefillFlags = z.object({
  rpc: url,
  blocks: num('--blocks', z.number().int().min(1), 'a positive integer'),
  txsPerBlock: num('--txs-per-block', z.number().int().min(1).max(5_000), 'an integer from 1 to 5000'),
  seed: num('--seed', z.number().int(), 'an integer'),
  accounts: num('--accounts', z.number().int().min(1).max(20), 'an integer from 1 to 20'),
  timestampStep: num('--timestamp-step', z.number().int().min(1), 'a positive integer'),
});

function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'invalid flags');
  return parsed.data;
}

export function registerTrafficCommands(program: Command): void {
  program
    .command('traffic')
    .description('Send a realistic, seeded tx mix to a local anvil: native transfers, ERC-20 transfer/approve/transferFrom, deploys and failing txs')
    .option('--rpc <url>', 'JSON-RPC URL of the chain (default http://$HOST:$ANVIL_PORT)')
    .option('--tps <n>', 'target transactions per second (default $TRAFFIC_TPS)')
    .option('--duration <seconds>', 'stop after this many seconds (default: run until SIGINT/SIGTERM)')
    .option('--seed <n>', 'seed of the tx mix (default: time-based)')
    .option('--accounts <n>', 'how many dev-mnemonic accounts send, 1..20', '10')
    .option('--metrics-port <port>', '/metrics, /health, /ready port (default $TRAFFIC_METRICS_PORT)')
    .action(async (raw: Record<string, string | undefined>) => {
      const flags = parseFlags(trafficFlags, raw);
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
        accounts: flags.accounts ?? 10,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      });
      running = true;
      common.shutdown.add('traffic', traffic.stop);
      if (flags.duration !== undefined) {
        setTimeout(() => void common.shutdown.run('duration elapsed').then(() => {
          process.stdout.write(`${JSON.stringify({ tokens: traffic.tokens, counter: traffic.counter, ...traffic.stats() })}\n`);
          process.exit(0);
        }), flags.duration * 1000);
      }
    });

  program
    .command('prefill')
    .description('Fill a local anvil with history for benchmarks: automine off, N blocks of exactly M txs of the traffic mix, each mined with evm_mine')
    .option('--rpc <url>', 'JSON-RPC URL of the anvil (default http://$HOST:$ANVIL_PORT)')
    .option('--blocks <n>', 'blocks to mine', '100')
    .option('--txs-per-block <n>', 'transactions in every block', '100')
    .option('--seed <n>', 'seed of the tx mix', '1')
    .option('--accounts <n>', 'how many dev-mnemonic accounts send, 1..20', '10')
    .option('--timestamp-step <seconds>', 'seconds between block timestamps (default: anvil clock)')
    .action(async (raw: Record<string, string | undefined>) => {
      const flags = parseFlags(prefillFlags, raw);
      const config = loadConfig();
      const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, name: 'chainlake-prefill' });
      const blocks = flags.blocks ?? 100;
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'prefill [{bar}] {value}/{total} blocks · {txs} txs · {eta_formatted} left' }, cliProgress.Presets.shades_classic) : undefined;
      bar?.start(blocks, 0, { txs: 0 });
      try {
        const result = await prefillChain({
          rpcUrl: flags.rpc ?? `http://${config.HOST}:${config.ANVIL_PORT}`,
          blocks,
          txsPerBlock: flags.txsPerBlock ?? 100,
          logger,
          seed: flags.seed ?? 1,
          accounts: flags.accounts ?? 10,
          ...(flags.timestampStep !== undefined ? { timestampStep: flags.timestampStep } : {}),
          onProgress: (p) => bar?.update(p.blocksDone, { txs: p.txs }),
        });
        bar?.stop();
        process.stdout.write(`${JSON.stringify({ ...result, elapsedMs: Math.round(result.elapsedMs), txPerSecond: Math.round(result.txs / (result.elapsedMs / 1000)) })}\n`);
      } finally {
        bar?.stop();
      }
    });
}
