// The speed-view tables, declared once: columns with their CQL types, primary key, TTL and how a
// retraction removes the table's rows. The migration's CREATE TABLEs (storage/migrations/views.ts),
// the writer's INSERT/DELETE statements and batch grouping (writer.ts) and the retraction sets
// (speed/views/rows.ts) are all derived from VIEW_TABLES, so a table cannot be added without
// stating its retraction policy. Reasoning about idempotence and reorgs: docs/speed-views.md.
import { type RetractionRecord, minuteOf, utcDay } from '../../core/chain.js';

/** A value the storage layer accepts: text/varint as strings, int/bigint/timestamp(ms) as numbers. */
export type CqlValue = string | number | null;
export type CqlType = 'int' | 'bigint' | 'text' | 'timestamp' | 'varint' | 'blob';

export type ViewTable =
  | 'views_blocks_by_height'
  | 'views_blocks_by_hash'
  | 'views_txs_by_hash'
  | 'views_txs_by_address'
  | 'views_transfers_by_token'
  | 'views_transfers_by_address'
  | 'views_minute_stats';

export type RowKey<T extends string = ViewTable> = { table: T; key: Record<string, CqlValue> };
export type ViewRow<T extends string = ViewTable> = RowKey<T> & { data: Record<string, CqlValue> };

/**
 * How a retraction of a block finds this table's rows of that block.
 * - derived: the retraction record alone names the row (one row per block; key from number, hash, time).
 * - manifest: the block wrote rows whose keys only the block knew (per tx, per transfer); it lists
 *   them in views_block_manifest and the retraction deletes what the manifest lists.
 */
export type Retraction = { by: 'manifest' } | { by: 'derived'; key: (record: RetractionRecord) => Record<string, CqlValue> };

export type TableDecl = {
  /** Migration version that creates the table (storage/migrations/views.ts). */
  since: number;
  /** Every column in CREATE TABLE order (columns added later last). */
  columns: Record<string, CqlType>;
  /**
   * Columns added after the table was created, by the migration version that adds them
   * (ALTER TABLE … ADD, addedColumnsSince); the CREATE TABLE of `since` leaves them out, so
   * a fresh install runs the same steps as an upgraded one. Rows written before lack them (null).
   */
  addedColumns?: Record<string, number>;
  partitionKey: readonly string[];
  clustering: readonly string[];
  /** Clustering order of every clustering column; absent = ASC (no WITH clause). */
  order?: 'DESC';
  /** Rows expire after VIEWS_TTL_SECONDS (applied per write, so changing it needs no migration). */
  ttl: boolean;
  retraction: Retraction;
};

/** Heights per partition of views_blocks_by_height (≈ 14 days of Ethereum blocks). */
export const VIEWS_BLOCK_BUCKET = 100_000;
export const heightBucket = (n: number): number => Math.floor(n / VIEWS_BLOCK_BUCKET);

const BLOCK_COLUMNS = {
  hash: 'text',
  parent_hash: 'text',
  block_time: 'timestamp',
  tx_count: 'int',
  gas_used: 'varint',
  gas_limit: 'varint',
  base_fee: 'varint',
  miner: 'text',
} as const;

