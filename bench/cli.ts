// `chainlake bench [suite...]`: runs bench/<suite>/run.ts in child processes, one after
// another, and prints each suite's JSON. Needs the local infra (npm start or `chainlake up --infra-only`).
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const benchDir = resolve('bench');
export const benchSuites = (): string[] =>
  readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'run.ts')))
    .map((d) => d.name)
    .sort();

export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description('Run benchmarks and print measured numbers as JSON (suites: bench/<suite>/run.ts)')
    .argument('[suites...]', 'suites to run (default: all)')
    .option('--list', 'list the suites')
    .action((suites: string[], opts: { list?: boolean }) => {
      const all = benchSuites();
      if (opts.list) return void process.stdout.write(`${all.join('\n')}\n`);
      const unknown = suites.filter((s) => !all.includes(s));
      if (unknown.length > 0) {
        process.stderr.write(`unknown bench suite(s): ${unknown.join(', ')} (available: ${all.join(', ')})\n`);
        process.exit(2);
      }
      let failed = 0;
      for (const suite of suites.length > 0 ? suites : all) {
        process.stderr.write(`[bench] ${suite}\n`);
        const r = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, suite, 'run.ts')], { stdio: 'inherit' });
        if (r.status !== 0) failed++;
      }
      if (failed > 0) process.exit(1);
    });
}
