-- One row per canonical block: gas, base fee, tx count and the sum of its transactions' fees.
SELECT chain_id, day, number, hash, timestamp, miner, tx_count, gas_used, gas_limit, base_fee_per_gas,
       CAST(fees AS DECIMAL(38,0)) AS fees
FROM blk
ORDER BY chain_id, number
