-- Per day, the {{top}} most-called contracts: contract-call transactions by `to` (ties: address).
SELECT chain_id, day, CAST(rank AS INTEGER) AS rank, address, calls, callers, gas_used FROM (
  SELECT *, row_number() OVER (PARTITION BY chain_id, day ORDER BY calls DESC, address) AS rank FROM (
    SELECT chain_id, day, to_address AS address, count(*) AS calls, count(DISTINCT from_address) AS callers,
           CAST(sum(gas_used) AS DECIMAL(38,0)) AS gas_used
    FROM ctx WHERE tx_class = 'contract_call' AND to_address IS NOT NULL GROUP BY ALL
  )
) WHERE rank <= {{top}}
ORDER BY chain_id, day, rank
