import { describe, expect, test } from 'vitest';
import { blockRecordSchema } from '../../core/chain.js';
import { ValidationError } from '../../core/errors.js';
import { type RpcBlock, type RpcReceipt, rpcBlockSchema, rpcReceiptsSchema } from '../rpc/schemas.js';
import { BlockDecodeError, decodeBlock } from './block.js';
import { decodeCall } from './calls.js';
import { classifyTx } from './classify.js';
import { TRANSFER_TOPIC, decodeTransferLogs } from './transfers.js';

const pad = (hex: string) => hex.replace(/^0x/, '').padStart(64, '0');
const MAX_UINT = (1n << 256n) - 1n;
const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const ALICE = '0x28C6c06298d514Db089934071355E5743bf21d60';
const BOB = '0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549';
const BLOCK_HASH = '0x' + 'ab'.repeat(32);

// Calldata as wallets send it: transfer(BOB, 2^256-1) to USDT.
const transferInput = `0xa9059cbb${pad(BOB.toLowerCase())}${MAX_UINT.toString(16)}`;

// Raw JSON-RPC shapes (as geth returns them, mixed-case checksummed addresses included).
const rawBlock = {
  number: '0x1312d00',
  hash: BLOCK_HASH.toUpperCase().replace('0X', '0x'),
  parentHash: '0x' + 'cd'.repeat(32),
  timestamp: '0x65a0b1c3',
  miner: '0x95222290DD7278Aa3Ddd389Cc1E1d165CC4BAfe5',
  gasUsed: '0x1c9c380',
  gasLimit: '0x1c9c380',
  baseFeePerGas: '0x3b9aca00',
  difficulty: '0x0',
  transactions: [
    // type 0 legacy native transfer
    {
      hash: '0x' + '01'.repeat(32), blockHash: BLOCK_HASH, blockNumber: '0x1312d00', transactionIndex: '0x0',
      from: ALICE, to: BOB, value: '0xde0b6b3a7640000', nonce: '0x5', type: '0x0', gas: '0x5208', gasPrice: '0x4a817c800',
      input: '0x', v: '0x25', r: '0x1', s: '0x2',
    },
    // type 2 ERC-20 transfer call with a huge amount
    {
      hash: '0x' + '02'.repeat(32), blockHash: BLOCK_HASH, blockNumber: '0x1312d00', transactionIndex: '0x1',
      from: ALICE, to: USDT, value: '0x0', nonce: '0x6', type: '0x2', gas: '0xfde8', gasPrice: '0x3b9aca01',
      maxFeePerGas: '0x77359400', maxPriorityFeePerGas: '0x1', input: transferInput, accessList: [], chainId: '0x1',
    },
    // contract creation (to null)
    {
      hash: '0x' + '03'.repeat(32), blockHash: BLOCK_HASH, blockNumber: '0x1312d00', transactionIndex: '0x2',
      from: BOB, to: null, value: '0x0', nonce: '0x0', type: '0x2', gas: '0x2dc6c0', gasPrice: '0x3b9aca05',
      maxFeePerGas: '0x77359400', maxPriorityFeePerGas: '0x5', input: '0x6080604052348015600f57600080fd5b50',
    },
    // failed ERC-721 safeTransferFrom (status 0)
    {
      hash: '0x' + '04'.repeat(32), blockHash: BLOCK_HASH, blockNumber: '0x1312d00', transactionIndex: '0x3',
      from: BOB, to: USDT, value: '0x0', nonce: '0x1', type: '0x2', gas: '0x30d40', gasPrice: '0x3b9aca02',
      maxFeePerGas: '0x77359400', maxPriorityFeePerGas: '0x2',
      input: `0x42842e0e${pad(BOB.toLowerCase())}${pad(ALICE.toLowerCase())}${pad('0x7')}`,
    },
  ],
};

