// The raw tables of the Parquet lake and their columns, in file order: the one schema the
// compactor writes, the merge rewrites, DuckDB reads and `chainlake export` mirrors.

export const RAW_TABLES = ['blocks', 'transactions', 'token_transfers', 'retractions'] as const;
export type RawTable = (typeof RAW_TABLES)[number];

/** How a column is staged (appender type) and written to Parquet. */
export type ColumnKind = 'int' | 'bigint' | 'varchar' | 'dec38';
export type Column = { name: string; kind: ColumnKind };
const c = (name: string, kind: ColumnKind): Column => ({ name, kind });
const provenance = [c('kind', 'varchar'), c('kafka_partition', 'int'), c('kafka_offset', 'bigint')];

/** Columns of every raw table, in file order. dec38 = DECIMAL(38,0); value/amount stay VARCHAR (uint256). */
export const RAW_COLUMNS: Record<RawTable, Column[]> = {
  blocks: [
    c('chain_id', 'int'),
    c('number', 'bigint'),
    c('hash', 'varchar'),
    c('parent_hash', 'varchar'),
    c('timestamp', 'bigint'),
    c('miner', 'varchar'),
    c('gas_used', 'dec38'),
    c('gas_limit', 'dec38'),
    c('base_fee_per_gas', 'dec38'),
    c('tx_count', 'int'),
    c('published_at', 'bigint'),
    ...provenance,
  ],
  transactions: [
    c('chain_id', 'int'),
    c('block_number', 'bigint'),
    c('block_hash', 'varchar'),
    c('block_timestamp', 'bigint'),
    c('hash', 'varchar'),
    c('transaction_index', 'int'),
    c('from_address', 'varchar'),
    c('to_address', 'varchar'),
    c('value', 'varchar'),
    c('nonce', 'bigint'),
    c('type', 'int'),
    c('gas', 'dec38'),
    c('gas_price', 'dec38'),
    c('max_fee_per_gas', 'dec38'),
    c('max_priority_fee_per_gas', 'dec38'),
    c('tx_class', 'varchar'),
    c('selector', 'varchar'),
    c('method', 'varchar'),
    c('args', 'varchar'),
    c('input_size', 'int'),
    c('status', 'int'),
    c('gas_used', 'dec38'),
    c('effective_gas_price', 'dec38'),
    c('fee', 'dec38'),
    c('contract_address', 'varchar'),
    c('log_count', 'int'),
    ...provenance,
  ],
  token_transfers: [
    c('chain_id', 'int'),
    c('block_number', 'bigint'),
    c('block_hash', 'varchar'),
    c('block_timestamp', 'bigint'),
    c('tx_hash', 'varchar'),
    c('log_index', 'int'),
    c('token', 'varchar'),
    c('from_address', 'varchar'),
    c('to_address', 'varchar'),
    c('amount', 'varchar'),
    ...provenance,
  ],
  retractions: [
    c('chain_id', 'int'),
    c('number', 'bigint'),
    c('hash', 'varchar'),
    c('parent_hash', 'varchar'),
    c('timestamp', 'bigint'),
    c('replaced_by', 'varchar'),
    c('published_at', 'bigint'),
    ...provenance,
  ],
};

export const duckType = (k: ColumnKind): string => ({ int: 'INTEGER', bigint: 'BIGINT', varchar: 'VARCHAR', dec38: 'DECIMAL(38,0)' })[k];
