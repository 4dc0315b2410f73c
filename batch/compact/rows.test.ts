import { describe, expect, test } from 'vitest';
import { RECORD_SCHEMA, type BlockRecord } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import { completeRanges, parseRawFileName, RAW_COLUMNS, rawFileName, type RawFile } from '../../storage/lake-views.js';
import { createRollBuffer, recordToRows } from './rows.js';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const block = (over: Partial<BlockRecord['block']> = {}, fee = '21000000000000'): BlockRecord => ({
  schema: RECORD_SCHEMA,
  kind: 'block',
  chainId: 1,
  block: { number: 10, hash: h(10), parentHash: h(9), timestamp: Date.UTC(2026, 0, 2, 0, 0, 5) / 1000, miner: a(1), gasUsed: '21000', gasLimit: '30000000', baseFeePerGas: null, txCount: 1, ...over },
  transactions: [
    {
      hash: h(100), blockNumber: 10, transactionIndex: 0, from: a(2), to: null, value: (2n ** 255n).toString(), nonce: 0, type: 2, gas: '50000', gasPrice: null,
      maxFeePerGas: '2000000000', maxPriorityFeePerGas: '1', txClass: 'contract_creation', selector: null, method: null, args: null, inputSize: 100, status: 1,
      gasUsed: '21000', effectiveGasPrice: '1000000000', fee, contractAddress: a(3), logCount: 0,
    },
  ],
  tokenTransfers: [{ txHash: h(100), blockNumber: 10, logIndex: 0, token: a(4), from: a(2), to: a(5), amount: (2n ** 256n - 1n).toString() }],
  publishedAt: 1,
});

describe('recordToRows', () => {
  test('maps a block to rows of every table in its UTC day, keeping uint256 values exact as strings', () => {
    const r = recordToRows(block(), 2, 77);
    expect(r.day).toBe('2026-01-02');
    expect(r.rows.blocks).toHaveLength(1);
    expect(r.rows.blocks![0]).toHaveLength(RAW_COLUMNS.blocks.length);
    const tx = r.rows.transactions![0]!;
    expect(tx).toHaveLength(RAW_COLUMNS.transactions.length);
    const col = (name: string) => tx[RAW_COLUMNS.transactions.findIndex((c) => c.name === name)];
    expect(col('value')).toBe((2n ** 255n).toString());
    expect(col('kafka_partition')).toBe(2);
    expect(col('kafka_offset')).toBe(77);
    expect(col('kind')).toBe('block');
    const tt = r.rows.token_transfers![0]!;
    expect(tt[RAW_COLUMNS.token_transfers.findIndex((c) => c.name === 'amount')]).toBe((2n ** 256n - 1n).toString());
  });

  test('maps a retraction to one retractions row and nothing else', () => {
    const r = recordToRows({ schema: RECORD_SCHEMA, kind: 'retraction', chainId: 1, block: { number: 5, hash: h(5), parentHash: h(4), timestamp: 0 }, replacedBy: null, publishedAt: 2 }, 0, 3);
    expect(Object.keys(r.rows)).toEqual(['retractions']);
    expect(r.day).toBe('1970-01-01');
  });

  test('refuses a gas-size value that does not fit DECIMAL(38,0) instead of rounding it', () => {
    expect(() => recordToRows(block({}, '1'.repeat(39)), 0, 0)).toThrow(FatalError);
  });
});

describe('roll buffer', () => {
  test('tracks offset ranges per partition and drops a revoked partition alone', () => {
    const buf = createRollBuffer();
    buf.add(0, 5, recordToRows(block(), 0, 5), 100);
    buf.add(0, 6, recordToRows(block({ number: 11 }), 0, 6), 100);
    buf.add(1, 9, recordToRows(block({ number: 12 }), 1, 9), 50);
    expect(buf.partitions().get(0)).toMatchObject({ first: 5, last: 6, records: 2, txs: 2 });
    expect(buf.bytes()).toBe(250);
    buf.dropPartition(0);
    expect([...buf.partitions().keys()]).toEqual([1]);
    expect(buf.records()).toBe(1);
  });
});

describe('raw file names', () => {
  test('round-trip partition, offset range and file count', () => {
    const n = rawFileName({ partition: 3, first: 10, last: 99, files: 4 });
    expect(n).toBe('p3-o10-99-n4.parquet');
    expect(parseRawFileName(n)).toEqual({ partition: 3, first: 10, last: 99, files: 4 });
    expect(parseRawFileName('p3-o10-99.parquet.tmp')).toBeNull();
  });

  test('a range is visible only when all of its files are in place', () => {
    const f = (table: RawFile['table'], day: string, files: number, first = 0): RawFile => ({ partition: 0, first, last: first + 9, files, table, chainId: 1, day, path: `/${table}/${day}`, rel: `${table}/${day}/${first}` });
    const partial = [f('blocks', 'd1', 3), f('transactions', 'd1', 3)];
    const whole = [f('blocks', 'd2', 2, 10), f('transactions', 'd2', 2, 10)];
    expect(completeRanges([...partial, ...whole]).map((x) => x.rel)).toEqual(whole.map((x) => x.rel).sort());
  });
});
