// Property tests for the Kafka record decoder: arbitrary bytes and mutated records are either
// a valid record or a RecordDecodeError with a reason — never a crash, never bad data.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { RecordDecodeError, blockRecordSchema, decodeRecord, encodeRecord } from './chain.js';
import { sampleBlock } from './chain.fixtures.js';

const expectDecodeErrorOrValid = (value: Buffer | string) => {
  try {
    const r = decodeRecord(value);
    if (r.kind === 'block') expect(blockRecordSchema.safeParse(r).success).toBe(true);
  } catch (e) {
    expect(e).toBeInstanceOf(RecordDecodeError);
    expect(['bad_json', 'unknown_schema', 'invalid']).toContain((e as RecordDecodeError).reason);
  }
};

test('arbitrary bytes never crash the decoder', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectDecodeErrorOrValid(Buffer.from(bytes))), { numRuns: 500 });
});

test('a valid record with one field replaced by an arbitrary JSON value is rejected or still valid', () => {
  const base = JSON.parse(encodeRecord(sampleBlock()).toString()) as Record<string, unknown>;
  const paths: string[][] = [['block', 'number'], ['block', 'hash'], ['block', 'gasUsed'], ['transactions', '0', 'value'], ['transactions', '0', 'status'], ['transactions', '0', 'to'], ['chainId'], ['kind']];
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, replacement) => {
      const copy = structuredClone(base);
      let node: Record<string, unknown> = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
      node[path.at(-1)!] = replacement;
      expectDecodeErrorOrValid(JSON.stringify(copy));
    }),
    { numRuns: 500 },
  );
});

test('huge and negative amounts are refused, max uint256 is kept exactly', () => {
  const tooBig = (2n ** 256n).toString() + '0';
  for (const value of [(2n ** 256n).toString(), tooBig, '-5', '1e18', '0x10', '01', '']) {
    const r = sampleBlock();
    (r.transactions[0] as { value: string }).value = value;
    expect(() => decodeRecord(JSON.stringify(r)), value).toThrow(RecordDecodeError);
  }
});
