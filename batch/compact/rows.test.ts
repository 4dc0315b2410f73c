import { describe, expect, test } from 'vitest';
import { RECORD_SCHEMA, type BlockRecord } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import { RAW_COLUMNS } from '../../storage/lake/schema.js';
import { completeRanges, fileSchemaOf, mergedFileName, parseMergedFileName, parseRawFileName, rawFileName, type RawFile } from '../../storage/lake/files.js';
import { generateChain } from '../../test/batch/fixtures.js';
import { createRollBuffer, recordCsv, recordToRows, rowsToCsv } from './rows.js';

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
      gasUsed: '21000', effectiveGasPrice: '1000000000', fee, executionFee: fee, dataFee: '0', contractAddress: a(3), logCount: 0,
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

describe('recordCsv', () => {
  test('equals rowsToCsv(recordToRows(…)) for blocks, retractions, nulls, hostile strings and uint256 values', () => {
    const chain = generateChain({ chainId: 7, blocks: 40, maxTxs: 6, reorgEvery: 5, reorgDepth: 2, seed: 9 });
    const tricky = block();
    tricky.transactions[0]!.method = 'a"b,\nc 🚀';
    tricky.transactions[0]!.args = { 'k"': 'v,"\n', '': '' };
    tricky.transactions.push({ ...tricky.transactions[0]!, hash: h(101), method: '', args: {}, to: a(9), selector: '0x12345678', gasPrice: '7' });
    const records = [...chain.records, tricky];
    expect(records.some((r) => r.kind === 'retraction')).toBe(true);
    for (const [i, r] of records.entries()) {
      const rows = recordToRows(r, i % 3, i);
      const expected: Record<string, string[]> = {};
      for (const [table, list] of Object.entries(rows.rows)) rowsToCsv(table as 'blocks', list, (expected[table] = []));
      expect(recordCsv(r, i % 3, i)).toEqual({ day: rows.day, lines: expected });
    }
  });

  test('refuses a gas-size value over 38 digits like recordToRows', () => {
    expect(() => recordCsv(block({}, '1'.repeat(39)), 0, 0)).toThrow(FatalError);
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
    expect(n).toBe('p3-o10-99-n4.v2.parquet');
    expect(parseRawFileName('p3-o10-99-n4.parquet')).toEqual({ partition: 3, first: 10, last: 99, files: 4 });
    expect([fileSchemaOf(n), fileSchemaOf('/x/p3-o10-99-n4.parquet')]).toEqual([2, 1]);
    expect(parseRawFileName(n)).toEqual({ partition: 3, first: 10, last: 99, files: 4 });
    expect(parseRawFileName('p3-o10-99.parquet.tmp')).toBeNull();
  });

  test('a range is visible only when all of its files are in place', () => {
    const f = (table: RawFile['table'], day: string, files: number, first = 0): RawFile => ({ partition: 0, first, last: first + 9, files, table, chainId: 1, day, path: `/${table}/${day}`, rel: `${table}/${day}/${first}` });
    const partial = [f('blocks', 'd1', 3), f('transactions', 'd1', 3)];
    const whole = [f('blocks', 'd2', 2, 10), f('transactions', 'd2', 2, 10)];
    expect(completeRanges([...partial, ...whole]).map((x) => x.rel)).toEqual(whole.map((x) => x.rel).sort());
  });

  test('merged names round-trip their spans and are not roll names', () => {
    const spans = [{ partition: 0, first: 0, last: 99 }, { partition: 2, first: 5, last: 80 }];
    const n = mergedFileName(spans);
    expect(n).toBe('m-p0-o0-99_p2-o5-80.v2.parquet');
    expect(parseMergedFileName('m-p0-o0-99_p2-o5-80.parquet')).toEqual(spans);
    expect(parseMergedFileName(n)).toEqual(spans);
    expect(parseRawFileName(n)).toBeNull();
    expect(parseMergedFileName('p0-o0-99-n1.parquet')).toBeNull();
  });

  test('a merged file hides the files it covers in its directory, and completes the ranges it covers elsewhere', () => {
    const small = (day: string, partition: number, first: number, last: number, files: number, table: RawFile['table'] = 'blocks'): RawFile => ({
      partition, first, last, files, table, chainId: 1, day, path: `/${table}/${day}/${partition}-${first}`, rel: `${table}/${day}/p${partition}-o${first}`,
    });
    const merged = (day: string, spans: { partition: number; first: number; last: number }[], table: RawFile['table'] = 'blocks'): RawFile => ({
      partition: -1, first: -1, last: -1, files: 1, spans, table, chainId: 1, day, path: `/${table}/${day}/m`, rel: `${table}/${day}/${mergedFileName(spans)}`,
    });
    const d1a = small('d1', 0, 0, 9, 1);
    const d1b = small('d1', 1, 0, 7, 1);
    // A range across midnight: its d1 file was merged away (deleted), its d2 file stays.
    const cross = small('d2', 0, 10, 19, 2);
    const m1 = merged('d1', [{ partition: 0, first: 0, last: 19 }, { partition: 1, first: 0, last: 7 }]);
    const later = small('d2', 1, 8, 12, 1);
    const halfMoved = small('d2', 0, 20, 29, 2);
    const visible = completeRanges([d1a, d1b, m1, cross, later, halfMoved]).map((f) => f.rel);
    expect(visible).toEqual([m1, cross, later].map((f) => f.rel).sort());
    // Another table's directory is not affected by the merged file of blocks.
    const tx = small('d1', 0, 0, 9, 1, 'transactions');
    expect(completeRanges([tx, m1]).map((f) => f.rel)).toEqual([m1.rel, tx.rel].sort());
    // A re-merge supersedes the older merged file.
    const m2 = merged('d1', [{ partition: 0, first: 0, last: 40 }, { partition: 1, first: 0, last: 7 }]);
    expect(completeRanges([m1, m2]).map((f) => f.rel)).toEqual([m2.rel]);
  });
});
