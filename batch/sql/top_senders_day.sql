-- Per day, the {{top}} addresses that sent the most canonical transactions (ties: address).
SELECT chain_id, day, CAST(rank AS INTEGER) AS rank, address, txs, fees, value FROM (
  SELECT *, row_number() OVER (PARTITION BY chain_id, day ORDER BY txs DESC, address) AS rank FROM (
    SELECT chain_id, day, from_address AS address, count(*) AS txs,
           CAST(sum(fee) AS DECIMAL(38,0)) AS fees,
           u256_fmt(sum(u256_l0(value)), sum(u256_l1(value)), sum(u256_l2(value))) AS value
    FROM ctx GROUP BY ALL
  )
) WHERE rank <= {{top}}
ORDER BY chain_id, day, rank
