// Entry point of `chainlake bench [suite...]`: runs bench/<suite>/run.ts in child processes
// (through tsx), one after another; each prints its JSON. Most suites need the local infra
// (npm start or `chainlake up --infra-only`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../core/paths.js';

const benchDir = repoPath('bench');

export const benchSuites = (): string[] =>
  readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'run.ts')))
    .map((d) => d.name)
    .sort();

/** Exit code 2 for an unknown suite, 1 when a suite failed. */
export function runBenchSuites(suites: string[], opts: { list: boolean }): void {
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
}
