-- Canonical inputs of the target days, computed for one chunk of consecutive target days at a
-- time (recompute.ts dayChunks): every table below groups by block, minute, hour or day, never
-- across days, so the chunks' rows together are the whole result, and a chunk's groups fit in
-- memory. {{days}}: the chunk's days; {{txs}} / {{tts}}: raw transactions / token_transfers of
-- those days' files (a block's children share its day); cb: canonical blocks of the target days.
-- Children belong to a canonical block iff their record (kafka_partition, kafka_offset) is that
-- block's record. Tables named day_* hold one chunk's intermediate rows and are rebuilt for each
-- chunk; every other table collects all chunks: the first chunk creates it, later chunks run the
-- same SELECT as INSERT … BY NAME.

CREATE OR REPLACE TEMP TABLE day_cb AS SELECT * FROM cb WHERE day IN {{days}};

-- The chunk's canonical transactions, only the columns used below: the one pass over their raw files.
CREATE OR REPLACE TEMP TABLE day_tx AS
SELECT t.kafka_partition, t.kafka_offset, block_timestamp, from_address, to_address, tx_class, status, fee, value, gas_used
FROM {{txs}} t SEMI JOIN day_cb cb ON t.kafka_partition = cb.kafka_partition AND t.kafka_offset = cb.kafka_offset;

-- Per canonical block: its transactions' counts and sums (the stats roll up from these, exactly).
CREATE OR REPLACE TEMP TABLE blk AS
WITH rec_tx AS (
  SELECT kafka_partition, kafka_offset,
         count(*) AS txs,
         count(*) FILTER (WHERE tx_class = 'contract_creation') AS txs_contract_creation,
         count(*) FILTER (WHERE tx_class = 'native_transfer') AS txs_native_transfer,
         count(*) FILTER (WHERE tx_class = 'contract_call') AS txs_contract_call,
         count(*) FILTER (WHERE status = 0) AS failed_txs,
         count(*) FILTER (WHERE status = 1) AS succeeded_txs,
         -- Receipts without status (pre-Byzantium): neither failed nor succeeded.
         count(*) FILTER (WHERE status IS NULL) AS unknown_txs,
         sum(fee) AS fees,
         -- Value moves unless the tx reverted; a tx of unknown status counts (the speed views
         -- count it the same way).
         -- The upper limbs are summed only where a value has them (a sum over no rows is NULL, read as 0 by u256_fmt).
         sum(u256_l0(value)) FILTER (WHERE status IS DISTINCT FROM 0) AS v0,
         sum(u256_l1(value)) FILTER (WHERE status IS DISTINCT FROM 0 AND length(value) > 26) AS v1,
         sum(u256_l2(value)) FILTER (WHERE status IS DISTINCT FROM 0 AND length(value) > 52) AS v2,
         count(*) FILTER (WHERE tx_class = 'contract_creation' AND status IS DISTINCT FROM 0) AS contracts_created
  FROM day_tx
  GROUP BY ALL
), rec_tt AS (
  SELECT kafka_partition, kafka_offset, count(*) AS token_transfers
  FROM {{tts}} t SEMI JOIN day_cb cb ON t.kafka_partition = cb.kafka_partition AND t.kafka_offset = cb.kafka_offset
  GROUP BY ALL
)
SELECT cb.chain_id, cb.day, cb.number, cb.hash, cb.timestamp, cb.miner, cb.tx_count, cb.gas_used, cb.gas_limit, cb.base_fee_per_gas,
       coalesce(x.txs, 0) AS txs, coalesce(x.txs_contract_creation, 0) AS txs_contract_creation,
       coalesce(x.txs_native_transfer, 0) AS txs_native_transfer, coalesce(x.txs_contract_call, 0) AS txs_contract_call,
       coalesce(x.failed_txs, 0) AS failed_txs, coalesce(x.succeeded_txs, 0) AS succeeded_txs, coalesce(x.unknown_txs, 0) AS unknown_txs,
       coalesce(x.fees, 0) AS fees, x.v0, x.v1, x.v2,
       coalesce(x.contracts_created, 0) AS contracts_created, coalesce(tt.token_transfers, 0) AS token_transfers
FROM day_cb cb
LEFT JOIN rec_tx x ON x.kafka_partition = cb.kafka_partition AND x.kafka_offset = cb.kafka_offset
LEFT JOIN rec_tt tt ON tt.kafka_partition = cb.kafka_partition AND tt.kafka_offset = cb.kafka_offset;

