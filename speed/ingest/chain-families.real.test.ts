// The built-in chain families on recorded answers of real nodes (test/fixtures/rpc, byte-for-byte
// copies; provenance in test/fixtures/rpc/PROVENANCE.md). Where a block and its receipts exist
// the answers go through the pool, the family's schemas, prepare and decode into the record and
// the export rows; where only one half exists the family's parts are tested on that half. Every
// expected figure is plain BigInt over the raw JSON here, never our decoder. The op-stack test
// is on a SYNTHETIC block built below: the corpus holds no OP block with a deposit and its receipts.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { concatHex, keccak256, numberToHex, recoverAddress, toRlp, type Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { type BlockRecord, decodeRecord, encodeRecord } from '../../core/chain.js';
import { arbitrumFamily, type ChainFamily, ethereumFamily, opStackFamily, polygonFamily, resolveChainFamily } from '../../core/chains/index.js';
import { parseConfig } from '../../core/config.js';
import { isChainRecord } from '../../batch/compact/check.js';
import { decodeBlock, prepareBlock } from '../decode/index.js';
import { createRpcPool, makeEndpoint, type RpcBlock, type RpcReceipt, rpcSchemasFor } from '../rpc/index.js';
import { createDuck, queryRows, sqlString } from '../../storage/lake/duck.js';
import { exportBlocks } from './export.js';
import { recordRows } from './rows.js';
import { createRpcBlockSource } from './source.js';

type Json = Record<string, any>; // raw JSON-RPC objects as the node sent them
const fixture = (path: string): any => {
  const entries = JSON.parse(readFileSync(new URL(`../../test/fixtures/rpc/erigontech+rpc-tests/integration/${path}`, import.meta.url), 'utf8'));
  return entries[0].response.result;
};
const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

