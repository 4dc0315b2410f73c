-- Per day and ERC-20 token: transfer count, exact amount sum (uint256 string), distinct senders and receivers.
SELECT chain_id, day, token, count(*) AS transfers,
       u256_fmt(sum(u256_l0(amount)), sum(u256_l1(amount)), sum(u256_l2(amount))) AS amount,
       count(DISTINCT from_address) AS senders,
       count(DISTINCT to_address) AS receivers
FROM ctt GROUP BY ALL
ORDER BY chain_id, day, token
