// Row shapes that both read sides return to serving: the speed-view queries (storage/views/
// queries.ts) and the lake readers. One page type and one per-block series row.

/** One page of a keyset-paged list; pass nextCursor back unchanged for the next page. */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** Per-block series row (gas, txs, fees of one block); amounts exact as bigint. */
export type BlockSeriesRow = {
  number: number;
  /** Unix seconds. */
  timestamp: number;
  txs: number;
  gasUsed: bigint;
  fees: bigint;
  baseFeePerGas: bigint | null;
};
