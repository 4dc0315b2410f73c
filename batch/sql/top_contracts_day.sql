-- Per day, the most-called contracts: contract-call transactions by `to` (ties: address), ranked
-- in top_contracts, with distinct callers and gas over the winners' calls only.
SELECT CAST({{chain_id}} AS INTEGER) AS chain_id, utc_day(r.day_start) AS day, CAST(r.rank AS INTEGER) AS rank, r.address, r.calls, s.callers,
       CAST(s.gas_used AS DECIMAL(38,0)) AS gas_used
FROM top_contracts r
JOIN top_contract_sums s USING (day_start, address)
ORDER BY r.day_start, r.rank