const receiptBase = (i: number, extra: Record<string, unknown>) => ({
  transactionHash: rawBlock.transactions[i]!.hash, transactionIndex: `0x${i.toString(16)}`, blockHash: BLOCK_HASH,
  blockNumber: '0x1312d00', from: rawBlock.transactions[i]!.from, to: rawBlock.transactions[i]!.to,
  cumulativeGasUsed: '0x0', logsBloom: '0x00', contractAddress: null, logs: [], ...extra,
});
const log = (txIndex: number, logIndex: number, topics: string[], data: string, address = USDT) => ({
  address, topics, data, logIndex: `0x${logIndex.toString(16)}`, transactionHash: rawBlock.transactions[txIndex]!.hash,
  transactionIndex: `0x${txIndex.toString(16)}`, blockNumber: '0x1312d00', blockHash: BLOCK_HASH, removed: false,
});
const rawReceipts = [
  receiptBase(0, { status: '0x1', gasUsed: '0x5208', effectiveGasPrice: '0x4a817c800', type: '0x0' }),
  receiptBase(1, {
    status: '0x1', gasUsed: '0xa0f4', effectiveGasPrice: '0x3b9aca01',
    logs: [
      log(1, 0, [TRANSFER_TOPIC, '0x' + pad(ALICE.toLowerCase()), '0x' + pad(BOB.toLowerCase())], '0x' + MAX_UINT.toString(16)),
      // ERC-721 Transfer: tokenId as 4th topic → not a token transfer row
      log(1, 1, [TRANSFER_TOPIC, '0x' + pad(ALICE.toLowerCase()), '0x' + pad(BOB.toLowerCase()), '0x' + pad('0x2a')], '0x', '0xbC4CA0EdA7647A8aB7C2061c2E118A18a936f13D'),
    ],
  }),
  receiptBase(2, { status: '0x1', gasUsed: '0x1e8480', effectiveGasPrice: '0x3b9aca05', contractAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }),
  receiptBase(3, { status: '0x0', gasUsed: '0x7a12', effectiveGasPrice: '0x3b9aca02' }),
];

const block = (): RpcBlock => rpcBlockSchema.parse(structuredClone(rawBlock));
const receipts = (): RpcReceipt[] => rpcReceiptsSchema.parse(structuredClone(rawReceipts));

describe('classifyTx', () => {
  test('to null is a contract creation, even with empty input', () => {
    expect(classifyTx({ to: null, input: '0x' })).toBe('contract_creation');
  });
  test('empty input to an address is a native transfer', () => {
    expect(classifyTx({ to: BOB, input: '0x' })).toBe('native_transfer');
  });
  test('any calldata to an address is a contract call', () => {
    expect(classifyTx({ to: BOB, input: '0xd0e30db0' })).toBe('contract_call');
  });
});

