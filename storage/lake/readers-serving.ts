// Lake readers that only serving needs, in the row shapes serving returns: an address's
// history from the canonical raw lake (for blocks older than the speed views keep) and the
// per-block series of CURRENT as BlockSeriesRow. The connection must have the lake views
// registered (registerLakeViews).
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from './duck.js';
import { type LakeReadContext, readBlockSeries } from './readers.js';
import type { BlockSeriesRow } from '../read-rows.js';
import type { AddressTxView } from '../views/queries.js';

/** Keyset position of the last row of a lake history page. */
export type HistoryPosition = { block: number; index: number; side: string };

/**
 * Lake history of an address for blocks < beforeBlock (or all), newest first, one row per
 * (tx, side) like views_txs_by_address, keyset order (block, index, side) DESC.
 */
export async function readAddressHistory(
  conn: DuckDBConnection,
  address: string,
  o: { beforeBlock: number | null; after?: HistoryPosition; limit: number },
): Promise<AddressTxView[]> {
  const where: string[] = [];
  const params: Record<string, string | number> = { addr: address, limit: o.limit };
  if (o.beforeBlock !== null) {
    where.push('block_number < $before');
    params.before = o.beforeBlock;
  }
  if (o.after) {
    where.push('(block_number, transaction_index, side) < ($ab, $ai, $as)');
    params.ab = o.after.block;
    params.ai = o.after.index;
    params.as = o.after.side;
  }
  const sql = `WITH t AS (SELECT * FROM canonical_transactions WHERE from_address = $addr OR to_address = $addr OR contract_address = $addr),
    sides AS (
      SELECT *, 'from' AS side, coalesce(to_address, contract_address) AS counterparty FROM t WHERE from_address = $addr
      UNION ALL SELECT *, 'to' AS side, from_address AS counterparty FROM t WHERE to_address = $addr
      UNION ALL SELECT *, 'created' AS side, from_address AS counterparty FROM t WHERE contract_address = $addr)
    SELECT hash, block_number, block_hash, transaction_index, side, block_timestamp, counterparty, value, tx_class, method, status, CAST(fee AS VARCHAR) AS fee
    FROM sides ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY block_number DESC, transaction_index DESC, side DESC LIMIT $limit`;
  const rows = await queryRows(conn, sql, params);
  return rows.map((r) => ({
    txHash: String(r.hash),
    blockNumber: Number(r.block_number),
    blockHash: String(r.block_hash),
    transactionIndex: Number(r.transaction_index),
    side: String(r.side) as AddressTxView['side'],
    timestamp: Number(r.block_timestamp),
    counterparty: r.counterparty === null ? null : String(r.counterparty),
    value: String(r.value ?? '0'),
    txClass: String(r.tx_class),
    method: r.method === null ? null : String(r.method),
    status: Number(r.status),
    fee: String(r.fee ?? '0'),
  }));
}

/** Per-block series of CURRENT for fromBlock ≤ number ≤ toBlock. */
export async function readBlockSeriesRows(ctx: LakeReadContext, range: { fromBlock: number; toBlock: number }): Promise<BlockSeriesRow[]> {
  return (await readBlockSeries(ctx, { from: range.fromBlock, to: range.toBlock })).map((r) => ({
    number: r.number,
    timestamp: r.timestamp,
    txs: r.txCount,
    gasUsed: BigInt(r.gasUsed),
    fees: BigInt(r.fees),
    baseFeePerGas: r.baseFeePerGas === null ? null : BigInt(r.baseFeePerGas),
  }));
}
