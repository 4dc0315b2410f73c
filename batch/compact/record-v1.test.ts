// Records of schema v1 (written before the fee parts) stay readable by every consumer: the
// zod decoder (speed views, tests) and the compactor's fast path upgrade them the same way,
// executionFee = fee and dataFee = 0, and a schema neither knows is still a poison record.
import { describe, expect, test } from 'vitest';
import { decodeRecord, RECORD_SCHEMA, RECORD_SCHEMA_V1, RecordDecodeError } from '../../core/chain.js';
import { sampleBlock } from '../../core/chain.fixtures.js';
import { decodeRecordFast, isChainRecord } from './check.js';

/** The sample block as a v1 producer wrote it: schema v1, no fee parts. */
function v1Block(): Record<string, unknown> {
  const r = JSON.parse(JSON.stringify(sampleBlock())) as Record<string, any>;
  r.schema = RECORD_SCHEMA_V1;
  for (const t of r.transactions) {
    delete t.executionFee;
    delete t.dataFee;
  }
  return r;
}

describe('v1 records', () => {
  test('decode as v2 with executionFee = fee and dataFee = 0, on the zod and the fast path alike', () => {
    const buf = Buffer.from(JSON.stringify(v1Block()));
    const slow = decodeRecord(buf);
    expect(slow).toEqual(sampleBlock());
    expect(slow.schema).toBe(RECORD_SCHEMA);
    expect(decodeRecordFast(buf)).toEqual(slow);
    // the fast check itself only says yes to the current schema
    expect(isChainRecord(v1Block())).toBe(false);
  });

  test('a v1 retraction reads too', () => {
    const retraction = { schema: RECORD_SCHEMA_V1, kind: 'retraction', chainId: 1, block: { number: 3, hash: `0x${'1'.repeat(64)}`, parentHash: `0x${'2'.repeat(64)}`, timestamp: 5 }, replacedBy: null, publishedAt: 1 };
    const buf = Buffer.from(JSON.stringify(retraction));
    expect(decodeRecord(buf)).toEqual({ ...retraction, schema: RECORD_SCHEMA });
    expect(decodeRecordFast(buf)).toEqual({ ...retraction, schema: RECORD_SCHEMA });
  });

  test('a v2 record without its fee parts, or an unknown schema, is rejected', () => {
    const noParts = { ...v1Block(), schema: RECORD_SCHEMA };
    expect(() => decodeRecordFast(Buffer.from(JSON.stringify(noParts)))).toThrow(/executionFee/);
    const future = { ...v1Block(), schema: 'chainlake.block.v3' };
    expect(() => decodeRecord(Buffer.from(JSON.stringify(future)))).toThrow(RecordDecodeError);
    expect(() => decodeRecord(Buffer.from(JSON.stringify(future)))).toThrow(/unknown record schema/);
  });
});
