// The chain-family seam end to end, with a family defined only here: its fields pass the
// RPC boundary (speed/rpc/schemas.ts via the pool), decode (speed/decode/block.ts) puts its
// formatters' output in the record's `extra`, and the Kafka record round-trips. The same
// RPC answers read as ethereum give exactly today's record.
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { decodeRecord, encodeRecord } from '../../core/chain.js';
import { defineChainFamily, ethereumFamily, familyColumnValues, resolveChainFamily } from '../../core/chains/index.js';
import { hexHash, hexQuantity, nullish } from '../../core/chains/rpc-fields.js';
import { createRpcPool, makeEndpoint, rpcSchemasFor } from '../rpc/index.js';
import { createRpcBlockSource } from './source.js';

const TEST_CHAIN_ID = 999999;
const dec = (q: string | null): string | null => (q === null ? null : BigInt(q).toString(10));

/** An L2-like family: L1 fees on receipts, an L1 block number on blocks, deposit txs (type 0x7e) with mint/sourceHash. */
const testFamily = defineChainFamily({
  name: 'test-l2',
  chainIds: [TEST_CHAIN_ID],
  rpc: {
    transaction: { sourceHash: nullish(hexHash), mint: nullish(hexQuantity) },
    receipt: { l1Fee: nullish(hexQuantity) },
    block: { l1BlockNumber: nullish(hexQuantity) },
  },
  format: {
    transaction(tx, receipt) {
      const deposit = tx.type !== null && BigInt(tx.type) === 0x7en;
      return { l1Fee: dec(receipt.l1Fee), sourceHash: deposit ? tx.sourceHash : null, mint: deposit ? (dec(tx.mint) ?? '0') : null };
    },
    block: (b) => ({ l1BlockNumber: b.l1BlockNumber === null ? null : Number(BigInt(b.l1BlockNumber)) }),
  },
  columns: {
    transactions: [
      { name: 'l1_fee', field: 'l1Fee', type: 'uint256', description: 'L1 data fee (wei)' },
      { name: 'source_hash', field: 'sourceHash', type: 'hash', description: 'Deposit source hash' },
      { name: 'mint', field: 'mint', type: 'uint256', description: 'ETH minted by a deposit (wei)' },
    ],
    blocks: [{ name: 'l1_block_number', field: 'l1BlockNumber', type: 'bigint', description: 'L1 origin block' }],
  },
});

const h32 = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const SOURCE_HASH = `0x${'ab'.repeat(32)}`;

/** A recorded-style answer of an L2 node: one EIP-1559 tx and one deposit, with the family's fields. */
function l2Block(n: number) {
  const hash = h32(n * 1000);
  const base = { blockHash: hash, blockNumber: `0x${n.toString(16)}`, from: addr(1), to: addr(2), value: '0x0', gas: '0x5208', input: '0x' };
  const transactions = [
    { ...base, hash: h32(n * 1000 + 1), transactionIndex: '0x0', nonce: '0x0', type: '0x2', gasPrice: '0x2', maxFeePerGas: '0x3', maxPriorityFeePerGas: '0x1' },
    { ...base, hash: h32(n * 1000 + 2), transactionIndex: '0x1', nonce: '0x5', type: '0x7e', gasPrice: '0x0', sourceHash: SOURCE_HASH.toUpperCase().replace('0X', '0x'), mint: '0xde0b6b3a7640000' },
  ];
  const receipts = transactions.map((t, i) => ({
    transactionHash: t.hash, transactionIndex: t.transactionIndex, blockHash: hash, blockNumber: t.blockNumber, from: t.from, to: t.to,
    status: '0x1', gasUsed: '0x5208', effectiveGasPrice: t.gasPrice, contractAddress: null, logs: [],
    ...(i === 0 ? { l1Fee: '0x3e8' } : {}),
  }));
  const block = {
    number: `0x${n.toString(16)}`, hash, parentHash: h32(n * 1000 - 1000), timestamp: '0x65a0b1c3', miner: addr(9),
    gasUsed: '0xa410', gasLimit: '0x1c9c380', baseFeePerGas: '0x1', l1BlockNumber: '0x1312d00', transactions,
  };
  return { block, receipts };
}

