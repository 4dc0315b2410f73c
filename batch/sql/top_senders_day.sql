-- Per day, the {{top}} addresses that sent the most canonical transactions (ties: address).
-- Rank on counts first, then sum fees/values only for the winners' transactions.
WITH ranked AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY chain_id, day ORDER BY txs DESC, address) AS rank FROM (
      SELECT chain_id, day, from_address AS address, count(*) AS txs FROM ctx GROUP BY ALL
    )
  ) WHERE rank <= {{top}}
)
SELECT r.chain_id, r.day, CAST(r.rank AS INTEGER) AS rank, r.address, r.txs,
       CAST(sum(t.fee) AS DECIMAL(38,0)) AS fees,
       u256_fmt(sum(u256_l0(t.value)), sum(u256_l1(t.value)), sum(u256_l2(t.value))) AS value
FROM ranked r
JOIN ctx t ON t.chain_id = r.chain_id AND t.day = r.day AND t.from_address = r.address
GROUP BY r.chain_id, r.day, r.rank, r.address, r.txs
ORDER BY r.chain_id, r.day, rank
