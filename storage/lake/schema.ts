// The raw tables of the Parquet lake and their columns, in file order: the one schema the
// compactor writes, the merge rewrites, DuckDB reads and `chainlake export` mirrors, with the
// accessor that reads each column's value from a chain record (core/chain.ts). The chain
// families' columns (core/chains) come after the base ones, read from the record's `extra`.
// Each column says which lake file schema it appeared in (`since`), so files written before it
// still read (storage/lake/canonical.ts rawRelationSql).
import type { BlockHeader, BlockRecord, ChainRecord, RetractionRecord, TokenTransfer, Tx } from '../../core/chain.js';
import { allFamilyColumns, type FamilyColumn, type FamilyColumnType } from '../../core/chains/index.js';

export const RAW_TABLES = ['blocks', 'transactions', 'token_transfers', 'retractions'] as const;
export type RawTable = (typeof RAW_TABLES)[number];

/** How a column is staged (appender type) and written to Parquet. */
export type ColumnKind = 'int' | 'bigint' | 'varchar' | 'dec38' | 'boolean';
export type Column = { name: string; kind: ColumnKind };

/**
 * The lake file schema this build writes. v1: the columns before chain families; v2 adds the fee
 * parts and the family columns. The version is in the file name (storage/lake/files.ts).
 */
export const LAKE_FILE_SCHEMA = 2;
export type LakeFileSchema = 1 | 2;

/**
 * The wire type of the record field a column is read from, as core/chain.ts's zod schema states
 * it; `?` = nullable. The fast record check (batch/compact/check.ts) has one test per type.
 */
export type FieldType =
  | 'int'
  | 'positiveInt'
  | 'hex32'
  | 'hex32?'
  | 'address'
  | 'address?'
  | 'uint'
  | 'uint?'
  | 'txClass'
  | 'selector?'
  | 'string?'
  | 'args?'
  | 'status';

/**
 * A raw column and its accessor: the value is `field` of the record, of its block header, or of
 * the row's item (the transaction or token transfer the row stands for); `kafka` columns are the
 * record's kind and Kafka position. `json`: the field is an object, stored as JSON text.
 */
type ColumnBase = Column & {
  /** The first lake file schema that has the column (absent: 1, every file has it). */
  since?: LakeFileSchema;
};
export type RawColumn =
  | (ColumnBase & { from: 'record' | 'block' | 'item'; field: string; type: FieldType; json?: true })
  | (ColumnBase & { from: 'kafka'; field: 'kind' | 'partition' | 'offset' })
  /** A chain family's field in `extra` of the block / the row's item (`of`); absent = NULL. Checked by zod as a JSON scalar only. */
  | (ColumnBase & { from: 'extra'; of: 'block' | 'item'; field: string; family: FamilyColumnType });
export type RawColumns = Record<RawTable, RawColumn[]>;

// One constructor per source, so the compiler checks that the field exists where it is read.
type RecordField = keyof BlockRecord | keyof RetractionRecord;
const rec = (name: string, kind: ColumnKind, field: RecordField, type: FieldType): RawColumn => ({ name, kind, from: 'record', field, type });
const blk = (name: string, kind: ColumnKind, field: keyof BlockHeader, type: FieldType): RawColumn => ({ name, kind, from: 'block', field, type });
const tx = (name: string, kind: ColumnKind, field: keyof Tx, type: FieldType, json?: true): RawColumn => ({ name, kind, from: 'item', field, type, ...(json ? { json } : {}) });
const v2 = (col: RawColumn): RawColumn => ({ ...col, since: 2 });
const FAMILY_KINDS: Record<FamilyColumnType, ColumnKind> = { uint256: 'varchar', dec38: 'dec38', bigint: 'bigint', integer: 'int', text: 'varchar', boolean: 'boolean', hash: 'varchar', address: 'varchar' };
const family = (of: 'block' | 'item', c: FamilyColumn): RawColumn => ({ name: c.name, kind: FAMILY_KINDS[c.type], from: 'extra', of, field: c.field, family: c.type, since: 2 });
const xfer = (name: string, kind: ColumnKind, field: keyof TokenTransfer, type: FieldType): RawColumn => ({ name, kind, from: 'item', field, type });
const provenance: RawColumn[] = [
  { name: 'kind', kind: 'varchar', from: 'kafka', field: 'kind' },
  { name: 'kafka_partition', kind: 'int', from: 'kafka', field: 'partition' },
  { name: 'kafka_offset', kind: 'bigint', from: 'kafka', field: 'offset' },
];
// Every row of a block names its block by these columns.
const blockRef = [rec('chain_id', 'int', 'chainId', 'positiveInt'), blk('block_number', 'bigint', 'number', 'int'), blk('block_hash', 'varchar', 'hash', 'hex32'), blk('block_timestamp', 'bigint', 'timestamp', 'int')];

/**
 * Columns of every raw table, in file order, each with where its value comes from in a chain
 * record: the row mapper, the compactor's CSV fast path, the fast record check and the export all
 * iterate over this table, so a new field is one line here (plus core/chain.ts's schema).
 * dec38 = DECIMAL(38,0); value/amount stay VARCHAR (uint256).
 */