-- Distinct (hour, address) over canonical senders and receivers, with the minutes of the hour
-- the address was active in (bit k = minute k), its sent txs and its contract calls received.
-- Minute, hour and day distinct counts and the top-list rankings all derive from this. (Senders
-- and receivers as a UNION ALL: cheaper than unnest of a two-element list per transaction.)
CREATE OR REPLACE TEMP TABLE day_addr_hour AS
SELECT hour, address, bit_or(bit) AS minutes, CAST(sum(sent) AS BIGINT) AS sent, CAST(sum(calls) AS BIGINT) AS calls
FROM (
  SELECT block_timestamp - block_timestamp % 3600 AS hour, CAST(1 AS UBIGINT) << CAST((block_timestamp % 3600) // 60 AS INTEGER) AS bit,
         from_address AS address, 1 AS sent, 0 AS calls
  FROM day_tx WHERE from_address IS NOT NULL
  UNION ALL
  SELECT block_timestamp - block_timestamp % 3600 AS hour, CAST(1 AS UBIGINT) << CAST((block_timestamp % 3600) // 60 AS INTEGER) AS bit,
         to_address AS address, 0 AS sent, CAST(tx_class = 'contract_call' AS INTEGER) AS calls
  FROM day_tx WHERE to_address IS NOT NULL
)
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE day_addr_day AS
SELECT hour - hour % 86400 AS day_start, address, CAST(sum(sent) AS BIGINT) AS sent, CAST(sum(calls) AS BIGINT) AS calls
FROM day_addr_hour GROUP BY ALL;

-- Distinct active addresses per bucket: hours and days count rows; minutes count the rows whose
-- minute bit is set, via the few distinct (hour, minutes) masks (most addresses are active in
-- one minute of an hour).
CREATE OR REPLACE TEMP TABLE active AS
WITH masks AS (SELECT hour, minutes, count(*) AS n FROM day_addr_hour GROUP BY ALL)
SELECT 3600 AS seconds, hour AS bucket_start, CAST(sum(n) AS BIGINT) AS active_addresses FROM masks GROUP BY ALL
UNION ALL
SELECT 60 AS seconds, hour + 60 * k AS bucket_start, CAST(sum(n) AS BIGINT) AS active_addresses
FROM masks, range(60) r(k) WHERE (minutes >> CAST(k AS INTEGER)) & 1 = 1 GROUP BY ALL
UNION ALL
SELECT 86400 AS seconds, day_start AS bucket_start, count(*) AS active_addresses FROM day_addr_day GROUP BY ALL;

-- Per day, the {{top}} senders by tx count and the {{top}} contracts by contract calls (ties:
-- address). Only rows at or above the day's {{top}}th largest count are ranked.
CREATE OR REPLACE TEMP TABLE top_senders AS
WITH cut AS (SELECT day_start, list_min(max(sent, {{top}})) AS least FROM day_addr_day WHERE sent > 0 GROUP BY ALL)
SELECT * FROM (
  SELECT a.day_start, a.address, a.sent AS txs, row_number() OVER (PARTITION BY a.day_start ORDER BY a.sent DESC, a.address) AS rank
  FROM day_addr_day a JOIN cut USING (day_start) WHERE a.sent >= cut.least
) WHERE rank <= {{top}};
CREATE OR REPLACE TEMP TABLE top_contracts AS
WITH cut AS (SELECT day_start, list_min(max(calls, {{top}})) AS least FROM day_addr_day WHERE calls > 0 GROUP BY ALL)
SELECT * FROM (
  SELECT a.day_start, a.address, a.calls, row_number() OVER (PARTITION BY a.day_start ORDER BY a.calls DESC, a.address) AS rank
  FROM day_addr_day a JOIN cut USING (day_start) WHERE a.calls >= cut.least
) WHERE rank <= {{top}};

-- Second pass over day_tx, only the winners' transactions (top_* hold the earlier chunks' winners
-- too; the day in the join keeps this chunk's): fees and values of top senders; callers and gas of
-- top contracts.
CREATE OR REPLACE TEMP TABLE top_sender_sums AS
SELECT s.day_start, s.address, sum(t.fee) AS fees, sum(u256_l0(t.value)) AS v0, sum(u256_l1(t.value)) AS v1, sum(u256_l2(t.value)) AS v2
FROM day_tx t
JOIN top_senders s ON s.address = t.from_address AND s.day_start = t.block_timestamp - t.block_timestamp % 86400
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE top_contract_sums AS
SELECT c.day_start, c.address, count(DISTINCT t.from_address) AS callers, sum(t.gas_used) AS gas_used
FROM day_tx t
JOIN top_contracts c ON c.address = t.to_address AND c.day_start = t.block_timestamp - t.block_timestamp % 86400
WHERE t.tx_class = 'contract_call'
GROUP BY ALL;

-- Per day and token over canonical transfers.
CREATE OR REPLACE TEMP TABLE token_day AS
SELECT chain_id, utc_day(block_timestamp) AS day, token, count(*) AS transfers,
       u256_fmt(sum(u256_l0(amount)), sum(u256_l1(amount)), sum(u256_l2(amount))) AS amount,
       count(DISTINCT from_address) AS senders,
       count(DISTINCT to_address) AS receivers
FROM {{tts}} t SEMI JOIN day_cb cb ON t.kafka_partition = cb.kafka_partition AND t.kafka_offset = cb.kafka_offset
GROUP BY ALL;
