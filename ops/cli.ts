// `chainlake <command>`: one CLI for the whole system. Every command is registered here from
// ops/commands/ (one file per command or small group) by static imports; a command file only
// parses its flags and, when the command runs, imports its layer's entry point by a literal
// path, so `chainlake --help` or `chainlake export` load only what they use.
// Errors: bad flags (FlagError, commander usage errors) and bad environment (ConfigError) are
// one sentence on stderr and exit code 2; anything else is `chainlake: <message>` and exit 1.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import { registerBatchCommands } from './commands/batch.js';
import { registerBenchCommands } from './commands/bench.js';
import { FlagError } from './commands/flags.js';
import { registerIngestCommands } from './commands/ingest.js';
import { registerReconcileCommands } from './commands/reconcile.js';
import { registerServeCommands } from './commands/serve.js';
import { registerStackCommands } from './commands/stack.js';
import { registerTrafficCommands } from './commands/traffic.js';
import { registerViewsCommands } from './commands/views.js';
import { registerShopCommands } from './commands/shop.js';
import type { ScheduleAlongside } from './commands/batch.js';
import type { ServePlugins } from './commands/serve.js';

// The composition root: the shop is a second application beside the chain's layers, added to
// `serve` as a plugin and to `schedule` as its own scheduler. Loaded only when those run.
const shopPlugins: ServePlugins = async (common, cassandra) => (await import('../shop/main.js')).shopServingPlugins(common, cassandra);
const shopBesideSchedule: ScheduleAlongside = async (common, cassandra) => (await import('../shop/main.js')).startShopBesideSchedule(common, cassandra);

// `chainlake status | head -3`: a reader that closes the pipe early is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });

const program = new Command();
program
  .name('chainlake')
  .description('Lambda-architecture analytics for EVM chains: speed layer (Kafka → Cassandra), batch layer (Parquet + DuckDB), serving API and dashboard')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerStackCommands(program);
registerIngestCommands(program);
registerViewsCommands(program);
registerBatchCommands(program, shopBesideSchedule);
registerShopCommands(program);
registerServeCommands(program, shopPlugins);
registerTrafficCommands(program);
registerReconcileCommands(program);
registerBenchCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof ConfigError || e instanceof FlagError) {
    process.stderr.write(e instanceof FlagError ? `chainlake: ${e.message}\n` : `${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`chainlake: ${errorMessage(e)}\n`);
  process.exit(1);
}