export const RAW_COLUMNS: RawColumns = {
  blocks: [
    rec('chain_id', 'int', 'chainId', 'positiveInt'),
    blk('number', 'bigint', 'number', 'int'),
    blk('hash', 'varchar', 'hash', 'hex32'),
    blk('parent_hash', 'varchar', 'parentHash', 'hex32'),
    blk('timestamp', 'bigint', 'timestamp', 'int'),
    blk('miner', 'varchar', 'miner', 'address'),
    blk('gas_used', 'dec38', 'gasUsed', 'uint'),
    blk('gas_limit', 'dec38', 'gasLimit', 'uint'),
    blk('base_fee_per_gas', 'dec38', 'baseFeePerGas', 'uint?'),
    blk('tx_count', 'int', 'txCount', 'int'),
    rec('published_at', 'bigint', 'publishedAt', 'int'),
    ...allFamilyColumns('blocks').map((c) => family('block', c)),
    ...provenance,
  ],
  transactions: [
    ...blockRef,
    tx('hash', 'varchar', 'hash', 'hex32'),
    tx('transaction_index', 'int', 'transactionIndex', 'int'),
    tx('from_address', 'varchar', 'from', 'address'),
    tx('to_address', 'varchar', 'to', 'address?'),
    tx('value', 'varchar', 'value', 'uint'),
    tx('nonce', 'bigint', 'nonce', 'int'),
    tx('type', 'int', 'type', 'int'),
    tx('gas', 'dec38', 'gas', 'uint'),
    tx('gas_price', 'dec38', 'gasPrice', 'uint?'),
    tx('max_fee_per_gas', 'dec38', 'maxFeePerGas', 'uint?'),
    tx('max_priority_fee_per_gas', 'dec38', 'maxPriorityFeePerGas', 'uint?'),
    tx('tx_class', 'varchar', 'txClass', 'txClass'),
    tx('selector', 'varchar', 'selector', 'selector?'),
    tx('method', 'varchar', 'method', 'string?'),
    tx('args', 'varchar', 'args', 'args?', true),
    tx('input_size', 'int', 'inputSize', 'int'),
    tx('status', 'int', 'status', 'status'),
    tx('gas_used', 'dec38', 'gasUsed', 'uint'),
    tx('effective_gas_price', 'dec38', 'effectiveGasPrice', 'uint'),
    tx('fee', 'dec38', 'fee', 'uint'),
    tx('contract_address', 'varchar', 'contractAddress', 'address?'),
    tx('log_count', 'int', 'logCount', 'int'),
    v2(tx('execution_fee', 'dec38', 'executionFee', 'uint')),
    v2(tx('data_fee', 'dec38', 'dataFee', 'uint')),
    ...allFamilyColumns('transactions').map((c) => family('item', c)),
    ...provenance,
  ],
  token_transfers: [
    ...blockRef,
    xfer('tx_hash', 'varchar', 'txHash', 'hex32'),
    xfer('log_index', 'int', 'logIndex', 'int'),
    xfer('token', 'varchar', 'token', 'address'),
    xfer('from_address', 'varchar', 'from', 'address'),
    xfer('to_address', 'varchar', 'to', 'address'),
    xfer('amount', 'varchar', 'amount', 'uint'),
    ...provenance,
  ],
  retractions: [
    rec('chain_id', 'int', 'chainId', 'positiveInt'),
    blk('number', 'bigint', 'number', 'int'),
    blk('hash', 'varchar', 'hash', 'hex32'),
    blk('parent_hash', 'varchar', 'parentHash', 'hex32'),
    blk('timestamp', 'bigint', 'timestamp', 'int'),
    rec('replaced_by', 'varchar', 'replacedBy', 'hex32?'),
    rec('published_at', 'bigint', 'publishedAt', 'int'),
    ...provenance,
  ],
};

/**
 * Which records a table has rows for (by record kind), and one row per what: the record itself,
 * or each element of one of its lists (`item` in the accessors).
 */
export const TABLE_ROWS: Record<RawTable, { kind: ChainRecord['kind']; items?: 'transactions' | 'tokenTransfers' }> = {
  blocks: { kind: 'block' },
  transactions: { kind: 'block', items: 'transactions' },
  token_transfers: { kind: 'block', items: 'tokenTransfers' },
  retractions: { kind: 'retraction' },
};

/**
 * The value of column `col` in the row of record `r` for `item` (a transaction or transfer,
 * undefined for blocks and retractions rows), before any encoding: JSON fields as text. The Kafka
 * position is absent for a record that never went through Kafka (`chainlake export`).
 */
export function columnValue(col: RawColumn, r: ChainRecord, item: unknown, partition?: number, offset?: number): string | number | boolean | null {
  let v: unknown;
  switch (col.from) {
    case 'extra':
      return ((col.of === 'block' ? r.block : item) as { extra?: Record<string, string | number | boolean | null> }).extra?.[col.field] ?? null;
    case 'kafka':
      return col.field === 'kind' ? r.kind : ((col.field === 'partition' ? partition : offset) ?? null);
    case 'record':
      v = (r as unknown as Record<string, unknown>)[col.field];
      break;
    case 'block':
      v = (r.block as Record<string, unknown>)[col.field];
      break;
    case 'item':
      v = (item as Record<string, unknown>)[col.field];
      break;
  }
  if (col.json) return v === null ? null : JSON.stringify(v);
  return v as string | number | null;
}

export const duckType = (k: ColumnKind): string => ({ int: 'INTEGER', bigint: 'BIGINT', varchar: 'VARCHAR', dec38: 'DECIMAL(38,0)', boolean: 'BOOLEAN' })[k];

/** The columns a file of lake schema `version` has, in RAW_COLUMNS order. */
export const columnsOfFileSchema = (table: RawTable, version: LakeFileSchema, columns: RawColumns = RAW_COLUMNS): RawColumn[] =>
  columns[table].filter((c) => (c.since ?? 1) <= version);

/** SQL string literal (here, beside the DuckDB types, so pure SQL builders need no DuckDB driver). */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
