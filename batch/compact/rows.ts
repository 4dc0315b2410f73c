// Pure mapping of one Kafka chain record to raw lake rows, and the column layout of each raw
// table. Amounts: gas-size values become DECIMAL(38,0) (checked to fit), value/amount stay
// VARCHAR (uint256 may exceed 38 digits). No driver imports: unit-tested without infra.
import { type ChainRecord, utcDay } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import { type RawTable, RAW_COLUMNS } from '../../storage/lake/schema.js';

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

// Rows are kept as CSV text for DuckDB's read_csv (writer.ts), the cheapest way to hand many
// rows to DuckDB from JS: strings always quoted ("" doubled), NULL = an empty unquoted field,
// numbers bare. read_csv must use allow_quoted_nulls = false.
const quote = (s: string): string => (s.includes('"') ? `"${s.replaceAll('"', '""')}"` : `"${s}"`);

/** Append one CSV line per row (RAW_COLUMNS order) to `out`; returns the longest line in UTF-16 units. */
export function rowsToCsv(table: RawTable, rows: RawRow[], out: string[]): number {
  const cols = RAW_COLUMNS[table];
  const n = cols.length;
  let maxLine = 0;
  for (const row of rows) {
    // One array joined per row: much faster than growing a string field by field.
    const fields: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = row[i];
      fields[i] = v === null || v === undefined ? '' : typeof v === 'string' && cols[i]!.kind !== 'int' && cols[i]!.kind !== 'bigint' ? quote(v) : String(v);
    }
    const line = `${fields.join(',')}\n`;
    if (line.length > maxLine) maxLine = line.length;
    out.push(line);
  }
  return maxLine;
}

/** CSV lines of one record per raw table: what rowsToCsv gives for recordToRows' rows. */
export type RecordLines = { day: string; lines: Partial<Record<RawTable, string[]>> };

const qs = (v: string | null): string => (v === null ? '' : quote(v));
const qd = (field: string, v: string | null): string => qs(dec38(field, v));

/**
 * recordToRows + rowsToCsv in one step, the compactor's hot path: no row arrays, and one array
 * join per line (flat strings; template-literal concatenation builds ropes that cost more in GC
 * and in the final join). rows.test.ts checks it against rowsToCsv(recordToRows(…)).
 */
export function recordCsv(r: ChainRecord, partition: number, offset: number): RecordLines {
  const day = utcDay(r.block.timestamp);
  const kind = quote(r.kind);
  if (r.kind === 'retraction') {
    const b = r.block;
    return { day, lines: { retractions: [`${[r.chainId, b.number, quote(b.hash), quote(b.parentHash), b.timestamp, qs(r.replacedBy), r.publishedAt, kind, partition, offset].join(',')}\n`] } };
  }
  const b = r.block;
  const hash = quote(b.hash);
  const blocks = [
    `${[r.chainId, b.number, hash, quote(b.parentHash), b.timestamp, quote(b.miner), qd('gasUsed', b.gasUsed), qd('gasLimit', b.gasLimit), qd('baseFeePerGas', b.baseFeePerGas), b.txCount, r.publishedAt, kind, partition, offset].join(',')}\n`,
  ];
  const transactions = r.transactions.map(
    (t) =>
      `${[
        r.chainId, b.number, hash, b.timestamp, quote(t.hash), t.transactionIndex, quote(t.from), qs(t.to), quote(t.value), t.nonce, t.type,
        qd('gas', t.gas), qd('gasPrice', t.gasPrice), qd('maxFeePerGas', t.maxFeePerGas), qd('maxPriorityFeePerGas', t.maxPriorityFeePerGas),
        quote(t.txClass), qs(t.selector), qs(t.method), t.args === null ? '' : quote(JSON.stringify(t.args)), t.inputSize, t.status,
        qd('gasUsed', t.gasUsed), qd('effectiveGasPrice', t.effectiveGasPrice), qd('fee', t.fee), qs(t.contractAddress), t.logCount, kind, partition, offset,
      ].join(',')}\n`,
  );
  const tokenTransfers = r.tokenTransfers.map(
    (x) => `${[r.chainId, b.number, hash, b.timestamp, quote(x.txHash), x.logIndex, quote(x.token), quote(x.from), quote(x.to), quote(x.amount), kind, partition, offset].join(',')}\n`,
  );
  return { day, lines: { blocks, transactions, token_transfers: tokenTransfers } };
}

/** Rows of one table, partition range and UTC day: one CSV line per row (one Parquet file). */
export type DayRows = { csv: string[]; rows: number; maxLine: number };
/** One partition's offset range in a roll: rows by table, then UTC day. */
export type PartitionRows = { first: number; last: number; bytes: number; records: number; txs: number; tables: Map<RawTable, Map<string, DayRows>> };

/** In-memory rows of one roll, kept per partition so a revoked partition can be dropped alone. */
export type RollBuffer = {
  add: (partition: number, offset: number, rows: RecordRows, bytes: number) => void;
  /** Same as add, with the record's CSV lines (recordCsv). */
  addLines: (partition: number, offset: number, record: RecordLines, bytes: number) => void;
  partitions: () => ReadonlyMap<number, PartitionRows>;
  bytes: () => number;
  records: () => number;
  txs: () => number;
  dropPartition: (partition: number) => void;
  isEmpty: () => boolean;
};

export function createRollBuffer(): RollBuffer {
  const parts = new Map<number, PartitionRows>();
  // Running totals: bytes() is asked after every fetched batch.
  let bytes = 0;
  let records = 0;
  let txs = 0;
  function addLines(partition: number, offset: number, record: RecordLines, size: number): void {
    let p = parts.get(partition);
    if (!p) {
      p = { first: offset, last: offset, bytes: 0, records: 0, txs: 0, tables: new Map() };
      parts.set(partition, p);
    }
    p.last = offset;
    p.bytes += size;
    p.records += 1;
    bytes += size;
    records += 1;
    for (const [table, lines] of Object.entries(record.lines) as [RawTable, string[]][]) {
      if (lines.length === 0) continue;
      if (table === 'transactions') {
        p.txs += lines.length;
        txs += lines.length;
      }
      let byDay = p.tables.get(table);
      if (!byDay) p.tables.set(table, (byDay = new Map()));
      let d = byDay.get(record.day);
      if (!d) byDay.set(record.day, (d = { csv: [], rows: 0, maxLine: 0 }));
      for (const line of lines) {
        if (line.length > d.maxLine) d.maxLine = line.length;
        d.csv.push(line);
      }
      d.rows += lines.length;
    }
  }
  return {
    add(partition, offset, recordRows, size) {
      const lines: RecordLines['lines'] = {};
      for (const [table, rows] of Object.entries(recordRows.rows) as [RawTable, RawRow[]][]) rowsToCsv(table, rows, (lines[table] = []));
      addLines(partition, offset, { day: recordRows.day, lines }, size);
    },
    addLines,
    partitions: () => parts,
    bytes: () => bytes,
    records: () => records,
    txs: () => txs,
    dropPartition(partition) {
      const p = parts.get(partition);
      if (!p) return;
      parts.delete(partition);
      bytes -= p.bytes;
      records -= p.records;
      txs -= p.txs;
    },
    isEmpty: () => parts.size === 0,
  };
}
