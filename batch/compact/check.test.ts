// The fast record check must never accept what the zod schema rejects, and decodeRecordFast
// must reject exactly like decodeRecord (same reason and message).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chainRecordSchema, decodeRecord, encodeRecord, RecordDecodeError } from '../../core/chain.js';
import { sampleBlock } from '../../core/chain.fixtures.js';
import { generateChain } from '../../test/batch/fixtures.js';
import { decodeRecordFast, isChainRecord } from './check.js';

const outcome = (f: () => unknown) => {
  try {
    return { ok: f() };
  } catch (e) {
    if (!(e instanceof RecordDecodeError)) throw e;
    return { reason: e.reason, message: e.message };
  }
};

const base = JSON.parse(encodeRecord(generateChain({ chainId: 1, blocks: 30, maxTxs: 6, seed: 2 }).records.find((r) => r.kind === 'block' && r.transactions.length > 1 && r.tokenTransfers.length > 0)!).toString()) as Record<string, unknown>;
const retraction = JSON.parse(encodeRecord(generateChain({ chainId: 1, blocks: 8, reorgEvery: 4, reorgDepth: 1, seed: 2 }).records.find((r) => r.kind === 'retraction')!).toString()) as Record<string, unknown>;

/** Every path to a leaf or node of a JSON value. */
const paths = (v: unknown, prefix: string[] = []): string[][] => {
  if (v === null || typeof v !== 'object') return [prefix];
  return [prefix, ...Object.entries(v as object).flatMap(([k, x]) => paths(x, [...prefix, k]))];
};
const mutate = (obj: Record<string, unknown>, path: string[], value: unknown, remove: boolean) => {
  const copy = structuredClone(obj);
  if (path.length === 0) return value;
  let node = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  if (remove) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
  return copy;
};

describe('isChainRecord', () => {
  test('accepts valid blocks and retractions', () => {
    expect(isChainRecord(base)).toBe(true);
    expect(isChainRecord(retraction)).toBe(true);
    expect(isChainRecord(JSON.parse(encodeRecord(sampleBlock()).toString()))).toBe(true);
  });

  test('never accepts a mutated record that zod rejects (any field replaced by any JSON value, or removed)', () => {
    const special = fc.constantFrom<unknown>(null, -1, 1.5, 2 ** 53, '', '0x', 'A'.repeat(66), `0x${'A'.repeat(64)}`, `0x${'0'.repeat(40)}`, '01', (2n ** 256n).toString(), [], {}, true, 'block', 'retraction');
    for (const record of [base, retraction]) {
      const all = paths(record);
      fc.assert(
        fc.property(fc.constantFrom(...all), fc.oneof(fc.jsonValue(), special), fc.boolean(), (path, value, remove) => {
          const m = mutate(record, path, value, remove);
          const zodOk = chainRecordSchema.safeParse(m).success;
          if (isChainRecord(m)) expect(zodOk).toBe(true);
          const text = JSON.stringify(m) ?? 'undefined';
          expect(outcome(() => decodeRecordFast(Buffer.from(text)))).toEqual(outcome(() => decodeRecord(text)));
        }),
        { numRuns: 3000 },
      );
    }
  });

  test('bad JSON, unknown schema and empty values keep decodeRecord reasons', () => {
    for (const raw of ['{not json', JSON.stringify({ ...base, schema: 'chainlake.block.v9' }), JSON.stringify({ ...base, kind: 'other' })]) {
      expect(outcome(() => decodeRecordFast(Buffer.from(raw)))).toEqual(outcome(() => decodeRecord(raw)));
    }
    expect(outcome(() => decodeRecordFast(null))).toEqual({ reason: 'invalid', message: 'empty record value' });
  });
});