function fakeL2Node(): typeof fetch {
  return (async (_input: string | URL | Request, init?: RequestInit) => {
    const { method, params, id } = JSON.parse(String(init?.body)) as { method: string; params: unknown[]; id: number };
    const n = () => Number(BigInt(params[0] as string));
    const result =
      method === 'eth_chainId' ? `0x${TEST_CHAIN_ID.toString(16)}`
      : method === 'eth_getBlockByNumber' ? l2Block(n()).block
      : method === 'eth_getBlockReceipts' ? l2Block(n()).receipts
      : null;
    return new Response(JSON.stringify({ jsonrpc: '2.0', id, result }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

function source(family: Parameters<typeof createRpcBlockSource>[0]['family']) {
  const logger = pino({ level: 'silent' });
  const pool = createRpcPool({ endpoints: [makeEndpoint('https://l2.example.com/rpc', { rps: 1000, dailyQuota: 0, weight: 1 })], logger, metrics: new Registry(), fetchFn: fakeL2Node() });
  return { pool, source: createRpcBlockSource({ pool, chainId: TEST_CHAIN_ID, logger, now: () => 1_700_000_000_000, ...(family ? { family } : {}) }) };
}

describe('chain families', () => {
  test('behavior: a family chosen by chain id keeps its fields from the RPC answer into the Kafka record', async () => {
    const family = resolveChainFamily(TEST_CHAIN_ID, 'auto', { ethereum: ethereumFamily, 'test-l2': testFamily });
    expect(family).toBe(testFamily);
    const { pool, source: src } = source(family);
    const fetched = await src.fetch(7);
    await pool.close();
    if (fetched.kind !== 'record') throw new Error(`expected a record, got ${fetched.kind}`);
    const record = fetched.record;
    expect(record.family).toBe('test-l2');
    expect(record.block.extra).toEqual({ l1BlockNumber: 20_000_000 });
    expect(record.transactions.map((t) => [t.type, t.extra])).toEqual([
      [2, { l1Fee: '1000', sourceHash: null, mint: null }],
      // sourceHash lowercased at the boundary like every hash; mint as a decimal string like every amount
      [0x7e, { l1Fee: null, sourceHash: SOURCE_HASH, mint: '1000000000000000000' }],
    ]);

    const roundTrip = decodeRecord(encodeRecord(record));
    expect(roundTrip).toEqual(record);
    if (roundTrip.kind !== 'block') throw new Error('expected a block record');
    expect(roundTrip.transactions.map((t) => familyColumnValues(testFamily.columns.transactions, t.extra))).toEqual([
      { l1_fee: '1000', source_hash: null, mint: null },
      { l1_fee: null, source_hash: SOURCE_HASH, mint: '1000000000000000000' },
    ]);
    expect(familyColumnValues(testFamily.columns.blocks, roundTrip.block.extra)).toEqual({ l1_block_number: 20_000_000 });
    // a record without extras (ethereum, or written before families existed) has NULL family columns
    expect(familyColumnValues(testFamily.columns.blocks, undefined)).toEqual({ l1_block_number: null });
  });

  test('behavior: read as ethereum, the same answer gives the record without family or extras', async () => {
    const { pool, source: src } = source(undefined);
    const fetched = await src.fetch(7);
    await pool.close();
    if (fetched.kind !== 'record') throw new Error(`expected a record, got ${fetched.kind}`);
    const json = JSON.parse(encodeRecord(fetched.record).toString('utf8'));
    expect(json).not.toHaveProperty('family');
    expect(json.block).not.toHaveProperty('extra');
    expect(json.block).not.toHaveProperty('l1BlockNumber');
    for (const t of json.transactions) {
      expect(t).not.toHaveProperty('extra');
      expect(t).not.toHaveProperty('sourceHash');
    }
    expect(json.transactions.map((t: { type: number }) => t.type)).toEqual([2, 0x7e]);
  });

  test('behavior: a malformed family field is rejected at the RPC boundary', () => {
    const { receipts } = l2Block(7);
    const bad = receipts.map((r) => ({ ...r, l1Fee: 'a lot' }));
    expect(rpcSchemasFor(testFamily).receiptsOrNull.safeParse(bad).success).toBe(false);
    // ethereum does not know the field, so it drops it instead
    expect(rpcSchemasFor(ethereumFamily).receiptsOrNull.safeParse(bad).success).toBe(true);
  });
});
