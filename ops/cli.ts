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
// --- the shop's commands (books, fixture-site) and its books job beside `schedule` ------------
import { registerBooksCommands } from '../batch/jobs/cli.js';
import { registerFixtureSiteCommands } from './fixture-site/cli.js';
import type { ScheduleAlongside } from './commands/batch.js';

const booksBesideSchedule: ScheduleAlongside = (common) => {
  if (common.config.BOOKS_CRON === 'off') return null;
  // Loaded only when `schedule` runs: the nightly scrape + recommendations record their own runs.
  let stop: (() => void) | null = null;
  void (async () => {
    const [{ validateCron }, { scheduleBooksPipeline }, { runBooksPipeline }] = await Promise.all([import('../batch/schedule.js'), import('../batch/jobs/schedule-books.js'), import('../batch/jobs/cli.js')]);
    validateCron('BOOKS_CRON', common.config.BOOKS_CRON);
    const books = scheduleBooksPipeline(common.config.BOOKS_CRON, () => runBooksPipeline(common, { trigger: 'cron' }), common.logger);
    stop = () => void books.stop();
  })().catch((e: unknown) => {
    process.stderr.write(`chainlake: ${errorMessage(e)}\n`);
    process.exit(1);
  });
  return () => stop?.();
};
// ------------------------------------------------------------------------------------------------

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
registerBatchCommands(program, booksBesideSchedule);
registerBooksCommands(program);
registerServeCommands(program);
registerTrafficCommands(program);
registerFixtureSiteCommands(program);
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
