-- Per day and ERC-20 token: transfer count, exact amount sum (uint256 string), distinct senders and receivers.
SELECT chain_id, day, token, transfers, amount, senders, receivers
FROM token_day
ORDER BY chain_id, day, token