describe('decodeCall', () => {
  test('decodes ERC-20 transfer with an exact uint256 maximum and lowercase address', () => {
    expect(decodeCall(transferInput)).toEqual({
      selector: '0xa9059cbb',
      method: 'transfer',
      args: { to: BOB.toLowerCase(), value: MAX_UINT.toString() },
    });
  });
  test('transferFrom shares its selector between ERC-20 and ERC-721 and decodes once', () => {
    const d = decodeCall(`0x23b872dd${pad(ALICE.toLowerCase())}${pad(BOB.toLowerCase())}${pad('0x2a')}`);
    expect(d).toEqual({ selector: '0x23b872dd', method: 'transferFrom', args: { from: ALICE.toLowerCase(), to: BOB.toLowerCase(), value: '42' } });
  });
  test('decodes both ERC-721 safeTransferFrom overloads and setApprovalForAll', () => {
    expect(decodeCall(rawBlock.transactions[3]!.input)?.method).toBe('safeTransferFrom');
    const withData = `0xb88d4fde${pad(BOB.toLowerCase())}${pad(ALICE.toLowerCase())}${pad('0x7')}${pad('0x80')}${pad('0x2')}${'beef'.padEnd(64, '0')}`;
    expect(decodeCall(withData)).toEqual({
      selector: '0xb88d4fde', method: 'safeTransferFrom',
      args: { from: BOB.toLowerCase(), to: ALICE.toLowerCase(), tokenId: '7', data: '0xbeef' },
    });
    expect(decodeCall(`0xa22cb465${pad(BOB.toLowerCase())}${pad('0x1')}`)?.args).toEqual({ operator: BOB.toLowerCase(), approved: 'true' });
  });
  test('decodes WETH deposit without arguments and withdraw', () => {
    expect(decodeCall('0xd0e30db0')).toEqual({ selector: '0xd0e30db0', method: 'deposit', args: {} });
    expect(decodeCall(`0x2e1a7d4d${pad('0xde0b6b3a7640000')}`)?.args).toEqual({ wad: '1000000000000000000' });
  });
  test('decodes a Uniswap v2 swap with its path array', () => {
    const input =
      `0x38ed1739${pad('0x64')}${pad('0x1')}${pad('0xa0')}${pad(BOB.toLowerCase())}${pad('0x65a0b1c3')}` +
      `${pad('0x2')}${pad(USDT.toLowerCase())}${pad(ALICE.toLowerCase())}`;
    expect(decodeCall(input)).toEqual({
      selector: '0x38ed1739', method: 'swapExactTokensForTokens',
      args: { amountIn: '100', amountOutMin: '1', path: JSON.stringify([USDT.toLowerCase(), ALICE.toLowerCase()]), to: BOB.toLowerCase(), deadline: String(0x65a0b1c3) },
    });
  });
  test('decodes a Uniswap v3 exactInputSingle struct into dotted fields', () => {
    const input = `0x414bf389${pad(USDT.toLowerCase())}${pad(ALICE.toLowerCase())}${pad('0xbb8')}${pad(BOB.toLowerCase())}${pad('0x10')}${pad('0x20')}${pad('0x30')}${pad('0x0')}`;
    const d = decodeCall(input);
    expect(d?.method).toBe('exactInputSingle');
    expect(d?.args).toMatchObject({ 'params.tokenIn': USDT.toLowerCase(), 'params.fee': '3000', 'params.amountIn': '32', 'params.sqrtPriceLimitX96': '0' });
  });
  test('summarises multicall payloads by inner selectors', () => {
    const inner = ['0xd0e30db0', transferInput];
    const body = (h: string) => { const b = h.slice(2); return pad(`0x${(b.length / 2).toString(16)}`) + b.padEnd(Math.ceil(b.length / 64) * 64, '0'); };
    const enc0 = body(inner[0]!);
    const enc1 = body(inner[1]!);
    const input = `0xac9650d8${pad('0x20')}${pad('0x2')}${pad('0x40')}${pad(`0x${(64 + enc0.length / 2).toString(16)}`)}${enc0}${enc1}`;
    expect(decodeCall(input)).toEqual({
      selector: '0xac9650d8', method: 'multicall',
      args: { calls: '2', selectors: JSON.stringify(['0xd0e30db0', '0xa9059cbb']), methods: JSON.stringify(['deposit', 'transfer']) },
    });
  });
  test('unknown selector keeps the selector without a method', () => {
    expect(decodeCall('0xdeadbeef0000')).toEqual({ selector: '0xdeadbeef', method: null, args: null });
  });
  test('known selector with truncated arguments is not decoded', () => {
    expect(decodeCall('0xa9059cbb0000')).toEqual({ selector: '0xa9059cbb', method: null, args: null });
  });
  test('input shorter than a selector has no decoding', () => {
    expect(decodeCall('0x1234')).toBeNull();
  });
});

describe('decodeTransferLogs', () => {
  test('keeps ERC-20 transfers (3 topics) and drops ERC-721 transfers (4 topics)', () => {
    const out = decodeTransferLogs(receipts()[1]!.logs);
    expect(out).toEqual([
      { txHash: '0x' + '02'.repeat(32), blockNumber: 20000000, logIndex: 0, token: USDT.toLowerCase(), from: ALICE.toLowerCase(), to: BOB.toLowerCase(), amount: MAX_UINT.toString() },
    ]);
  });
  test('ignores other events and malformed data', () => {
    const erc20 = receipts()[1]!.logs[0]!;
    expect(decodeTransferLogs([erc20])).toHaveLength(1);
    const other = { ...erc20, topics: ['0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925', '0x' + pad('0x1'), '0x' + pad('0x2')] };
    const shortData = { ...erc20, data: '0x01' };
    expect(decodeTransferLogs([other, shortData])).toEqual([]);
    // 4 topics is ERC-721 even when a (nonstandard) 32-byte data word is present
    const nft = { ...erc20, topics: [...erc20.topics, '0x' + pad('0x2a')] };
    expect(decodeTransferLogs([nft])).toEqual([]);
  });
});

