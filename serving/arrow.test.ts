import { tableFromIPC } from 'apache-arrow';
import { expect, test } from 'vitest';
import { flattenRow, rowsToArrowIpc } from './arrow.js';

const decode = (bytes: Uint8Array) =>
  tableFromIPC(bytes)
    .toArray()
    .map((r) => ({ ...(r.toJSON() as Record<string, unknown>) }));

test('Arrow IPC decodes to the same rows as the JSON answer (nested objects flattened)', () => {
  const rows = [
    { number: 12, hash: '0xab', gasUsed: '115792089237316195423570985008687907853269984665640564039457584007913129639935', ratio: 0.5, ok: true, byClass: { a: 1, b: 2 }, none: null },
    { number: 13, hash: '0xcd', gasUsed: '0', ratio: 1, ok: false, byClass: { a: 3, b: 4 }, none: null },
  ];
  const expected = rows.map((r) => flattenRow(r));
  expect(decode(rowsToArrowIpc(rows))).toEqual(expected);
  expect(expected[0]).toHaveProperty('byClass_a', 1);
});

test('an empty result keeps its columns', () => {
  const t = tableFromIPC(rowsToArrowIpc([], ['a', 'b']));
  expect(t.numRows).toBe(0);
  expect(t.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
});

test('numbers beyond int32 are Float64, not truncated', () => {
  const rows = [{ n: 2 ** 40 }, { n: 1 }];
  expect(decode(rowsToArrowIpc(rows))).toEqual(rows);
});
