-- Per day, the top addresses that sent the most canonical transactions (ties: address), ranked
-- in top_senders, with fees and values summed over the winners' transactions only.
SELECT CAST({{chain_id}} AS INTEGER) AS chain_id, utc_day(r.day_start) AS day, CAST(r.rank AS INTEGER) AS rank, r.address, r.txs,
       CAST(s.fees AS DECIMAL(38,0)) AS fees, u256_fmt(s.v0, s.v1, s.v2) AS value
FROM top_senders r
JOIN top_sender_sums s USING (day_start, address)
ORDER BY r.day_start, r.rank