describe('decodeBlock', () => {
  test('builds a valid block record with receipts joined to transactions', () => {
    const rec = decodeBlock(1, block(), receipts(), 1_700_000_000_000);
    expect(blockRecordSchema.safeParse(rec).success).toBe(true);
    expect(rec.kind).toBe('block');
    expect(rec.publishedAt).toBe(1_700_000_000_000);
    expect(rec.block).toEqual({
      number: 20000000, hash: BLOCK_HASH, parentHash: '0x' + 'cd'.repeat(32), timestamp: 0x65a0b1c3,
      miner: '0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5', gasUsed: '30000000', gasLimit: '30000000', baseFeePerGas: '1000000000', txCount: 4,
    });
    expect(rec.transactions.map((t) => t.txClass)).toEqual(['native_transfer', 'contract_call', 'contract_creation', 'contract_call']);
  });
  test('legacy type 0 transaction: gas price, no 1559 fees, fee = gasUsed × effectiveGasPrice', () => {
    const t = decodeBlock(1, block(), receipts()).transactions[0]!;
    expect(t).toMatchObject({
      type: 0, from: ALICE.toLowerCase(), to: BOB.toLowerCase(), value: '1000000000000000000', nonce: 5, gasPrice: '20000000000',
      maxFeePerGas: null, maxPriorityFeePerGas: null, selector: null, method: null, args: null, inputSize: 0, status: 1,
      gasUsed: '21000', effectiveGasPrice: '20000000000', fee: (21000n * 20000000000n).toString(), logCount: 0,
    });
  });
  test('type 2 ERC-20 transfer call: decoded method, 1559 fees, token transfer with exact uint256', () => {
    const rec = decodeBlock(1, block(), receipts());
    const t = rec.transactions[1]!;
    expect(t).toMatchObject({
      type: 2, maxFeePerGas: '2000000000', maxPriorityFeePerGas: '1', selector: '0xa9059cbb', method: 'transfer',
      args: { to: BOB.toLowerCase(), value: MAX_UINT.toString() }, logCount: 2, fee: (0xa0f4n * 0x3b9aca01n).toString(), inputSize: 68,
    });
    expect(rec.tokenTransfers).toHaveLength(1);
    expect(rec.tokenTransfers[0]!.amount).toBe('115792089237316195423570985008687907853269984665640564039457584007913129639935');
  });
  test('contract creation carries the created address', () => {
    const t = decodeBlock(1, block(), receipts()).transactions[2]!;
    expect(t).toMatchObject({ txClass: 'contract_creation', to: null, contractAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3', selector: null });
  });
  test('failed transaction has status 0 and still pays its fee', () => {
    const t = decodeBlock(1, block(), receipts()).transactions[3]!;
    expect(t).toMatchObject({ status: 0, method: 'safeTransferFrom', fee: (0x7a12n * 0x3b9aca02n).toString() });
  });
  test('missing receipt is a BlockDecodeError (a ValidationError) naming the reason', () => {
    const r = receipts().slice(0, 3);
    const err = (() => { try { decodeBlock(1, block(), r); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(BlockDecodeError);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as BlockDecodeError).reason).toBe('receipt_count');
  });
  test('receipt of another transaction or block is rejected', () => {
    const r = receipts();
    r[2] = { ...r[2]!, transactionHash: '0x' + '09'.repeat(32) };
    expect(() => decodeBlock(1, block(), r)).toThrow(expect.objectContaining({ reason: 'receipt_mismatch' }));
    const r2 = receipts();
    r2[0] = { ...r2[0]!, blockHash: '0x' + 'ee'.repeat(32) };
    expect(() => decodeBlock(1, block(), r2)).toThrow(expect.objectContaining({ reason: 'receipt_mismatch' }));
  });
  test('pre-London receipt without effectiveGasPrice falls back to the gas price', () => {
    const r = receipts();
    r[0] = { ...r[0]!, effectiveGasPrice: null };
    expect(decodeBlock(1, block(), r).transactions[0]!.effectiveGasPrice).toBe('20000000000');
  });
  test('empty block decodes with no transactions', () => {
    const b = { ...block(), transactions: [] };
    const rec = decodeBlock(1, b, []);
    expect(rec.block.txCount).toBe(0);
    expect(rec.transactions).toEqual([]);
  });
});
