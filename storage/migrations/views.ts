// Speed-view tables (versions 100-199). CQL that ScyllaDB runs too: no counters, no SAI,
// no materialized views, no LWT. Every row is written by the views consumer with
// `USING TIMESTAMP <kafka offset + 1>` (see docs/speed-views.md), so replays are idempotent.
// TTL of per-tx tables is applied per write from VIEWS_TTL_SECONDS, not as a table default,
// so changing the setting needs no migration.
import type { Migration } from './index.js';

const BLOCK_COLUMNS = `hash text, parent_hash text, block_time timestamp, tx_count int, gas_used varint, gas_limit varint, base_fee varint, miner text`;

export const viewsMigrations: Migration[] = [
  {
    version: 100,
    name: 'speed views: blocks, txs, address history, token transfers, minute stats, manifest, checkpoint',
    cql: () => [
      // Canonical block per height; partition = chain + bucket of 100,000 heights, newest first.
      `CREATE TABLE IF NOT EXISTS views_blocks_by_height (chain_id int, bucket int, number bigint, ${BLOCK_COLUMNS},
        PRIMARY KEY ((chain_id, bucket), number)) WITH CLUSTERING ORDER BY (number DESC)`,
      `CREATE TABLE IF NOT EXISTS views_blocks_by_hash (chain_id int, number bigint, ${BLOCK_COLUMNS},
        PRIMARY KEY ((chain_id, hash)))`,
      // Clustered by block hash: a tx that moves to another block in a reorg gets a second row,
      // so a retraction never has to delete a row that another Kafka partition wrote.
      `CREATE TABLE IF NOT EXISTS views_txs_by_hash (chain_id int, tx_hash text, block_hash text, block_number bigint,
        tx_index int, block_time timestamp, from_address text, to_address text, value varint, tx_class text,
        selector text, method text, args text, status int, gas varint, gas_price varint, max_fee_per_gas varint,
        max_priority_fee_per_gas varint, gas_used varint, effective_gas_price varint, fee varint,
        contract_address text, nonce bigint, tx_type int, input_size int, log_count int,
        PRIMARY KEY ((chain_id, tx_hash), block_hash))`,
      // side: 'from' | 'to' | 'created' (contract address of a creation).
      `CREATE TABLE IF NOT EXISTS views_txs_by_address (chain_id int, address text, day text, block_number bigint,
        tx_index int, side text, tx_hash text, block_hash text, block_time timestamp, counterparty text,
        value varint, tx_class text, method text, status int, fee varint,
        PRIMARY KEY ((chain_id, address, day), block_number, tx_index, side))
        WITH CLUSTERING ORDER BY (block_number DESC, tx_index DESC, side DESC)`,
      `CREATE TABLE IF NOT EXISTS views_transfers_by_token (chain_id int, token_address text, day text, block_number bigint,
        log_index int, tx_hash text, block_hash text, block_time timestamp, from_address text, to_address text,
        amount varint,
        PRIMARY KEY ((chain_id, token_address, day), block_number, log_index))
        WITH CLUSTERING ORDER BY (block_number DESC, log_index DESC)`,
      `CREATE TABLE IF NOT EXISTS views_transfers_by_address (chain_id int, address text, day text,
        block_number bigint, log_index int, side text, token_address text, counterparty text, amount varint,
        tx_hash text, block_hash text, block_time timestamp,
        PRIMARY KEY ((chain_id, address, day), block_number, log_index, side))
        WITH CLUSTERING ORDER BY (block_number DESC, log_index DESC, side DESC)`,
      // One partial row per (minute, block hash); reads sum the rows of canonical blocks.
      `CREATE TABLE IF NOT EXISTS views_minute_stats (chain_id int, day text, minute timestamp, block_hash text,
        block_number bigint, tx_count int, contract_creations int, native_transfers int, contract_calls int,
        failed_txs int, gas_used varint, fees varint, native_value varint, token_transfers int,
        PRIMARY KEY ((chain_id, day), minute, block_hash))`,
      // Keys of every row a block wrote (deflated JSON), read by the retraction of that hash.
      `CREATE TABLE IF NOT EXISTS views_block_manifest (chain_id int, block_hash text, number bigint, row_keys blob,
        PRIMARY KEY ((chain_id, block_hash)))`,
      // Progress and freshness per consumer group / topic / partition.
      `CREATE TABLE IF NOT EXISTS views_checkpoint (chain_id int, consumer_group text, topic text,
        kafka_partition int, next_offset bigint, last_block_number bigint, last_block_hash text,
        last_block_time timestamp, written_at timestamp,
        PRIMARY KEY ((chain_id), consumer_group, topic, kafka_partition))`,
    ],
  },
];
