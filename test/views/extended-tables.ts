// A copy of the speed-view declaration with two extra tables, for the tests that prove a new
// table only needs its declaration to be retracted on a reorg (speed/views/retraction.test.ts
// in memory, test/views/declaration.test.ts against Cassandra). Version 199: a number no real
// migration takes (storage/migrations/views.ts counts up from 100).
import type { BlockRecord } from '../../core/chain.js';
import { type TableDecl, VIEW_TABLES, type ViewRow, type ViewTable } from '../../storage/views/tables.js';
import { blockRows } from '../../speed/views/rows.js';

export type Extended = ViewTable | 'views_test_tx_by_index' | 'views_test_block_note';

/** A copy of the declaration plus one per-tx table (by manifest) and one per-block table (derived). */
export const EXTENDED_TABLES: Record<Extended, TableDecl> = {
  ...VIEW_TABLES,
  views_test_tx_by_index: {
    since: 199,
    columns: { chain_id: 'int', block_number: 'bigint', tx_index: 'int', block_hash: 'text', tx_hash: 'text' },
    partitionKey: ['chain_id', 'block_number'],
    clustering: ['tx_index', 'block_hash'],
    ttl: true,
    retraction: { by: 'manifest' },
  },
  views_test_block_note: {
    since: 199,
    columns: { chain_id: 'int', block_hash: 'text', note: 'text' },
    partitionKey: ['chain_id', 'block_hash'],
    clustering: [],
    ttl: false,
    retraction: { by: 'derived', key: (r) => ({ chain_id: r.chainId, block_hash: r.block.hash }) },
  },
};

/** The consumer's rows plus the extra tables' rows of a block. */
export function extendedRows(b: BlockRecord): ViewRow<Extended>[] {
  const rows: ViewRow<Extended>[] = [...blockRows(b)];
  for (const tx of b.transactions)
    rows.push({ table: 'views_test_tx_by_index', key: { chain_id: b.chainId, block_number: b.block.number, tx_index: tx.transactionIndex, block_hash: b.block.hash }, data: { tx_hash: tx.hash } });
  rows.push({ table: 'views_test_block_note', key: { chain_id: b.chainId, block_hash: b.block.hash }, data: { note: `block ${b.block.number}` } });
  return rows;
}
