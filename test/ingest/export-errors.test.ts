// `chainlake export` against a provider that answers badly, as a user runs it: blocks
// without receipts (-32001 / null / []) far behind the head, an invalid field, a refused
// key, credentials in the URL, SIGTERM half-way. Each ends within a bounded time, names
// every bad block, still writes the good ones (or nothing with --strict), and never leaves
// a .export-XXXX staging folder behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { type ProviderStub, requestBlock, startProviderStub } from '../rpc/provider-stub.js';
import { startAnvil, testLogger, type TestAnvil } from '../helpers.js';

let anvil: TestAnvil;
let stub: ProviderStub;
let out: string;
beforeAll(async () => {
  anvil = await startAnvil();
  await prefillChain({ rpcUrl: anvil.url, blocks: 12, txsPerBlock: 3, logger: testLogger() });
  stub = await startProviderStub(anvil.url);
  out = mkdtempSync(join(tmpdir(), 'chainlake-export-errors-'));
});
afterAll(async () => {
  await stub?.close();
  await anvil?.stop();
  rmSync(out, { recursive: true, force: true });
});
beforeEach(() => stub.handle(undefined));

const env = { ...process.env, LOG_LEVEL: 'warn', RPC_TIMEOUT_MS: '2000' };
/** Async (spawnSync would block the stub, which lives in this process). */
const cli = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'export', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
const staging = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('.export-')) : []);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** Receipts of 3 (-32001), 5 (null) and 7 ([]) are missing; the head is far ahead of them. */
const missingReceipts = () =>
  stub.handle((r) => {
    if (r.method === 'eth_blockNumber') return { result: '0x100000' };
    if (r.method !== 'eth_getBlockReceipts') return undefined;
    const n = requestBlock(r);
    if (n === 3) return { error: { code: -32001, message: 'resource not found' } };
    if (n === 5) return { result: null };
    if (n === 7) return { result: [] };
    return undefined;
  });

test('blocks without receipts far behind the head: exit 1 naming each, the others written, no staging left', async () => {
  missingReceipts();
  const dir = join(out, 'missing');
  const t0 = Date.now();
  const r = await cli(['--rpc', stub.url, '--from', '1', '--to', '10', '--format', 'ndjson', '--out', dir]);
  expect(Date.now() - t0).toBeLessThan(60_000);
  expect(r.status, r.stderr).toBe(1);
  for (const n of [3, 5, 7]) expect(r.stderr).toMatch(new RegExp(`block ${n}\\b`));
  const blocks = lines(join(dir, 'blocks.ndjson')).map((l) => (JSON.parse(l) as { number: number }).number);
  expect(blocks.sort((a, b) => a - b)).toEqual([1, 2, 4, 6, 8, 9, 10]);
  expect(JSON.parse(r.stdout).failed.map((f: { block: number }) => f.block)).toEqual([3, 5, 7]);
  expect(staging(dir)).toEqual([]);
}, 90_000);

test('--strict writes nothing when a block cannot be read', async () => {
  missingReceipts();
  const dir = join(out, 'strict');
  const r = await cli(['--rpc', stub.url, '--from', '1', '--to', '10', '--format', 'parquet', '--out', dir, '--strict']);
  expect(r.status, r.stderr).toBe(1);
  for (const n of [3, 5, 7]) expect(r.stderr).toMatch(new RegExp(`block ${n}\\b`));
  expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
}, 90_000);

test('an invalid field on every attempt is terminal: named with block and field, no endless retry', async () => {
  stub.handle((r) =>
    r.method === 'eth_getBlockReceipts' && requestBlock(r) === 4 ? { patchResult: (res) => (res as Record<string, unknown>[]).map((x) => ({ ...x, gasUsed: 'lots' })) } : undefined,
  );
  const dir = join(out, 'invalid');
  const t0 = Date.now();
  const r = await cli(['--rpc', stub.url, '--from', '2', '--to', '6', '--format', 'ndjson', '--out', dir]);
  expect(Date.now() - t0).toBeLessThan(30_000);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/block 4\b.*gasUsed/);
  expect(r.stderr).toContain('127.0.0.1#');
  expect(lines(join(dir, 'blocks.ndjson'))).toHaveLength(4);
  expect(staging(dir)).toEqual([]);
}, 60_000);

test('HTTP 401 ends at once with a sentence, not with retries', async () => {
  stub.handle(() => ({ status: 401 }));
  const t0 = Date.now();
  const r = await cli(['--rpc', `${stub.url}/v2/SEKRETkey0123456789`, '--from', '1', '--to', '3', '--format', 'ndjson', '--out', join(out, 'auth')]);
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/every RPC endpoint refused its credentials/);
  expect(r.stderr).not.toContain('SEKRET');
  expect(stub.calls.filter((c) => c.url.includes('SEKRET')).length).toBe(1);
}, 30_000);

test('credentials in the URL are sent as Basic auth, never in the URL', async () => {
  const expected = `Basic ${Buffer.from('proj:s3cr3t').toString('base64')}`;
  stub.handle((r) => (r.headers.authorization === expected ? undefined : { status: 403 }));
  const dir = join(out, 'basic');
  const r = await cli(['--rpc', stub.url.replace('http://', 'http://proj:s3cr3t@'), '--from', '1', '--to', '2', '--format', 'ndjson', '--out', dir]);
  expect(r.status, r.stderr).toBe(0);
  expect(lines(join(dir, 'blocks.ndjson'))).toHaveLength(2);
}, 30_000);

test('SIGTERM during an export removes its staging folder', async () => {
  stub.handle((r) => (r.method === 'eth_getBlockReceipts' && requestBlock(r) === 6 ? { hang: true } : undefined));
  const dir = join(out, 'sigterm');
  const before = stub.calls.length;
  const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'export', '--rpc', stub.url, '--from', '1', '--to', '10', '--format', 'ndjson', '--out', dir], {
    env: { ...env, RPC_TIMEOUT_MS: '60000' },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!stub.calls.slice(before).some((c) => c.method === 'eth_getBlockReceipts' && requestBlock(c) === 6) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(staging(dir)).toHaveLength(1);
  child.kill('SIGTERM');
  await exited;
  expect(staging(dir)).toEqual([]);
}, 60_000);

test('export --help and backfill --help show --rps and the rate-limit default', async () => {
  for (const cmd of ['export', 'backfill']) {
    const r = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', cmd, '--help'], { env: { ...env, RPC_DEFAULT_RPS: '' } });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.on('close', () => resolve(text.replace(/\s+/g, ' ')));
    });
    expect(r).toContain('--rps <n>');
    expect(r).toContain('RPC_DEFAULT_RPS = 25');
  }
}, 30_000);
