// `chainlake views [run] | views status`: the speed views (speed/views/main.ts, status.ts).
import type { Command } from 'commander';
import { chainIdFlag } from './flags.js';

export function registerViewsCommands(program: Command): void {
  const views = program.command('views').description('Speed views: consume the block topic into Cassandra/ScyllaDB tables (default), or show their freshness');

  views
    .command('run', { isDefault: true })
    .description('Run the views consumer (Kafka <prefix>.<chainId>.blocks.v1 → Cassandra) with /metrics /health /ready on VIEWS_METRICS_PORT')
    .option('--chain-id <id>', 'chain id of the topic to consume (default: ask the RPC endpoint)', chainIdFlag())
    .option('--group <id>', 'consumer group id (default <prefix>.<chainId>.views)')
    .action(async (opts: { chainId?: number; group?: string }) => (await import('../../speed/views/main.js')).runViewsCommand(opts));

  views
    .command('status')
    .description('Print the freshness of the speed views as JSON: newest block, its chain time, per-partition checkpoints')
    .option('--chain-id <id>', 'chain id (default: ask the RPC endpoint)', chainIdFlag())
    .action(async (opts: { chainId?: number }) => (await import('../../speed/views/status.js')).printViewsStatus(opts));
}