/** A node that answers the block and its receipts for any height (the source asks for the block's own number). */
function node(chainId: number, block: Json, receipts: Json[]): typeof fetch {
  return (async (_input: string | URL | Request, init?: RequestInit) => {
    const { method, id } = JSON.parse(String(init?.body)) as { method: string; id: number };
    const result =
      method === 'eth_chainId' ? numberToHex(chainId)
      : method === 'eth_getBlockByNumber' ? block
      : method === 'eth_getBlockReceipts' ? receipts
      : null;
    return new Response(JSON.stringify({ jsonrpc: '2.0', id, result }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

/** `chainlake export` of one block to Parquet, read back with DuckDB: column → [type, values]. */
async function exportParquet(chainId: number, block: Json, receipts: Json[], table: 'blocks' | 'transactions', columns: string[]) {
  const logger = pino({ level: 'silent' });
  const pool = createRpcPool({ endpoints: [makeEndpoint('https://node.example.com/rpc', { rps: 1000, dailyQuota: 0, weight: 1 })], logger, metrics: new Registry(), fetchFn: node(chainId, block, receipts) });
  const out = await mkdtemp(join(tmpdir(), 'chainlake-family-export-'));
  const duck = await createDuck({ threads: 1 });
  const conn = await duck.connect();
  try {
    const source = createRpcBlockSource({ pool, chainId, logger });
    const result = await exportBlocks({ source, numbers: [Number(BigInt(block.number))], format: 'parquet', outDir: out, concurrency: 1 });
    const file = sqlString(result.files[table]);
    const types = new Map((await queryRows(conn, `DESCRIBE SELECT * FROM read_parquet(${file})`)).map((r) => [r.column_name as string, r.column_type as string]));
    const rows = await queryRows(conn, `SELECT ${columns.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ')} FROM read_parquet(${file})`);
    return Object.fromEntries(columns.map((c) => [c, [types.get(c), rows.map((r) => r[c] ?? null)]]));
  } finally {
    conn.closeSync();
    duck.close();
    await pool.close();
    await rm(out, { recursive: true, force: true });
  }
}

async function ingestOne(chainId: number, block: Json, receipts: Json[], family: ChainFamily = resolveChainFamily(chainId)): Promise<BlockRecord> {
  const logger = pino({ level: 'silent' });
  const pool = createRpcPool({ endpoints: [makeEndpoint('https://node.example.com/rpc', { rps: 1000, dailyQuota: 0, weight: 1 })], logger, metrics: new Registry(), fetchFn: node(chainId, block, receipts) });
  try {
    const fetched = await createRpcBlockSource({ pool, chainId, logger, family, now: () => 1_700_000_000_000 }).fetch(Number(BigInt(block.number)));
    if (fetched.kind !== 'record') throw new Error(`expected a record, got ${fetched.kind}: ${fetched.reason}`);
    // What consumers read back, on both decoders.
    const wire = encodeRecord(fetched.record);
    expect(decodeRecord(wire)).toEqual(fetched.record);
    expect(isChainRecord(JSON.parse(wire.toString()))).toBe(true);
    return fetched.record;
  } finally {
    await pool.close();
  }
}

describe('ethereum: mainnet 18,000,000 (withdrawals), block + receipts', () => {
  const block = fixture('mainnet/eth_getBlockByNumber/test_08.json');
  const receipts: Json[] = fixture('mainnet/eth_getBlockReceipts/test_02.json');

  test('withdrawals per block (count, wei amount), type and full fee per tx', async () => {
    const record = await ingestOne(1, block, receipts);
    const withdrawals: Json[] = block.withdrawals;
    expect(withdrawals.length).toBe(16);
    const amountWei = sum(withdrawals.map((w) => BigInt(w.amount))) * 1_000_000_000n;
    expect(record.family).toBeUndefined(); // ethereum records carry no family tag
    expect(record.block.extra).toEqual({ withdrawalCount: 16, withdrawalAmount: amountWei.toString() });
    const byHash = new Map(receipts.map((r) => [r.transactionHash, r]));
    expect(record.transactions.map((t) => t.type)).toEqual(block.transactions.map((t: Json) => Number(BigInt(t.type))));
    for (const t of record.transactions) {
      const r = byHash.get(t.hash)!;
      const fee = BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
      expect([t.fee, t.executionFee, t.dataFee]).toEqual([fee.toString(), fee.toString(), '0']);
      expect(t.extra).toBeUndefined(); // no blob or set-code tx in this block
    }
    const rows = recordRows(record);
    expect([rows.blocks[0]!.withdrawal_count, rows.blocks[0]!.withdrawal_amount, rows.blocks[0]!.blob_gas_used]).toEqual([16, amountWei.toString(), null]);
    expect(sum(rows.transactions.map((r) => BigInt(r.fee as string)))).toBe(sum(receipts.map((r) => BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice))));
  });
});

describe('ethereum: blob transactions (EIP-4844)', () => {
  test('mainnet 19,900,000 (block only, no receipts recorded): blob gas per block and blob hashes per tx', () => {
    const raw = fixture('mainnet/eth_getBlockByNumber/test_14.json');
    const block = rpcSchemasFor(ethereumFamily).blockOrNull.parse(raw)!;
    expect(ethereumFamily.format.block!(block as never)).toEqual({
      withdrawalCount: raw.withdrawals.length,
      withdrawalAmount: (sum(raw.withdrawals.map((w: Json) => BigInt(w.amount))) * 1_000_000_000n).toString(),
      blobGasUsed: BigInt(raw.blobGasUsed).toString(),
      excessBlobGas: BigInt(raw.excessBlobGas).toString(),
    });
    const noReceiptFields = { transactionHash: '', status: '0x1', blobGasUsed: null, blobGasPrice: null };
    const blobTxs = raw.transactions.filter((t: Json) => t.type === '0x3');
    expect(blobTxs.length).toBeGreaterThan(0);
    const counts = block.transactions.filter((t) => t.type === '0x3').map((t) => ethereumFamily.format.transaction!(t as never, noReceiptFields as never)!.blobHashCount);
    expect(counts).toEqual(blobTxs.map((t: Json) => t.blobVersionedHashes.length));
    // 131072 blob gas per blob: the block's blob gas is the blobs its txs carry
    expect(BigInt(raw.blobGasUsed)).toBe(131072n * BigInt(sum(blobTxs.map((t: Json) => BigInt(t.blobVersionedHashes.length)))));
  });

  test('mainnet 20,000,010 receipts (no block recorded): fee = gas fee + blobGasUsed × blobGasPrice, in the record', () => {
    const raw: Json[] = fixture('mainnet/eth_getBlockReceipts/test_10.json');
    const receipts = rpcSchemasFor(ethereumFamily).receiptsOrNull.parse(raw)!;
    // SYNTHETIC block around the real receipts: each tx made from its receipt (hash, index, from, to, type, price).
    const first = raw[0]!;
    const block = {
      number: first.blockNumber, hash: first.blockHash, parentHash: `0x${'0'.repeat(64)}`, timestamp: '0x6650d0b7', miner: `0x${'0'.repeat(40)}`,
      gasUsed: raw.at(-1)!.cumulativeGasUsed, gasLimit: '0x1c9c380', baseFeePerGas: null,
      transactions: raw.map((r) => ({
        hash: r.transactionHash, blockHash: r.blockHash, blockNumber: r.blockNumber, transactionIndex: r.transactionIndex, from: r.from, to: r.to,
        value: '0x0', nonce: '0x0', type: r.type, gas: r.gasUsed, gasPrice: r.effectiveGasPrice, maxFeePerGas: null, maxPriorityFeePerGas: null, input: '0x',
      })),
    };
    const record = decodeBlock(1, rpcSchemasFor(ethereumFamily).blockOrNull.parse(block)!, receipts, 0, ethereumFamily);
    const blob = raw.filter((r) => r.type === '0x3');
    expect(blob.length).toBe(3);
    for (const [i, t] of record.transactions.entries()) {
      const r = raw[i]!;
      const gas = BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
      const blobFee = r.type === '0x3' ? BigInt(r.blobGasUsed) * BigInt(r.blobGasPrice) : 0n;
      expect([t.executionFee, t.dataFee, t.fee]).toEqual([gas.toString(), blobFee.toString(), (gas + blobFee).toString()]);
      if (r.type === '0x3') expect(t.extra).toMatchObject({ blobGasUsed: BigInt(r.blobGasUsed).toString(), blobGasPrice: BigInt(r.blobGasPrice).toString(), blobFee: blobFee.toString() });
    }
    const blobFees = sum(blob.map((r) => BigInt(r.blobGasUsed) * BigInt(r.blobGasPrice)));
    expect(blobFees).toBe(786432n); // 0x20000 + 0x80000 + 0x20000 blob gas at 1 wei
    expect(sum(record.transactions.map((t) => BigInt(t.fee)))).toBe(sum(raw.map((r) => BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice))) + blobFees);
    const rows = recordRows(record).transactions.filter((r) => r.type === 3);
    expect(rows.map((r) => r.blob_fee)).toEqual(blob.map((r) => (BigInt(r.blobGasUsed) * BigInt(r.blobGasPrice)).toString()));
  });
});

describe('ethereum: set-code transactions (EIP-7702), hive Prague block 45 (no receipts recorded)', () => {
  const raw = fixture('hive/testing_commitBlockV1/test_01.json');
  const q = (h: string): Hex => (BigInt(h) === 0n ? '0x' : numberToHex(BigInt(h)));
  /** The authority by the EIP's own formula: keccak256(0x05 ‖ rlp([chain_id, address, nonce])), then ecrecover. */
  const authorityOf = (a: Json) =>
    recoverAddress({ hash: keccak256(concatHex(['0x05', toRlp([q(a.chainId), a.address, q(a.nonce)])])), signature: { r: a.r, s: a.s, yParity: Number(BigInt(a.yParity)) } });

  test('authorization count and the recovered authority of each tuple', async () => {
    const block = rpcSchemasFor(ethereumFamily).blockOrNull.parse(raw)! as RpcBlock;
    const setCode = raw.transactions.filter((t: Json) => t.type === '0x4');
    expect(setCode.length).toBe(1);
    const prepared = await prepareBlock(block, ethereumFamily);
    for (const t of setCode) {
      const expected = await Promise.all(t.authorizationList.map(async (a: Json) => (await authorityOf(a)).toLowerCase()));
      expect(prepared.get(t.hash)).toEqual({ authorities: JSON.stringify(expected) });
      const tx = block.transactions.find((x) => x.hash === t.hash)!;
      expect(ethereumFamily.format.transaction!(tx as never, { transactionHash: t.hash, status: '0x1' } as never, prepared.get(t.hash))).toEqual({
        authorizationCount: t.authorizationList.length,
        authorities: JSON.stringify(expected),
      });
    }
    // No other tx of the block gets anything to prepare.
    expect([...prepared.keys()]).toEqual(setCode.map((t: Json) => t.hash));
  });

  test('a tuple whose signature does not recover has a null authority, never an error', async () => {
    const t = raw.transactions.find((x: Json) => x.type === '0x4');
    const good = t.authorizationList[0];
    const bad = [
      { ...good, s: '0x0' }, // no such signature
      { ...good, r: `0x${'f'.repeat(64)}` }, // r beyond the curve order
      { ...good, yParity: '0x1b' }, // EIP-7702 takes y_parity 0/1 only
    ];
    const tx = rpcSchemasFor(ethereumFamily).blockOrNull.parse({ ...raw, transactions: [{ ...t, authorizationList: [...bad, good] }] })!.transactions;
    const prepared = await prepareBlock({ transactions: tx } as RpcBlock, ethereumFamily);
    expect(JSON.parse(prepared.get(t.hash)!.authorities as string)).toEqual([null, null, null, (await authorityOf(good)).toLowerCase()]);
  });
});

describe('arbitrum: Arbitrum Sepolia 185,232,421, block + receipts', () => {
  const block = fixture('arb-sepolia/eth_getBlockByNumber/test_03.json');
  const receipts: Json[] = fixture('arb-sepolia/eth_getBlockReceipts/test_01.json');

  test('0x6a is the internal class; gasUsedForL1 per tx; the L1 block number per block; fee = gasUsed × effectiveGasPrice', async () => {
    expect(resolveChainFamily(421614)).toBe(arbitrumFamily);
    const record = await ingestOne(421614, block, receipts);
    expect(record.family).toBe('arbitrum');
    expect(record.block.extra).toEqual({ l1BlockNumber: Number(BigInt(block.l1BlockNumber)), sendCount: Number(BigInt(block.sendCount)), sendRoot: block.sendRoot });
    const byHash = new Map(receipts.map((r) => [r.transactionHash, r]));
    const classOf: Record<string, string> = { '0x6a': 'internal' };
    expect(record.transactions.map((t) => t.txClass)).toEqual(block.transactions.map((t: Json) => classOf[t.type] ?? (t.input === '0x' ? 'native_transfer' : 'contract_call')));
    expect(record.transactions.filter((t) => t.txClass === 'internal').length).toBe(block.transactions.filter((t: Json) => t.type === '0x6a').length);
    for (const t of record.transactions) {
      const r = byHash.get(t.hash)!;
      expect(t.extra).toEqual({ gasUsedForL1: BigInt(r.gasUsedForL1).toString() });
      expect([t.fee, t.dataFee]).toEqual([(BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice)).toString(), '0']);
    }
    const rows = recordRows(record);
    expect(rows.transactions.map((r) => r.gas_used_for_l1)).toEqual(block.transactions.map((t: Json) => BigInt(byHash.get(t.hash)!.gasUsedForL1).toString()));
    expect(rows.blocks[0]!.l1_block_number).toBe(Number(BigInt(block.l1BlockNumber)));
  });

  test('chainlake export to Parquet has the family columns, typed', async () => {
    const byHash = new Map(receipts.map((r) => [r.transactionHash, r]));
    const txs = await exportParquet(421614, block, receipts, 'transactions', ['tx_class', 'gas_used_for_l1', 'fee', 'data_fee', 'l1_fee']);
    expect(txs).toEqual({
      tx_class: ['VARCHAR', block.transactions.map((t: Json) => (t.type === '0x6a' ? 'internal' : t.input === '0x' ? 'native_transfer' : 'contract_call'))],
      gas_used_for_l1: ['DECIMAL(38,0)', block.transactions.map((t: Json) => BigInt(byHash.get(t.hash)!.gasUsedForL1).toString())],
      fee: ['DECIMAL(38,0)', block.transactions.map((t: Json) => (BigInt(byHash.get(t.hash)!.gasUsed) * BigInt(byHash.get(t.hash)!.effectiveGasPrice)).toString())],
      data_fee: ['DECIMAL(38,0)', block.transactions.map(() => '0')],
      l1_fee: ['DECIMAL(38,0)', block.transactions.map(() => null)], // an op-stack column: NULL on Arbitrum
    });
    const blocks = await exportParquet(421614, block, receipts, 'blocks', ['l1_block_number', 'send_root']);
    expect(blocks).toEqual({ l1_block_number: ['BIGINT', [BigInt(block.l1BlockNumber).toString()]], send_root: ['VARCHAR', [block.sendRoot]] });
  });
});

describe('polygon: a Bor state-sync receipt (Polygon PoS 67,836,608; the block is not recorded)', () => {
  test('the zero-address, zero-gas receipt with the StateReceiver log is marked stateSync; an ordinary receipt is not', () => {
    const raw = fixture('polygon-pos/eth_getTransactionReceipt/test_01.json');
    expect([raw.from, raw.to, raw.gasUsed]).toEqual([`0x${'0'.repeat(40)}`, `0x${'0'.repeat(40)}`, '0x0']);
    const receipt = rpcSchemasFor(polygonFamily).receiptOrNull.parse(raw)! as RpcReceipt;
    const tx = { hash: raw.transactionHash, type: '0x0', blobVersionedHashes: null, maxFeePerBlobGas: null, authorizationList: null };
    expect(polygonFamily.format.transaction!(tx as never, receipt as never)).toEqual({ stateSync: true });
    const ordinary = rpcSchemasFor(polygonFamily).receiptsOrNull.parse(fixture('mainnet/eth_getBlockReceipts/test_02.json'))![0]!;
    expect(polygonFamily.format.transaction!(tx as never, ordinary as never)).toEqual({});
  });
});

describe('op-stack: a SYNTHETIC block (no recorded OP block with a deposit and its receipts exists in the corpus)', () => {
  const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
  const depositHash = h(0xd1);
  const userHash = h(0xd2);
  const blockHash = h(0xb10c);
  const SOURCE_HASH = `0x${'AB'.repeat(32)}`;
  // Field names and shapes as op-geth answers (viem/op-stack formatters, OP specs): deposit txs carry
  // sourceHash/mint/isSystemTx and gasPrice 0; Ecotone receipts carry l1Fee and its inputs.
  const block = {
    number: '0x7a1200', hash: blockHash, parentHash: h(0xb10b), timestamp: '0x66000000', miner: '0x4200000000000000000000000000000000000011',
    gasUsed: '0x1e7a4', gasLimit: '0x1c9c380', baseFeePerGas: '0xfd', withdrawals: [], transactions: [
      { hash: depositHash, blockHash, blockNumber: '0x7a1200', transactionIndex: '0x0', type: '0x7e', from: '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001',
        to: '0x4200000000000000000000000000000000000015', value: '0x0', nonce: '0x8f2a1', gas: '0xf4240', gasPrice: '0x0', input: '0x440a5e20',
        sourceHash: SOURCE_HASH, mint: '0xde0b6b3a7640000', isSystemTx: false },
      { hash: userHash, blockHash, blockNumber: '0x7a1200', transactionIndex: '0x1', type: '0x2', from: `0x${'11'.repeat(20)}`, to: `0x${'22'.repeat(20)}`,
        value: '0x2386f26fc10000', nonce: '0x5', gas: '0x5208', gasPrice: '0x10c8e0', maxFeePerGas: '0x2faf080', maxPriorityFeePerGas: '0xf4240', input: '0x' },
    ],
  };
  const receipts = [
    { transactionHash: depositHash, transactionIndex: '0x0', blockHash, blockNumber: '0x7a1200', from: block.transactions[0]!.from, to: block.transactions[0]!.to,
      status: '0x1', gasUsed: '0xb6d8', effectiveGasPrice: '0x0', contractAddress: null, logs: [], depositNonce: '0x8f2a1', depositReceiptVersion: '0x1' },
    { transactionHash: userHash, transactionIndex: '0x1', blockHash, blockNumber: '0x7a1200', from: block.transactions[1]!.from, to: block.transactions[1]!.to,
      status: '0x1', gasUsed: '0x5208', effectiveGasPrice: '0x10c8e0', contractAddress: null, logs: [],
      l1Fee: '0x1c5f3a8b4', l1GasUsed: '0x640', l1GasPrice: '0x2540be400', l1BlobBaseFee: '0x1', l1BaseFeeScalar: '0x558', l1BlobBaseFeeScalar: '0xc5fc5' },
  ];

  test('deposit class with sourceHash/mint/isSystemTx and no fee; fee = L2 execution fee + L1 data fee, both parts kept', async () => {
    expect(resolveChainFamily(10)).toBe(opStackFamily);
    const record = await ingestOne(10, block, receipts);
    expect(record.family).toBe('op-stack');
    const [deposit, user] = record.transactions;
    expect(deposit!.txClass).toBe('deposit');
    expect([deposit!.fee, deposit!.executionFee, deposit!.dataFee]).toEqual(['0', '0', '0']);
    expect(deposit!.extra).toEqual({ sourceHash: SOURCE_HASH.toLowerCase(), mint: BigInt(block.transactions[0]!.mint!).toString(), isSystemTx: false });
    const r = receipts[1]!;
    const execution = BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
    expect([user!.txClass, user!.executionFee, user!.dataFee, user!.fee]).toEqual(['native_transfer', execution.toString(), BigInt(r.l1Fee!).toString(), (execution + BigInt(r.l1Fee!)).toString()]);
    expect(user!.extra).toEqual({
      l1Fee: BigInt(r.l1Fee!).toString(), l1GasUsed: BigInt(r.l1GasUsed!).toString(), l1GasPrice: BigInt(r.l1GasPrice!).toString(),
      l1BlobBaseFee: '1', l1BaseFeeScalar: BigInt(r.l1BaseFeeScalar!).toString(), l1BlobBaseFeeScalar: BigInt(r.l1BlobBaseFeeScalar!).toString(),
    });
    expect(record.block.extra).toEqual({ withdrawalCount: 0, withdrawalAmount: '0' });
    const rows = recordRows(record).transactions;
    expect(rows.map((x) => [x.tx_class, x.fee, x.l1_fee, x.source_hash, x.mint, x.is_system_tx])).toEqual([
      ['deposit', '0', null, SOURCE_HASH.toLowerCase(), '1000000000000000000', false],
      ['native_transfer', (execution + BigInt(r.l1Fee!)).toString(), BigInt(r.l1Fee!).toString(), null, null, null],
    ]);
  });

  test('chainlake export to Parquet keeps the deposit fields and the L1 fee, typed', async () => {
    const r = receipts[1]!;
    const execution = BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
    expect(await exportParquet(10, block, receipts, 'transactions', ['tx_class', 'is_system_tx', 'mint', 'l1_fee', 'execution_fee', 'fee'])).toEqual({
      tx_class: ['VARCHAR', ['deposit', 'native_transfer']],
      is_system_tx: ['BOOLEAN', ['false', null]],
      mint: ['VARCHAR', [BigInt(block.transactions[0]!.mint!).toString(), null]],
      l1_fee: ['DECIMAL(38,0)', [null, BigInt(r.l1Fee!).toString()]],
      execution_fee: ['DECIMAL(38,0)', ['0', execution.toString()]],
      fee: ['DECIMAL(38,0)', ['0', (execution + BigInt(r.l1Fee!)).toString()]],
    });
  });

  test('any OP chain by CHAIN_FAMILY=op-stack; read as ethereum, the L1 fee is not added', async () => {
    expect(parseConfig({ CHAIN_FAMILY: 'op-stack' }).CHAIN_FAMILY).toBe('op-stack');
    expect(resolveChainFamily(7777777, 'op-stack')).toBe(opStackFamily);
    const asEthereum = await ingestOne(10, block, receipts, ethereumFamily);
    expect(asEthereum.transactions[1]!.fee).toBe((BigInt(receipts[1]!.gasUsed) * BigInt(receipts[1]!.effectiveGasPrice)).toString());
  });
});
