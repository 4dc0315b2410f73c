// The traffic generator and prefill against a real private anvil: what they send is what
// gets mined, with all three tx classes, reverts and ERC-20 Transfer logs.
import { spawn } from 'node:child_process';
import { type Address, type Block, type PublicClient, type TransactionReceipt, createPublicClient, http, parseAbiItem, toEventSelector } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tokenAbi } from '../../ops/traffic/artifacts.js';
import { startTraffic } from '../../ops/traffic/generator.js';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { type TestAnvil, startAnvil, testLogger } from '../helpers.js';
import { waitFor } from '../../core/wait.js';

const TRANSFER_TOPIC = toEventSelector(parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'));

type MinedBlock = Block<bigint, true> & { receipts: TransactionReceipt[] };

async function readBlocks(client: PublicClient, from: bigint, to: bigint): Promise<MinedBlock[]> {
  const out: MinedBlock[] = [];
  for (let n = from; n <= to; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    const receipts = await Promise.all(block.transactions.map((tx) => client.getTransactionReceipt({ hash: tx.hash })));
    out.push({ ...block, receipts });
  }
  return out;
}


const classify = (blocks: MinedBlock[]) => {
  const txs = blocks.flatMap((b) => b.transactions);
  const receipts = blocks.flatMap((b) => b.receipts);
  return {
    total: txs.length,
    creations: txs.filter((t) => t.to === null).length,
    native: txs.filter((t) => t.to !== null && t.input === '0x').length,
    calls: txs.filter((t) => t.to !== null && t.input !== '0x').length,
    reverted: receipts.filter((r) => r.status === 'reverted').length,
    transferLogs: receipts.flatMap((r) => r.logs).filter((l) => l.topics[0] === TRANSFER_TOPIC && l.topics.length === 3),
  };
};

const sum = (byKind: Record<string, number>, kinds: string[]) => kinds.reduce((a, k) => a + (byKind[k] ?? 0), 0);

describe('traffic generator on anvil with 1 s blocks', () => {
  let anvil: TestAnvil;
  let client: PublicClient;
  beforeAll(async () => {
    anvil = await startAnvil({ blockTime: 1 });
    client = createPublicClient({ transport: http(anvil.url) }) as PublicClient;
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  test('every tx it reports as sent is mined, with creations, native transfers, calls, reverts and Transfer logs', async () => {
    const startBlock = await client.getBlockNumber({ cacheTime: 0 });
    const abort = new AbortController();
    const traffic = await startTraffic({ rpcUrl: anvil.url, tps: 30, logger: testLogger(), signal: abort.signal, seed: 11 });
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    abort.abort();
    await traffic.stop();
    const elapsedS = (Date.now() - t0) / 1000;
    const stats = traffic.stats();
    expect(stats.failedToSend).toBe(0);
    expect(stats.dropped).toBe(0);

    // Sent means accepted into the pool; wait until anvil has mined all of it.
    await waitFor('an empty mempool', async () => {
      const pool = await client.request({ method: 'txpool_status' as 'eth_chainId' }) as unknown as { pending: string; queued: string };
      return BigInt(pool.pending) === 0n && BigInt(pool.queued) === 0n;
    }, 15_000);
    const endBlock = await client.getBlockNumber({ cacheTime: 0 });
    const blocks = await readBlocks(client, startBlock + 1n, endBlock);
    const mined = classify(blocks);

    const mixSent = stats.sent - sum(stats.byKind, ['setup_deploy_token', 'setup_deploy_counter', 'setup_approve']);
    expect(mixSent).toBeGreaterThan(30 * elapsedS * 0.8);
    expect(mixSent).toBeLessThan(30 * elapsedS * 1.1);

    expect(mined.total).toBe(stats.sent);
    expect(mined.creations).toBe(sum(stats.byKind, ['setup_deploy_token', 'setup_deploy_counter', 'contract_deploy']));
    expect(mined.creations).toBeGreaterThan(4);
    expect(mined.native).toBe(stats.byKind.native_transfer);
    expect(mined.native).toBeGreaterThan(0);
    expect(mined.calls).toBe(mined.total - mined.creations - mined.native);
    expect(mined.calls).toBeGreaterThan(0);
    // Only the deliberately failing kinds revert: setup, transfers, approvals and transferFrom all succeed.
    expect(mined.reverted).toBeGreaterThanOrEqual(1);
    expect(mined.reverted).toBe(sum(stats.byKind, ['failing_erc20_transfer', 'failing_call']));

    const tokens = new Set(traffic.tokens.map((t) => t.toLowerCase()));
    const tokenTransfers = mined.transferLogs.filter((l) => tokens.has(l.address.toLowerCase()));
    // Setup airdrops 10 holders + deployer per token, then successful transfer/transferFrom calls.
    expect(tokenTransfers.length).toBeGreaterThanOrEqual(3 * 11 + sum(stats.byKind, ['erc20_transfer', 'erc20_transfer_from']));
    const symbols = await Promise.all(traffic.tokens.map((t) => client.readContract({ address: t as Address, abi: tokenAbi, functionName: 'symbol' })));
    expect(symbols).toEqual(['TUSD', 'TETH', 'TGOV']);
  });
});

describe('prefillChain', () => {
  let anvil: TestAnvil;
  let client: PublicClient;
  beforeAll(async () => {
    anvil = await startAnvil();
    client = createPublicClient({ transport: http(anvil.url) }) as PublicClient;
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  test('mines exactly 5 new blocks of exactly 20 txs each and restores automine', async () => {
    const before = await client.getBlockNumber({ cacheTime: 0 });
    const progress: number[] = [];
    const result = await prefillChain({ rpcUrl: anvil.url, blocks: 5, txsPerBlock: 20, logger: testLogger(), onProgress: (p) => progress.push(p.blocksDone) });
    const after = await client.getBlockNumber({ cacheTime: 0 });
    expect(after - before).toBe(5n);
    expect(result).toMatchObject({ firstBlock: Number(before) + 1, lastBlock: Number(after), txs: 100 });
    expect(progress).toEqual([1, 2, 3, 4, 5]);

    const blocks = await readBlocks(client, before + 1n, after);
    expect(blocks.map((b) => b.transactions.length)).toEqual([20, 20, 20, 20, 20]);
    const mined = classify(blocks);
    expect(mined.creations).toBe(sum(result.byKind, ['setup_deploy_token', 'setup_deploy_counter', 'contract_deploy']));
    expect(mined.native).toBe(result.byKind.native_transfer);
    expect(mined.calls).toBeGreaterThan(0);
    expect(mined.reverted).toBe(sum(result.byKind, ['failing_erc20_transfer', 'failing_call']));
    expect(mined.reverted).toBeGreaterThanOrEqual(1);
    expect(mined.transferLogs.length).toBeGreaterThan(0);
    // Setup approvals land before any transferFrom, so every transferFrom succeeded.
    expect(result.byKind.erc20_transfer_from ?? 0).toBeGreaterThan(0);

    expect(await client.request({ method: 'anvil_getAutomine' as 'eth_chainId' })).toBe(true);
  });

  test('spaces block timestamps by timestampStep when given', async () => {
    const result = await prefillChain({ rpcUrl: anvil.url, blocks: 3, txsPerBlock: 5, logger: testLogger(), seed: 2, timestampStep: 12 });
    const blocks = await Promise.all([result.firstBlock - 1, result.firstBlock, result.firstBlock + 1, result.lastBlock].map((n) => client.getBlock({ blockNumber: BigInt(n) })));
    const gaps = blocks.slice(1).map((b, i) => Number(b.timestamp - (blocks[i] as { timestamp: bigint }).timestamp));
    expect(gaps).toEqual([12, 12, 12]);
    expect(blocks.slice(1).map((b) => b.transactions.length)).toEqual([5, 5, 5]);
  });
});

describe('chainlake traffic / prefill CLI', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/chainlake.mjs', ...args], { env: { ...process.env, LOG_LEVEL: 'warn' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  let anvil: TestAnvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  test('traffic --duration sends at the requested rate, then prints its stats and exits 0', async () => {
    const r = await run(['traffic', '--rpc', anvil.url, '--tps', '20', '--duration', '2', '--seed', '1', '--metrics-port', '0']);
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { sent: number; failedToSend: number; tokens: string[] };
    expect(stats.tokens).toHaveLength(3);
    expect(stats.failedToSend).toBe(0);
    expect(stats.sent - 34).toBeGreaterThanOrEqual(30);
    expect(stats.sent - 34).toBeLessThanOrEqual(44);
  });

  test('a bad flag is one sentence on stderr and a non-zero exit', async () => {
    const r = await run(['prefill', '--rpc', anvil.url, '--txs-per-block', 'many']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('chainlake: --txs-per-block must be an integer from 1 to 5000, got "many"');
  });
});
