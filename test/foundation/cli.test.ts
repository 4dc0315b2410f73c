import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/chainlake.mjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

test('--help lists the stack commands', () => {
  const r = cli(['--help']);
  expect(r.status).toBe(0);
  for (const c of ['up', 'down', 'status']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
});

test('an unknown command exits 2 with a sentence', () => {
  const r = cli(['frobnicate']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
});

test('an invalid environment variable exits 2 naming the variable', () => {
  const r = cli(['status'], { KAFKA_PARTITIONS: '-4' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('KAFKA_PARTITIONS');
});

test('a reader that closes the pipe early (`status | head -1`, here `| true`) ends the CLI quietly with exit 0', () => {
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" bin/chainlake.mjs status | true`], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(r.status).toBe(0);
});
