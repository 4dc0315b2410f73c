// Real anvil: getBlockBundle fetches a block with several kinds of transactions in exactly
// two requests, the bundle validates, and decodeBlock agrees with what viem reads from anvil.
import { Registry } from 'prom-client';
import { createPublicClient, createWalletClient, http, parseEther, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { blockRecordSchema } from '../../core/chain.js';
import { decodeBlock } from '../../speed/decode/index.js';
import { BlockNotAvailableError, createRpcPool, makeEndpoint } from '../../speed/rpc/index.js';
import { startAnvil, testLogger, type TestAnvil } from '../helpers.js';

// anvil's well-known dev account 0
const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const BOB = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
// init code that deploys a contract whose runtime always reverts (PUSH0 PUSH0 REVERT: 5f5ffd)
const REVERTER_INIT = '0x6003600c60003960036000f35f5ffd' as const;

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

test('getBlockBundle returns a validated block and its receipts in 2 requests, and decodes to what anvil reports', async () => {
  const transport = http(anvil.url);
  const publicClient = createPublicClient({ chain: foundry, transport });
  const wallet = createWalletClient({ chain: foundry, transport, account: dev });

  // Deploy in its own block, then put a native transfer, a legacy transfer and a reverting call in one block.
  const deployHash = await wallet.deployContract({ abi: [], bytecode: REVERTER_INIT });
  const deployed = await publicClient.waitForTransactionReceipt({ hash: deployHash });
  const reverter = deployed.contractAddress!;
  await publicClient.request({ method: 'evm_setAutomine' as never, params: [false] as never });
  const nonce = await publicClient.getTransactionCount({ address: dev.address });
  const hashes: Hash[] = [
    await wallet.sendTransaction({ to: BOB, value: parseEther('1.5'), nonce }),
    await wallet.sendTransaction({ to: BOB, value: 7n, type: 'legacy', gasPrice: 3_000_000_000n, nonce: nonce + 1 }),
    await wallet.sendTransaction({ to: reverter, data: '0x12345678', gas: 100_000n, nonce: nonce + 2 }),
  ];
  await publicClient.request({ method: 'evm_mine' as never, params: [] as never });
  await publicClient.request({ method: 'evm_setAutomine' as never, params: [true] as never });
  const receipt = await publicClient.getTransactionReceipt({ hash: hashes[0]! });
  const n = receipt.blockNumber;

  const metrics = new Registry();
  const pool = createRpcPool({ endpoints: [makeEndpoint(anvil.url, { rps: 100, dailyQuota: 0, weight: 1 })], logger: testLogger(), metrics });
  expect(await pool.chainId()).toBe(31337);
  expect(await pool.blockNumber()).toBe(n);

  const bundle = await pool.getBlockBundle(n);
  expect(bundle.requests).toBe(2);
  expect(bundle.block.transactions.map((t) => t.hash)).toEqual(hashes);
  expect(bundle.receipts.map((r) => r.transactionHash)).toEqual(hashes);
  expect(pool.status()[0]!.blockReceipts).toBe('supported');
  const text = await metrics.metrics();
  expect(text).toMatch(/chainlake_rpc_requests_total\{method="eth_getBlockByNumber",endpoint="127\.0\.0\.1#[0-9a-f]{8}",outcome="ok"\} 1/);
  expect(text).toMatch(/chainlake_rpc_requests_total\{method="eth_getBlockReceipts",endpoint="127\.0\.0\.1#[0-9a-f]{8}",outcome="ok"\} 1/);

  const record = decodeBlock(31337, bundle.block, bundle.receipts);
  expect(blockRecordSchema.safeParse(record).success).toBe(true);
  const viaViem = await publicClient.getBlock({ blockNumber: n });
  expect(record.block).toMatchObject({ number: Number(n), hash: viaViem.hash, parentHash: viaViem.parentHash, timestamp: Number(viaViem.timestamp), txCount: 3, gasUsed: viaViem.gasUsed.toString() });
  for (const [i, hash] of hashes.entries()) {
    const tx = await publicClient.getTransaction({ hash });
    const r = await publicClient.getTransactionReceipt({ hash });
    const got = record.transactions[i]!;
    expect(got).toMatchObject({
      hash,
      from: tx.from.toLowerCase(),
      to: tx.to?.toLowerCase() ?? null,
      value: tx.value.toString(),
      nonce: tx.nonce,
      status: r.status === 'success' ? 1 : 0,
      gasUsed: r.gasUsed.toString(),
      effectiveGasPrice: r.effectiveGasPrice.toString(),
      fee: (r.gasUsed * r.effectiveGasPrice).toString(),
    });
  }
  expect(record.transactions.map((t) => [t.txClass, t.type, t.status])).toEqual([
    ['native_transfer', 2, 1],
    ['native_transfer', 0, 1],
    ['contract_call', 2, 0],
  ]);
  expect(record.transactions[2]!.selector).toBe('0x12345678');

  // The deploy block: a contract creation with its address.
  const deployBundle = await pool.getBlockBundle(deployed.blockNumber);
  const deployRecord = decodeBlock(31337, deployBundle.block, deployBundle.receipts);
  expect(deployRecord.transactions[0]).toMatchObject({ txClass: 'contract_creation', to: null, contractAddress: reverter.toLowerCase() });

  // A block beyond the head is not data: a retryable "not available yet".
  await expect(pool.getBlockBundle(n + 1000n)).rejects.toBeInstanceOf(BlockNotAvailableError);
  await pool.close();
});
