// Pure mapping of one Kafka chain record to raw lake rows, and the column layout of each raw
// table. Amounts: gas-size values become DECIMAL(38,0) (checked to fit), value/amount stay
// VARCHAR (uint256 may exceed 38 digits). No driver imports: unit-tested without infra.
import { type ChainRecord, utcDay } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import type { RawTable } from '../../storage/lake.js';
export { RAW_COLUMNS, type Column, type ColumnKind } from '../../storage/lake-views.js';

/** One row: values in RAW_COLUMNS order; ints are numbers, decimals are decimal strings, null allowed. */
export type RawRow = (string | number | null)[];
export type RecordRows = { day: string; rows: Partial<Record<RawTable, RawRow[]>> };

const DEC38_MAX_DIGITS = 38;
function dec38(field: string, v: string | null): string | null {
  if (v !== null && v.length > DEC38_MAX_DIGITS)
    throw new FatalError(`${field}=${v} does not fit DECIMAL(38,0); the raw schema needs a VARCHAR column for it`);
  return v;
}

/** Rows of one record for every raw table, all in the UTC day of the block timestamp. */
export function recordToRows(r: ChainRecord, partition: number, offset: number): RecordRows {
  const day = utcDay(r.block.timestamp);
  const prov = [r.kind, partition, offset];
  if (r.kind === 'retraction') {
    const b = r.block;
    return { day, rows: { retractions: [[r.chainId, b.number, b.hash, b.parentHash, b.timestamp, r.replacedBy, r.publishedAt, ...prov]] } };
  }
  const b = r.block;
  const blocks: RawRow[] = [
    [
      r.chainId,
      b.number,
      b.hash,
      b.parentHash,
      b.timestamp,
      b.miner,
      dec38('gasUsed', b.gasUsed),
      dec38('gasLimit', b.gasLimit),
      dec38('baseFeePerGas', b.baseFeePerGas),
      b.txCount,
      r.publishedAt,
      ...prov,
    ],
  ];
  const transactions: RawRow[] = r.transactions.map((t) => [
    r.chainId,
    b.number,
    b.hash,
    b.timestamp,
    t.hash,
    t.transactionIndex,
    t.from,
    t.to,
    t.value,
    t.nonce,
    t.type,
    dec38('gas', t.gas),
    dec38('gasPrice', t.gasPrice),
    dec38('maxFeePerGas', t.maxFeePerGas),
    dec38('maxPriorityFeePerGas', t.maxPriorityFeePerGas),
    t.txClass,
    t.selector,
    t.method,
    t.args === null ? null : JSON.stringify(t.args),
    t.inputSize,
    t.status,
    dec38('gasUsed', t.gasUsed),
    dec38('effectiveGasPrice', t.effectiveGasPrice),
    dec38('fee', t.fee),
    t.contractAddress,
    t.logCount,
    ...prov,
  ]);
  const tokenTransfers: RawRow[] = r.tokenTransfers.map((x) => [
    r.chainId,
    b.number,
    b.hash,
    b.timestamp,
    x.txHash,
    x.logIndex,
    x.token,
    x.from,
    x.to,
    x.amount,
    ...prov,
  ]);
  return { day, rows: { blocks, transactions, token_transfers: tokenTransfers } };
}

/** Rows of one partition's offset range, grouped by table then UTC day. */
export type PartitionRows = { first: number; last: number; bytes: number; records: number; txs: number; tables: Map<RawTable, Map<string, RawRow[]>> };

/** In-memory rows of one roll, kept per partition so a revoked partition can be dropped alone. */
export type RollBuffer = {
  add: (partition: number, offset: number, rows: RecordRows, bytes: number) => void;
  partitions: () => ReadonlyMap<number, PartitionRows>;
  bytes: () => number;
  records: () => number;
  txs: () => number;
  dropPartition: (partition: number) => void;
  isEmpty: () => boolean;
};

export function createRollBuffer(): RollBuffer {
  const parts = new Map<number, PartitionRows>();
  const sum = (f: (p: PartitionRows) => number) => [...parts.values()].reduce((a, p) => a + f(p), 0);
  return {
    add(partition, offset, recordRows, bytes) {
      let p = parts.get(partition);
      if (!p) {
        p = { first: offset, last: offset, bytes: 0, records: 0, txs: 0, tables: new Map() };
        parts.set(partition, p);
      }
      p.last = offset;
      p.bytes += bytes;
      p.records += 1;
      for (const [table, rows] of Object.entries(recordRows.rows) as [RawTable, RawRow[]][]) {
        if (rows.length === 0) continue;
        if (table === 'transactions') p.txs += rows.length;
        let byDay = p.tables.get(table);
        if (!byDay) p.tables.set(table, (byDay = new Map()));
        let list = byDay.get(recordRows.day);
        if (!list) byDay.set(recordRows.day, (list = []));
        for (const row of rows) list.push(row);
      }
    },
    partitions: () => parts,
    bytes: () => sum((p) => p.bytes),
    records: () => sum((p) => p.records),
    txs: () => sum((p) => p.txs),
    dropPartition: (partition) => void parts.delete(partition),
    isEmpty: () => parts.size === 0,
  };
}
