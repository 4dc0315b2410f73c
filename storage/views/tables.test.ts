import { describe, expect, test } from 'vitest';
import { viewsMigrations } from '../migrations/views.js';
import { type TableDecl, VIEW_TABLES, createTableCql, derivedRetractionKeys, manifestTables } from './tables.js';

/** The CREATE TABLEs of migration 100 as they were written by hand before the declarations (whitespace-normalized). */
const MIGRATION_100 = [
  'CREATE TABLE IF NOT EXISTS views_blocks_by_height (chain_id int, bucket int, number bigint, hash text, parent_hash text, block_time timestamp, tx_count int, gas_used varint, gas_limit varint, base_fee varint, miner text, PRIMARY KEY ((chain_id, bucket), number)) WITH CLUSTERING ORDER BY (number DESC)',
  'CREATE TABLE IF NOT EXISTS views_blocks_by_hash (chain_id int, number bigint, hash text, parent_hash text, block_time timestamp, tx_count int, gas_used varint, gas_limit varint, base_fee varint, miner text, PRIMARY KEY ((chain_id, hash)))',
  'CREATE TABLE IF NOT EXISTS views_txs_by_hash (chain_id int, tx_hash text, block_hash text, block_number bigint, tx_index int, block_time timestamp, from_address text, to_address text, value varint, tx_class text, selector text, method text, args text, status int, gas varint, gas_price varint, max_fee_per_gas varint, max_priority_fee_per_gas varint, gas_used varint, effective_gas_price varint, fee varint, contract_address text, nonce bigint, tx_type int, input_size int, log_count int, PRIMARY KEY ((chain_id, tx_hash), block_hash))',
  'CREATE TABLE IF NOT EXISTS views_txs_by_address (chain_id int, address text, day text, block_number bigint, tx_index int, side text, tx_hash text, block_hash text, block_time timestamp, counterparty text, value varint, tx_class text, method text, status int, fee varint, PRIMARY KEY ((chain_id, address, day), block_number, tx_index, side)) WITH CLUSTERING ORDER BY (block_number DESC, tx_index DESC, side DESC)',
  'CREATE TABLE IF NOT EXISTS views_transfers_by_token (chain_id int, token_address text, day text, block_number bigint, log_index int, tx_hash text, block_hash text, block_time timestamp, from_address text, to_address text, amount varint, PRIMARY KEY ((chain_id, token_address, day), block_number, log_index)) WITH CLUSTERING ORDER BY (block_number DESC, log_index DESC)',
  'CREATE TABLE IF NOT EXISTS views_transfers_by_address (chain_id int, address text, day text, block_number bigint, log_index int, side text, token_address text, counterparty text, amount varint, tx_hash text, block_hash text, block_time timestamp, PRIMARY KEY ((chain_id, address, day), block_number, log_index, side)) WITH CLUSTERING ORDER BY (block_number DESC, log_index DESC, side DESC)',
  'CREATE TABLE IF NOT EXISTS views_minute_stats (chain_id int, day text, minute timestamp, block_hash text, block_number bigint, tx_count int, contract_creations int, native_transfers int, contract_calls int, failed_txs int, gas_used varint, fees varint, native_value varint, token_transfers int, PRIMARY KEY ((chain_id, day), minute, block_hash))',
];
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('speed-view table declarations', () => {
  test('migration 100 creates exactly the schema existing keyspaces already have', () => {
    const m100 = viewsMigrations.find((m) => m.version === 100)?.cql({ ttlSeconds: 0 }).map(norm) ?? [];
    expect(m100.slice(0, MIGRATION_100.length)).toEqual(MIGRATION_100);
    expect(m100.filter((s) => /^CREATE TABLE IF NOT EXISTS views_(block_manifest|checkpoint) /.test(s))).toHaveLength(2);
  });

  test('every declared table is created by a migration of its `since` version', () => {
    for (const [name, t] of Object.entries(VIEW_TABLES)) {
      const m = viewsMigrations.find((x) => x.version === t.since);
      expect(m?.cql({ ttlSeconds: 0 }).map(norm), name).toContain(createTableCql(name, t));
    }
  });

  test('keys are declared columns; a derived retraction names exactly the primary key', () => {
    const retraction = { kind: 'retraction', chainId: 1, block: { number: 123_456, hash: `0x${'a'.repeat(64)}`, timestamp: 1_760_000_061 } } as Parameters<typeof derivedRetractionKeys>[1];
    for (const [name, t] of Object.entries(VIEW_TABLES) as [string, TableDecl][]) {
      for (const c of [...t.partitionKey, ...t.clustering]) expect(Object.hasOwn(t.columns, c), `${name}.${c}`).toBe(true);
      if (t.retraction.by === 'derived') expect(Object.keys(t.retraction.key(retraction)).sort(), name).toEqual([...t.partitionKey, ...t.clustering].sort());
    }
    expect(derivedRetractionKeys(VIEW_TABLES, retraction).map((k) => k.table)).toEqual(['views_blocks_by_height', 'views_blocks_by_hash', 'views_minute_stats']);
    expect([...manifestTables(VIEW_TABLES)].sort()).toEqual(['views_transfers_by_address', 'views_transfers_by_token', 'views_txs_by_address', 'views_txs_by_hash']);
  });

  test('a table must state its retraction policy (checked by tsc)', () => {
    // @ts-expect-error no retraction: the declaration does not type-check
    const missing: TableDecl = { since: 101, columns: { chain_id: 'int' }, partitionKey: ['chain_id'], clustering: [], ttl: false };
    expect(missing.since).toBe(101);
  });
});
