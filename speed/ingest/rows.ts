// Flat rows of a block record for `chainlake export`, with the same column names and types
// as the lake's raw tables (storage/lake/schema.ts RAW_COLUMNS) minus Kafka provenance and
// publishedAt. Pure. Documented in docs/export-schema.md.
import type { BlockRecord } from '../../core/chain.js';
import { columnValue, RAW_COLUMNS, type RawColumn, TABLE_ROWS } from '../../storage/lake/schema.js';

export const EXPORT_TABLES = ['blocks', 'transactions', 'token_transfers'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
export type ExportRow = Record<string, string | number | boolean | null>;

const NOT_EXPORTED = new Set(['kind', 'kafka_partition', 'kafka_offset', 'published_at']);

export const EXPORT_COLUMNS: Record<ExportTable, RawColumn[]> = {
  blocks: RAW_COLUMNS.blocks.filter((c) => !NOT_EXPORTED.has(c.name)),
  transactions: RAW_COLUMNS.transactions.filter((c) => !NOT_EXPORTED.has(c.name)),
  token_transfers: RAW_COLUMNS.token_transfers.filter((c) => !NOT_EXPORTED.has(c.name)),
};

/** Rows of a block record per exported table, read by the lake's column accessors (values as in the lake, no DECIMAL check). */
export function recordRows(r: BlockRecord): Record<ExportTable, ExportRow[]> {
  const rowsOf = (table: ExportTable): ExportRow[] => {
    const list = TABLE_ROWS[table].items;
    const items: unknown[] = list === undefined ? [undefined] : r[list];
    return items.map((item) => Object.fromEntries(EXPORT_COLUMNS[table].map((col) => [col.name, columnValue(col, r, item)])));
  };
  return { blocks: rowsOf('blocks'), transactions: rowsOf('transactions'), token_transfers: rowsOf('token_transfers') };
}
