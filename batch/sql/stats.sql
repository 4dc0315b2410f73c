-- Stats per bucket of {{seconds}} seconds (60 minute, 3600 hour, 86400 day), rolled up from the
-- per-block sums in blk (every tx and transfer lies in its block's bucket) and the distinct
-- active addresses in `active`. One row per bucket that has at least one canonical block.
SELECT b.chain_id, b.bucket_start, utc_day(b.bucket_start) AS day, b.blocks, b.first_block, b.last_block,
       b.txs, b.txs_contract_creation, b.txs_native_transfer, b.txs_contract_call, b.failed_txs,
       b.succeeded_txs, b.unknown_txs,
       b.gas_used, b.fees, u256_fmt(b.v0, b.v1, b.v2) AS native_value, b.token_transfers,
       coalesce(a.active_addresses, 0) AS active_addresses, b.contracts_created
FROM (
  SELECT chain_id, timestamp - timestamp % {{seconds}} AS bucket_start,
         count(*) AS blocks, min(number) AS first_block, max(number) AS last_block,
         CAST(sum(txs) AS BIGINT) AS txs,
         CAST(sum(txs_contract_creation) AS BIGINT) AS txs_contract_creation,
         CAST(sum(txs_native_transfer) AS BIGINT) AS txs_native_transfer,
         CAST(sum(txs_contract_call) AS BIGINT) AS txs_contract_call,
         CAST(sum(failed_txs) AS BIGINT) AS failed_txs,
         CAST(sum(succeeded_txs) AS BIGINT) AS succeeded_txs,
         CAST(sum(unknown_txs) AS BIGINT) AS unknown_txs,
         CAST(sum(gas_used) AS DECIMAL(38,0)) AS gas_used,
         CAST(sum(fees) AS DECIMAL(38,0)) AS fees,
         sum(v0) AS v0, sum(v1) AS v1, sum(v2) AS v2,
         CAST(sum(token_transfers) AS BIGINT) AS token_transfers,
         CAST(sum(contracts_created) AS BIGINT) AS contracts_created
  FROM blk GROUP BY ALL
) b
LEFT JOIN active a ON a.seconds = {{seconds}} AND a.bucket_start = b.bucket_start
ORDER BY b.chain_id, b.bucket_start
