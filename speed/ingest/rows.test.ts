import { expect, test } from 'vitest';
import { blockRecordSchema } from '../../core/chain.js';
import { EXPORT_COLUMNS, EXPORT_TABLES, recordRows } from './rows.js';
import { memChain, memRecord } from './testing.js';

test('export rows carry exactly the documented columns of each table', () => {
  const chain = memChain(2);
  const base = memRecord(1, chain.blocks[1] as never);
  const record = blockRecordSchema.parse({
    ...base,
    block: { ...base.block, txCount: 1 },
    transactions: [
      {
        hash: `0x${'a'.repeat(64)}`, blockNumber: 1, transactionIndex: 0, from: `0x${'b'.repeat(40)}`, to: null, value: '1', nonce: 0, type: 2,
        gas: '21000', gasPrice: null, maxFeePerGas: '10', maxPriorityFeePerGas: '1', txClass: 'contract_creation', selector: null, method: null,
        args: { x: '1' }, inputSize: 10, status: 1, gasUsed: '21000', effectiveGasPrice: '8', fee: '168000', executionFee: '168000', dataFee: '0', contractAddress: `0x${'c'.repeat(40)}`, logCount: 1,
      },
    ],
    tokenTransfers: [{ txHash: `0x${'a'.repeat(64)}`, blockNumber: 1, logIndex: 0, token: `0x${'c'.repeat(40)}`, from: `0x${'b'.repeat(40)}`, to: `0x${'d'.repeat(40)}`, amount: '115792089237316195423570985008687907853269984665640564039457584007913129639935' }],
  });
  const rows = recordRows(record);
  for (const table of EXPORT_TABLES) {
    expect(rows[table]).toHaveLength(1);
    expect(Object.keys(rows[table][0] ?? {}).sort()).toEqual(EXPORT_COLUMNS[table].map((c) => c.name).sort());
  }
  expect(rows.transactions[0]?.args).toBe('{"x":"1"}');
  expect(rows.token_transfers[0]?.amount).toBe(record.tokenTransfers[0]?.amount);
});

test('docs/export-schema.md documents exactly the exported columns and types', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../docs/export-schema.md', import.meta.url), 'utf8');
  const sections = doc.split(/^## /m);
  const typeName = { int: 'INTEGER', bigint: 'BIGINT', varchar: 'VARCHAR', dec38: 'DECIMAL(38,0)', boolean: 'BOOLEAN' } as const;
  for (const table of EXPORT_TABLES) {
    const section = sections.find((s) => s.startsWith(`${table}\n`)) ?? '';
    const documented = [...section.matchAll(/^\| ([a-z_0-9]+) \| ([A-Z0-9(),]+) \|/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(documented, table).toEqual(EXPORT_COLUMNS[table].map((c) => `${c.name}:${typeName[c.kind]}`));
  }
});
