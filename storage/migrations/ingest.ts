import type { Migration } from './index.js';

export const ingestMigrations: Migration[] = [
  {
    version: 1,
    name: 'ingest checkpoint, recent hashes, rpc usage',
    cql: () => [
      // Last block whose record Kafka acknowledged, per chain.
      `CREATE TABLE IF NOT EXISTS ingest_checkpoint (chain_id int PRIMARY KEY, block_number bigint, block_hash text, updated_at timestamp)`,
      // The reorg window: hashes of the last N published blocks.
      `CREATE TABLE IF NOT EXISTS ingest_recent_hashes (chain_id int, block_number bigint, block_hash text, parent_hash text, PRIMARY KEY (chain_id, block_number)) WITH CLUSTERING ORDER BY (block_number DESC)`,
      // Per endpoint (label/hash, never the key) and UTC day. One row per (endpoint, day, process) so several ingest processes never read-modify-write the same cells; quota = sum over processes.
      `CREATE TABLE IF NOT EXISTS rpc_usage (endpoint text, day text, process_id text, requests bigint, errors bigint, rate_limited bigint, last_used timestamp, PRIMARY KEY ((endpoint, day), process_id))`,
    ],
  },
  {
    version: 2,
    name: 'ingest window keeps block timestamps (for retraction records)',
    cql: () => [`ALTER TABLE ingest_recent_hashes ADD block_timestamp bigint`],
  },
  {
    version: 3,
    name: 'rpc usage keeps when an endpoint cools down until (ops page)',
    cql: () => [`ALTER TABLE rpc_usage ADD cooling_until timestamp`],
  },
  {
    version: 4,
    name: 'ingest in-flight blocks: staged before a Kafka send, so a restart can retract what a crashed run may have published',
    cql: () => [
      `CREATE TABLE IF NOT EXISTS ingest_inflight (chain_id int, block_number bigint, block_hash text, parent_hash text, block_timestamp bigint, PRIMARY KEY (chain_id, block_number, block_hash))`,
    ],
  },
];
