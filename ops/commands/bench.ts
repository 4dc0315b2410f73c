// `chainlake bench [suite...]`: the benchmarks (bench/suites.ts).
import type { Command } from 'commander';

export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description('Run benchmarks and print measured numbers as JSON (suites: bench/<suite>/run.ts)')
    .argument('[suites...]', 'suites to run (default: all)')
    .option('--list', 'list the suites')
    .action(async (suites: string[], opts: { list?: boolean }) => (await import('../../bench/suites.js')).runBenchSuites(suites, { list: opts.list === true }));
}
