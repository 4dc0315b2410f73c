// Benchmark scripts: --help prints the header comment, a bad flag is a sentence and exit code 2
// (before anything is started: no Kafka or DuckDB work happens for a typo).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'batch', 'run.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

describe('bench/batch/run.ts flags', () => {
  test('--help prints the usage from the header comment, including boolean flags', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Batch-layer benchmark');
    expect(r.stdout).toMatch(/--small-files\s+recompute over every roll's small files/);
  });

  test('an unknown flag and a non-numeric count exit 2 with a sentence', () => {
    const unknown = run('--skip-compact', '--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    const bad = run('--skip-compact', '--repeats', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--repeats must be a non-negative integer, got "x"');
  });
});
