-- One row per canonical block: gas, base fee, tx count and the sum of its transactions' fees.
SELECT cb.chain_id, cb.day, cb.number, cb.hash, cb.timestamp, cb.miner, cb.tx_count,
       cb.gas_used, cb.gas_limit, cb.base_fee_per_gas,
       CAST(coalesce(f.fees, 0) AS DECIMAL(38,0)) AS fees
FROM cb
LEFT JOIN (SELECT kafka_partition, kafka_offset, sum(fee) AS fees FROM ctx GROUP BY ALL) f
  ON f.kafka_partition = cb.kafka_partition AND f.kafka_offset = cb.kafka_offset
ORDER BY cb.chain_id, cb.number
