// `chainlake traffic | prefill`: the local chain's load (ops/traffic/main.ts).
import type { Command } from 'commander';
import { httpUrlFlag, intFlag, numberFlag, optional, portFlag, positiveIntFlag } from './flags.js';

const seedFlag = numberFlag('--seed', 'an integer', { integer: true });
const accountsFlag = intFlag('--accounts', 1, 20);

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
    .action(async (raw: { rpc?: string; tps?: string; duration?: string; seed?: string; accounts: string; metricsPort?: string }) => {
      const flags = {
        rpc: optional(httpUrlFlag('--rpc'), raw.rpc),
        tps: optional(numberFlag('--tps', 'a number from 0 to 10000', { min: 0, max: 10_000 }), raw.tps),
        duration: optional(numberFlag('--duration', 'a positive number of seconds', { min: Number.MIN_VALUE }), raw.duration),
        seed: optional(seedFlag, raw.seed),
        accounts: accountsFlag(raw.accounts),
        metricsPort: optional(portFlag('--metrics-port'), raw.metricsPort),
      };
      await (await import('../traffic/main.js')).runTraffic(flags);
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
    .action(async (raw: { rpc?: string; blocks: string; txsPerBlock: string; seed: string; accounts: string; timestampStep?: string }) => {
      const rpc = optional(httpUrlFlag('--rpc'), raw.rpc);
      const timestampStep = optional(positiveIntFlag('--timestamp-step'), raw.timestampStep);
      await (await import('../traffic/main.js')).runPrefill({
        ...(rpc !== undefined ? { rpc } : {}),
        blocks: positiveIntFlag('--blocks')(raw.blocks),
        txsPerBlock: intFlag('--txs-per-block', 1, 5_000)(raw.txsPerBlock),
        seed: seedFlag(raw.seed),
        accounts: accountsFlag(raw.accounts),
        ...(timestampStep !== undefined ? { timestampStep } : {}),
      });
    });
}
