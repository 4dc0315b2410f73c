import { describe, expect, test } from 'vitest';
import { RecordDecodeError, decodeRecord, encodeRecord, minuteOf, recordKey, utcDay } from './chain.js';
import { sampleBlock } from './chain.fixtures.js';

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
