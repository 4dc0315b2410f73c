// Speed-view tables (versions 100-199). CQL that ScyllaDB runs too: no counters, no SAI,
// no materialized views, no LWT. Every row is written by the views consumer with
// `USING TIMESTAMP <kafka offset + 1>` (see docs/speed-views.md), so replays are idempotent.
// TTL of per-tx tables is applied per write from VIEWS_TTL_SECONDS, not as a table default,
// so changing the setting needs no migration.
// The view tables' CREATE TABLEs come from their declarations (storage/views/tables.ts): a new
// table declares `since: <new version>` and gets a migration entry here that creates it; a new
// column of an existing table declares `addedColumns: { col: <new version> }` likewise.
import { VIEW_TABLES, addedColumnsSince, createTablesSince } from '../views/tables.js';
import type { Migration } from './index.js';

export const viewsMigrations: Migration[] = [
  {
    version: 100,
    name: 'speed views: blocks, txs, address history, token transfers, minute stats, manifest, checkpoint',
    cql: () => [
      ...createTablesSince(VIEW_TABLES, 100),
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
  {
    version: 101,
    name: 'speed views: minute stats count transactions of unknown status (pre-Byzantium receipts)',
    cql: () => addedColumnsSince(VIEW_TABLES, 101),
  },
  {
    version: 102,
    name: 'speed views: transactions keep the fee parts and the chain family fields',
    cql: () => addedColumnsSince(VIEW_TABLES, 102),
  },
];
