// `chainlake up | down | status`: the local stack (ops/up.ts, ops/stack.ts).
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';

const say = (msg: string) => process.stderr.write(`[chainlake] ${msg}\n`);

export function registerStackCommands(program: Command): void {
  program
    .command('up')
    .description('Start the local stack: Kafka, Cassandra, anvil + traffic (unless ETH_RPC_URLS is set), ingest, views, batch scheduler, serving + dashboard')
    .option('--infra-only', 'start only Kafka, Cassandra and the chain, not the chainlake processes')
    .action(async (opts: { infraOnly?: boolean }) => (await import('../up.js')).up(loadConfig(), { processes: !opts.infraOnly }, say));

  program
    .command('down')
    .description('Stop everything `chainlake up` started (by pid file)')
    .action(async () => (await import('../stack.js')).stopAll(loadConfig().DATA_DIR, say));

  program
    .command('status')
    .description('Show which stack processes run, with pid and log file')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = (await import('../stack.js')).stackStatus(loadConfig().DATA_DIR);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(rows)}\n`);
      if (rows.length === 0) return void process.stdout.write('nothing is running (start with: npm start)\n');
      for (const r of rows) process.stdout.write(`${r.name.padEnd(13)} ${r.pid ? `running  pid ${r.pid}` : 'stopped'}  ${r.log}\n`);
    });
}
