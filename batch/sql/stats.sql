-- Stats per bucket of {{seconds}} seconds (60 minute, 3600 hour, 86400 day) over canonical
-- blocks (cb), their transactions (ctx) and token transfers (ctt). One row per bucket that
-- has at least one canonical block; every tx and transfer lies in its block's bucket.
WITH blk AS (
  SELECT chain_id, timestamp - timestamp % {{seconds}} AS bucket_start,
         count(*) AS blocks, min(number) AS first_block, max(number) AS last_block,
         sum(gas_used) AS gas_used
  FROM cb GROUP BY ALL
), tx AS (
  SELECT chain_id, block_timestamp - block_timestamp % {{seconds}} AS bucket_start,
         count(*) AS txs,
         count(*) FILTER (WHERE tx_class = 'contract_creation') AS txs_contract_creation,
         count(*) FILTER (WHERE tx_class = 'native_transfer') AS txs_native_transfer,
         count(*) FILTER (WHERE tx_class = 'contract_call') AS txs_contract_call,
         count(*) FILTER (WHERE status = 0) AS failed_txs,
         sum(fee) AS fees,
         -- Value moves only when the tx succeeded (the speed views count it the same way).
         sum(u256_l0(value)) FILTER (WHERE status = 1) AS v0, sum(u256_l1(value)) FILTER (WHERE status = 1) AS v1, sum(u256_l2(value)) FILTER (WHERE status = 1) AS v2,
         count(*) FILTER (WHERE tx_class = 'contract_creation' AND status = 1) AS contracts_created
  FROM ctx GROUP BY ALL
), addr AS (
  SELECT chain_id, bucket_start, count(DISTINCT address) AS active_addresses FROM (
    SELECT chain_id, block_timestamp - block_timestamp % {{seconds}} AS bucket_start, from_address AS address FROM ctx
    UNION ALL
    SELECT chain_id, block_timestamp - block_timestamp % {{seconds}} AS bucket_start, to_address AS address FROM ctx WHERE to_address IS NOT NULL
  ) GROUP BY ALL
), tt AS (
  SELECT chain_id, block_timestamp - block_timestamp % {{seconds}} AS bucket_start, count(*) AS token_transfers
  FROM ctt GROUP BY ALL
)
SELECT blk.chain_id,
       blk.bucket_start,
       utc_day(blk.bucket_start) AS day,
       blk.blocks,
       blk.first_block,
       blk.last_block,
       coalesce(tx.txs, 0) AS txs,
       coalesce(tx.txs_contract_creation, 0) AS txs_contract_creation,
       coalesce(tx.txs_native_transfer, 0) AS txs_native_transfer,
       coalesce(tx.txs_contract_call, 0) AS txs_contract_call,
       coalesce(tx.failed_txs, 0) AS failed_txs,
       CAST(coalesce(blk.gas_used, 0) AS DECIMAL(38,0)) AS gas_used,
       CAST(coalesce(tx.fees, 0) AS DECIMAL(38,0)) AS fees,
       u256_fmt(tx.v0, tx.v1, tx.v2) AS native_value,
       coalesce(tt.token_transfers, 0) AS token_transfers,
       coalesce(addr.active_addresses, 0) AS active_addresses,
       coalesce(tx.contracts_created, 0) AS contracts_created
FROM blk
LEFT JOIN tx USING (chain_id, bucket_start)
LEFT JOIN addr USING (chain_id, bucket_start)
LEFT JOIN tt USING (chain_id, bucket_start)
ORDER BY blk.chain_id, blk.bucket_start
