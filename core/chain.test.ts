import { describe, expect, test } from 'vitest';
import { RECORD_SCHEMA, RecordDecodeError, decodeRecord, encodeRecord, minuteOf, recordKey, utcDay, type BlockRecord } from './chain.js';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

export const sampleBlock = (): BlockRecord => ({
  schema: RECORD_SCHEMA,
  kind: 'block',
  chainId: 1,
  block: { number: 10, hash: h(10), parentHash: h(9), timestamp: 1_700_000_000, miner: a(1), gasUsed: '21000', gasLimit: '30000000', baseFeePerGas: '7', txCount: 1 },
  transactions: [
    {
      hash: h(100), blockNumber: 10, transactionIndex: 0, from: a(2), to: a(3),
      value: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
      nonce: 0, type: 2, gas: '21000', gasPrice: null, maxFeePerGas: '10', maxPriorityFeePerGas: '1',
      txClass: 'native_transfer', selector: null, method: null, args: null, inputSize: 0,
      status: 1, gasUsed: '21000', effectiveGasPrice: '8', fee: '168000', contractAddress: null, logCount: 0,
    },
  ],
  tokenTransfers: [],
  publishedAt: 1,
});

describe('record schema v1', () => {
  test('round-trips a block record with a max uint256 value exactly', () => {
    const r = sampleBlock();
    const back = decodeRecord(encodeRecord(r));
    expect(back).toEqual(r);
    expect(back.kind === 'block' && BigInt(back.transactions[0]!.value)).toBe(2n ** 256n - 1n);
    expect(recordKey(r)).toBe('10');
  });

  test('rejects bad JSON, unknown schema and invalid fields with a reason', () => {
    const reason = (v: string) => {
      try {
        decodeRecord(v);
        return 'accepted';
      } catch (e) {
        return (e as RecordDecodeError).reason;
      }
    };
    expect(reason('{not json')).toBe('bad_json');
    expect(reason(JSON.stringify({ ...sampleBlock(), schema: 'chainlake.block.v9' }))).toBe('unknown_schema');
    expect(reason(JSON.stringify({ ...sampleBlock(), block: { ...sampleBlock().block, hash: '0xZZ' } }))).toBe('invalid');
    const negative = sampleBlock();
    (negative.transactions[0] as { value: string }).value = '-1';
    expect(reason(JSON.stringify(negative))).toBe('invalid');
  });

  test('time helpers bucket by UTC', () => {
    expect(utcDay(1_700_000_000)).toBe('2023-11-14');
    expect(minuteOf(1_700_000_059)).toBe(1_700_000_040);
  });
});