/** Per-tx tables expire after VIEWS_TTL_SECONDS; blocks and minute stats are kept. */
export const VIEW_TABLES: Record<ViewTable, TableDecl> = {
  // Canonical block per height; partition = chain + bucket of 100,000 heights, newest first.
  // Retraction deletes unconditionally: the replacement for this height comes later in the same
  // Kafka partition and writes with a larger timestamp, so the delete only removes the orphan's row.
  views_blocks_by_height: {
    since: 100,
    columns: { chain_id: 'int', bucket: 'int', number: 'bigint', ...BLOCK_COLUMNS },
    partitionKey: ['chain_id', 'bucket'],
    clustering: ['number'],
    order: 'DESC',
    ttl: false,
    retraction: { by: 'derived', key: (r) => ({ chain_id: r.chainId, bucket: heightBucket(r.block.number), number: r.block.number }) },
  },
  views_blocks_by_hash: {
    since: 100,
    columns: { chain_id: 'int', number: 'bigint', ...BLOCK_COLUMNS },
    partitionKey: ['chain_id', 'hash'],
    clustering: [],
    ttl: false,
    retraction: { by: 'derived', key: (r) => ({ chain_id: r.chainId, hash: r.block.hash }) },
  },
  // Clustered by block hash: a tx that moves to another block in a reorg gets a second row,
  // so a retraction never has to delete a row that another Kafka partition wrote.
  views_txs_by_hash: {
    since: 100,
    columns: {
      chain_id: 'int',
      tx_hash: 'text',
      block_hash: 'text',
      block_number: 'bigint',
      tx_index: 'int',
      block_time: 'timestamp',
      from_address: 'text',
      to_address: 'text',
      value: 'varint',
      tx_class: 'text',
      selector: 'text',
      method: 'text',
      args: 'text',
      status: 'int',
      gas: 'varint',
      gas_price: 'varint',
      max_fee_per_gas: 'varint',
      max_priority_fee_per_gas: 'varint',
      gas_used: 'varint',
      effective_gas_price: 'varint',
      fee: 'varint',
      contract_address: 'text',
      nonce: 'bigint',
      tx_type: 'int',
      input_size: 'int',
      log_count: 'int',
      execution_fee: 'varint',
      data_fee: 'varint',
      extra: 'text',
    },
    // fee = execution_fee + data_fee (blob fee, L1 data fee); extra: the chain family's fields as JSON.
    addedColumns: { execution_fee: 102, data_fee: 102, extra: 102 },
    partitionKey: ['chain_id', 'tx_hash'],
    clustering: ['block_hash'],
    ttl: true,
    retraction: { by: 'manifest' },
  },
  // side: 'from' | 'to' | 'created' (contract address of a creation).
  views_txs_by_address: {
    since: 100,
    columns: {
      chain_id: 'int',
      address: 'text',
      day: 'text',
      block_number: 'bigint',
      tx_index: 'int',
      side: 'text',
      tx_hash: 'text',
      block_hash: 'text',
      block_time: 'timestamp',
      counterparty: 'text',
      value: 'varint',
      tx_class: 'text',
      method: 'text',
      status: 'int',
      fee: 'varint',
    },
    partitionKey: ['chain_id', 'address', 'day'],
    clustering: ['block_number', 'tx_index', 'side'],
    order: 'DESC',
    ttl: true,
    retraction: { by: 'manifest' },
  },
  views_transfers_by_token: {
    since: 100,
    columns: {
      chain_id: 'int',
      token_address: 'text',
      day: 'text',
      block_number: 'bigint',
      log_index: 'int',
      tx_hash: 'text',
      block_hash: 'text',
      block_time: 'timestamp',
      from_address: 'text',
      to_address: 'text',
      amount: 'varint',
    },
    partitionKey: ['chain_id', 'token_address', 'day'],
    clustering: ['block_number', 'log_index'],
    order: 'DESC',
    ttl: true,
    retraction: { by: 'manifest' },
  },
  views_transfers_by_address: {
    since: 100,
    columns: {
      chain_id: 'int',
      address: 'text',
      day: 'text',
      block_number: 'bigint',
      log_index: 'int',
      side: 'text',
      token_address: 'text',
      counterparty: 'text',
      amount: 'varint',
      tx_hash: 'text',
      block_hash: 'text',
      block_time: 'timestamp',
    },
    partitionKey: ['chain_id', 'address', 'day'],
    clustering: ['block_number', 'log_index', 'side'],
    order: 'DESC',
    ttl: true,
    retraction: { by: 'manifest' },
  },
  // One partial row per (minute, block hash); reads sum the rows of canonical blocks.
  views_minute_stats: {
    since: 100,
    columns: {
      chain_id: 'int',
      day: 'text',
      minute: 'timestamp',
      block_hash: 'text',
      block_number: 'bigint',
      tx_count: 'int',
      contract_creations: 'int',
      native_transfers: 'int',
      contract_calls: 'int',
      failed_txs: 'int',
      gas_used: 'varint',
      fees: 'varint',
      native_value: 'varint',
      token_transfers: 'int',
      unknown_txs: 'int',
    },
    // Transactions whose receipt has no status (pre-Byzantium); null in rows written before 101.
    addedColumns: { unknown_txs: 101 },
    partitionKey: ['chain_id', 'day'],
    clustering: ['minute', 'block_hash'],
    ttl: false,
    retraction: {
      by: 'derived',
      key: (r) => ({ chain_id: r.chainId, day: utcDay(minuteOf(r.block.timestamp)), minute: minuteOf(r.block.timestamp) * 1000, block_hash: r.block.hash }),
    },
  },
};

/** The CREATE TABLE statement of a declared table. */
export function createTableCql(name: string, t: TableDecl): string {
  const columns = Object.entries(t.columns)
    .filter(([c]) => t.addedColumns?.[c] === undefined)
    .map(([c, type]) => `${c} ${type}`);
  const key = [`(${t.partitionKey.join(', ')})`, ...t.clustering].join(', ');
  const order = t.order && t.clustering.length > 0 ? ` WITH CLUSTERING ORDER BY (${t.clustering.map((c) => `${c} ${t.order}`).join(', ')})` : '';
  return `CREATE TABLE IF NOT EXISTS ${name} (${columns.join(', ')}, PRIMARY KEY (${key}))${order}`;
}

/** CREATE TABLEs of the tables a migration version introduces, in declaration order. */
export function createTablesSince<T extends string>(tables: Record<T, TableDecl>, version: number): string[] {
  return (Object.entries(tables) as [T, TableDecl][]).filter(([, t]) => t.since === version).map(([name, t]) => createTableCql(name, t));
}

/** ALTER TABLE … ADD of the columns a migration version adds to existing tables. */
export function addedColumnsSince<T extends string>(tables: Record<T, TableDecl>, version: number): string[] {
  const out: string[] = [];
  for (const [name, t] of Object.entries(tables) as [T, TableDecl][])
    for (const [c, v] of Object.entries(t.addedColumns ?? {})) if (v === version) out.push(`ALTER TABLE ${name} ADD ${c} ${t.columns[c]}`);
  return out;
}

/** Keys a retraction deletes without reading anything: one per table whose rows it can derive. */
export function derivedRetractionKeys<T extends string>(tables: Record<T, TableDecl>, record: RetractionRecord): RowKey<T>[] {
  const keys: RowKey<T>[] = [];
  for (const [table, t] of Object.entries(tables) as [T, TableDecl][]) if (t.retraction.by === 'derived') keys.push({ table, key: t.retraction.key(record) });
  return keys;
}

/** Tables whose rows a retraction finds through the block's manifest. */
export const manifestTables = <T extends string>(tables: Record<T, TableDecl>): ReadonlySet<T> =>
  new Set((Object.entries(tables) as [T, TableDecl][]).filter(([, t]) => t.retraction.by === 'manifest').map(([name]) => name));
