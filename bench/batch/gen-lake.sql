-- Synthetic raw lake day: {{blocks}} blocks starting at {{first_block}} ({{day_start}} unix s),
-- ~{{txs_per_block}} txs per block, Zipf-like senders and contracts, 30% token transfers.
-- Columns and types match storage/lake/schema.ts RAW_COLUMNS. Like ingest, records are keyed by
-- height (partition = number % {{partitions}}); every {{reorg_every}}th height was reorged: an
-- orphaned block record (with its own txs and transfers) and its retraction precede the
-- canonical record in the same partition. This only builds lake_<table> temp tables: bench/batch/run.ts
-- writes them as compaction does (one file per roll, partition, table and day).
CREATE OR REPLACE TEMP TABLE gen_blocks AS
SELECT {{chain_id}}::INTEGER AS chain_id,
       ({{first_block}} + i)::BIGINT AS number,
       '0x' || lpad(printf('%x', {{first_block}} + i), 64, '0') AS hash,
       '0x' || lpad(printf('%x', {{first_block}} + i - 1), 64, '0') AS parent_hash,
       ({{day_start}} + i * (86400 // {{blocks}}))::BIGINT AS timestamp,
       '0x' || lpad(printf('%x', (i % 50)), 40, '0') AS miner,
       {{txs_per_block}}::INTEGER AS tx_count,
       (({{first_block}} + i) % {{partitions}})::INTEGER AS kafka_partition,
       (({{first_block}} + i) * 4 + 2)::BIGINT AS kafka_offset
FROM range({{blocks}}) r(i);

CREATE OR REPLACE TEMP TABLE gen_txs AS
SELECT b.chain_id, b.number AS block_number, b.hash AS block_hash, b.timestamp AS block_timestamp,
       '0x' || md5(b.number::VARCHAR || '-' || t.j::VARCHAR) || md5(t.j::VARCHAR) AS hash,
       t.j::INTEGER AS transaction_index,
       '0x' || lpad(printf('%x', CAST(floor(pow(random(), 3) * 1000000) AS BIGINT)), 40, '0') AS from_address,
       CASE WHEN u < 0.02 THEN NULL
            WHEN u < 0.45 THEN '0x' || lpad(printf('%x', CAST(floor(random() * 1000000) AS BIGINT)), 40, '0')
            ELSE '0x' || lpad(printf('%x', 16777216 + CAST(floor(pow(random(), 4) * 5000) AS BIGINT)), 40, '0') END AS to_address,
       CASE WHEN u < 0.45 AND u >= 0.02 THEN CAST(CAST(floor(random() * 1e18) AS HUGEINT) * 100 AS VARCHAR) ELSE '0' END AS value,
       CAST(floor(random() * 1000) AS BIGINT) AS nonce,
       2 AS type,
       CASE WHEN u < 0.02 THEN 'contract_creation' WHEN u < 0.45 THEN 'native_transfer' ELSE 'contract_call' END AS tx_class,
       CASE WHEN random() < 0.03 THEN 0 ELSE 1 END AS status,
       CAST(21000 + floor(pow(random(), 2) * 400000) AS BIGINT) AS gas_used_i,
       CAST(1000000000 + floor(random() * 30000000000) AS BIGINT) AS price_i,
       b.kafka_partition, b.kafka_offset
FROM gen_blocks b, (SELECT u, j FROM (SELECT random() AS u, j FROM range({{txs_per_block}}) r(j))) t;

-- Orphaned versions of the reorged heights: other hash, same txs, two offsets earlier.
CREATE OR REPLACE TEMP TABLE gen_orphan_txs AS
SELECT * REPLACE ('0xdead' || substr(block_hash, 7) AS block_hash, kafka_offset - 2 AS kafka_offset)
FROM gen_txs WHERE block_number % {{reorg_every}} = 0;

CREATE OR REPLACE TEMP TABLE lake_blocks AS
WITH canon AS (
  SELECT chain_id, number, hash, parent_hash, timestamp, miner,
         CAST(txs.g AS DECIMAL(38,0)) AS gas_used, CAST(30000000 AS DECIMAL(38,0)) AS gas_limit,
         CAST(1000000000 AS DECIMAL(38,0)) AS base_fee_per_gas, tx_count, timestamp * 1000 AS published_at,
         'block' AS kind, kafka_partition, kafka_offset
  FROM gen_blocks JOIN (SELECT block_number, sum(gas_used_i) g FROM gen_txs GROUP BY ALL) txs ON txs.block_number = number
)
SELECT * FROM canon
UNION ALL
SELECT * REPLACE ('0xdead' || substr(hash, 7) AS hash, gas_used + 1 AS gas_used, published_at - 6000 AS published_at, kafka_offset - 2 AS kafka_offset)
FROM canon WHERE number % {{reorg_every}} = 0;

CREATE OR REPLACE TEMP TABLE lake_retractions AS
SELECT chain_id, number, '0xdead' || substr(hash, 7) AS hash, parent_hash, timestamp, hash AS replaced_by,
       timestamp * 1000 - 3000 AS published_at, 'retraction' AS kind, kafka_partition, kafka_offset - 1 AS kafka_offset
FROM gen_blocks WHERE number % {{reorg_every}} = 0;

CREATE OR REPLACE TEMP TABLE lake_transactions AS
SELECT chain_id, block_number, block_hash, block_timestamp, hash, transaction_index, from_address, to_address, value, nonce, type,
       CAST(gas_used_i + 10000 AS DECIMAL(38,0)) AS gas, CAST(price_i AS DECIMAL(38,0)) AS gas_price,
       CAST(price_i * 2 AS DECIMAL(38,0)) AS max_fee_per_gas, CAST(1000000000 AS DECIMAL(38,0)) AS max_priority_fee_per_gas,
       tx_class, CASE WHEN tx_class = 'contract_call' THEN '0xa9059cbb' END AS selector,
       CASE WHEN tx_class = 'contract_call' THEN 'transfer' END AS method, NULL::VARCHAR AS args,
       CASE WHEN tx_class = 'native_transfer' THEN 0 ELSE 68 END AS input_size, status,
       CAST(gas_used_i AS DECIMAL(38,0)) AS gas_used, CAST(price_i AS DECIMAL(38,0)) AS effective_gas_price,
       CAST(CAST(gas_used_i AS HUGEINT) * price_i AS DECIMAL(38,0)) AS fee,
       CASE WHEN tx_class = 'contract_creation' AND status = 1 THEN '0x' || substr(hash, 3, 40) END AS contract_address,
       CASE WHEN tx_class = 'contract_call' THEN 1 ELSE 0 END AS log_count,
       'block' AS kind, kafka_partition, kafka_offset
FROM (SELECT * FROM gen_txs UNION ALL SELECT * FROM gen_orphan_txs)
ORDER BY kafka_partition, kafka_offset, transaction_index;

CREATE OR REPLACE TEMP TABLE lake_token_transfers AS
SELECT chain_id, block_number, block_hash, block_timestamp, hash AS tx_hash, 0 AS log_index, to_address AS token,
       from_address, '0x' || lpad(printf('%x', CAST(floor(random() * 1000000) AS BIGINT)), 40, '0') AS to_address,
       CAST(CAST(floor(random() * 1e18) AS HUGEINT) * 1000 AS VARCHAR) AS amount,
       'block' AS kind, kafka_partition, kafka_offset
FROM (SELECT * FROM gen_txs UNION ALL SELECT * FROM gen_orphan_txs)
WHERE tx_class = 'contract_call' AND status = 1 AND hash[-1] IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
ORDER BY kafka_partition, kafka_offset, transaction_index;

DROP TABLE gen_txs;
DROP TABLE gen_orphan_txs;
