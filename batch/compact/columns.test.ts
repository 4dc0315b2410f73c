// A new column is one entry in the column table (storage/lake/schema.ts): the row mapper, the CSV
// fast path and the fast record check all pick it up from there, with no other edit.
import { describe, expect, test } from 'vitest';
import { encodeRecord } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import { RAW_COLUMNS, type RawColumn, type RawColumns } from '../../storage/lake/schema.js';
import { generateChain } from '../../test/batch/fixtures.js';
import { createRecordCheck, isChainRecord } from './check.js';
import { createRowMapper } from './rows.js';

// As a chain family would add them: an L1 fee per transaction, blob gas per block.
const l1Fee: RawColumn = { name: 'test_l1_fee', kind: 'dec38', from: 'item', field: 'l1Fee', type: 'uint?' };
const blobGasUsed: RawColumn = { name: 'test_blob_gas_used', kind: 'dec38', from: 'block', field: 'blobGasUsed', type: 'uint' };
const before = (cols: RawColumn[], col: RawColumn) => [...cols.slice(0, -3), col, ...cols.slice(-3)]; // before the provenance
const extended: RawColumns = { ...RAW_COLUMNS, blocks: before(RAW_COLUMNS.blocks, blobGasUsed), transactions: before(RAW_COLUMNS.transactions, l1Fee) };

const base = () => {
  const r = generateChain({ chainId: 3, blocks: 20, maxTxs: 4, seed: 5 }).records.find((x) => x.kind === 'block' && x.transactions.length >= 2)!;
  const json = JSON.parse(encodeRecord(r).toString());
  json.block.blobGasUsed = '131072';
  for (const t of json.transactions) t.l1Fee = null;
  json.transactions[0].l1Fee = '123456';
  return json;
};

describe('a column added to a copy of the column table', () => {
  const mapper = createRowMapper(extended);
  const check = createRecordCheck(extended);

  test('shows up in recordToRows, at its place in the table', () => {
    const { rows } = mapper.recordToRows(base(), 0, 9);
    const at = (cols: RawColumn[], name: string) => cols.findIndex((c) => c.name === name);
    expect(rows.blocks![0]).toHaveLength(extended.blocks.length);
    expect(rows.blocks![0]![at(extended.blocks, 'test_blob_gas_used')]).toBe('131072');
    expect(rows.transactions!.map((row) => row[at(extended.transactions, 'test_l1_fee')])).toEqual(['123456', ...rows.transactions!.slice(1).map(() => null)]);
  });

  test('shows up in recordCsv, which still equals rowsToCsv(recordToRows(…))', () => {
    const record = base();
    const { day, rows } = mapper.recordToRows(record, 1, 2);
    const expected: Record<string, string[]> = {};
    for (const [table, list] of Object.entries(rows)) mapper.rowsToCsv(table as 'blocks', list, (expected[table] = []));
    const csv = mapper.recordCsv(record, 1, 2);
    expect(csv).toEqual({ day, lines: expected });
    expect(csv.lines.blocks![0]).toContain(',"131072",');
    expect(csv.lines.transactions![0]).toContain(',"123456","block",1,2\n');
    expect(csv.lines.transactions![1]).toContain(',,"block",1,2\n');
  });

  test('is checked to fit DECIMAL(38,0) by both mappers, like the built-in columns', () => {
    const record = base();
    record.transactions[0].l1Fee = '9'.repeat(39);
    expect(() => mapper.recordToRows(record, 0, 0)).toThrow(FatalError);
    expect(() => mapper.recordCsv(record, 0, 0)).toThrow(FatalError);
  });

  test('is validated by the fast record check with its field type', () => {
    expect(check(base())).toBe(true);
    const bad = base();
    bad.transactions[0].l1Fee = '0x12';
    expect(check(bad)).toBe(false);
    expect(isChainRecord(bad)).toBe(true); // the production table does not know the field
    const missing = base();
    delete missing.block.blobGasUsed;
    expect(check(missing)).toBe(false);
    const { l1Fee: _, ...noFee } = base().transactions[0];
    expect(check({ ...base(), transactions: [noFee] })).toBe(false);
  });
});
