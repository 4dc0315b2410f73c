// Pure mapping of one Kafka chain record to raw lake rows, as row arrays (recordToRows, the
// oracle) and as CSV lines (recordCsv, the compactor's hot path). Both iterate over the column
// table with its accessors (storage/lake/schema.ts RAW_COLUMNS), so a new column needs no edit
// here. Amounts: gas-size values become DECIMAL(38,0) (checked to fit), value/amount stay VARCHAR
// (uint256 may exceed 38 digits). No driver imports: unit-tested without infra.
import { type ChainRecord, utcDay } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import { columnValue, RAW_COLUMNS, RAW_TABLES, type RawColumn, type RawColumns, type RawTable, TABLE_ROWS } from '../../storage/lake/schema.js';

/** One row: values in RAW_COLUMNS order; ints are numbers, decimals are decimal strings, null allowed. */
export type RawRow = (string | number | boolean | null)[];
export type RecordRows = { day: string; rows: Partial<Record<RawTable, RawRow[]>> };
/** CSV lines of one record per raw table: what rowsToCsv gives for recordToRows' rows. */
export type RecordLines = { day: string; lines: Partial<Record<RawTable, string[]>> };

const DEC38_MAX_DIGITS = 38;
function dec38(field: string, v: string | null): string | null {
  if (v !== null && v.length > DEC38_MAX_DIGITS)
    throw new FatalError(`${field}=${v} does not fit DECIMAL(38,0); the raw schema needs a VARCHAR column for it`);
  return v;
}

// Rows are kept as CSV text for DuckDB's read_csv (writer.ts), the cheapest way to hand many
// rows to DuckDB from JS: strings always quoted ("" doubled), NULL = an empty unquoted field,
// numbers bare. read_csv must use allow_quoted_nulls = false.
const quote = (s: string): string => (s.includes('"') ? `"${s.replaceAll('"', '""')}"` : `"${s}"`);
const bare = (col: RawColumn): boolean => col.kind === 'int' || col.kind === 'bigint' || col.kind === 'boolean';

const qs = (v: string | null): string => (v === null ? '' : quote(v));
const qd = (field: string, v: string | null): string => qs(dec38(field, v));
const qj = (v: unknown): string => (v === null ? '' : quote(JSON.stringify(v)));

/** A property read in generated code: the key as a JSON string literal, so no name can inject code. */
const read = (obj: string, field: string): string => `${obj}[${JSON.stringify(field)}]`;

/** The generated expression of one CSV field: `r` the record, `b` its block, `x` the row's item. */
function csvExpr(col: RawColumn): string {
  if (col.from === 'kafka') return col.field === 'kind' ? 'quote(r.kind)' : col.field;
  if (col.from === 'extra') {
    // A family field: absent (no extra, or not this family's) is NULL, like null.
    const v = `(${col.of === 'block' ? 'b' : 'x'}.extra?.[${JSON.stringify(col.field)}] ?? null)`;
    if (bare(col)) return v;
    if (col.kind === 'dec38') return `qd(${JSON.stringify(col.field)}, ${v})`;
    return `qs(${v})`;
  }
  const v = read(col.from === 'record' ? 'r' : col.from === 'block' ? 'b' : 'x', col.field);
  if (bare(col)) return v;
  if (col.kind === 'dec38') return `qd(${JSON.stringify(col.field)}, ${v})`;
  if (col.json) return `qj(${v})`;
  return col.type.endsWith('?') ? `qs(${v})` : `quote(${v})`;
}

/**
 * recordCsv compiled from the column table: a loop over the columns at run time halved its rate
 * (measured on generated records), so the table is turned once into the code one would write
 * by hand: named property reads, the fields shared by a record's rows (chain id, block hash,
 * provenance…) encoded once, one array join per line.
 */
function compileRecordCsv(columns: RawColumns): RowMapper['recordCsv'] {
  const branch = (kind: ChainRecord['kind']): string => {
    const shared = new Map<string, string>();
    const share = (expr: string): string => {
      if (!shared.has(expr)) shared.set(expr, `s${shared.size}`);
      return shared.get(expr)!;
    };
    const tables = RAW_TABLES.filter((t) => TABLE_ROWS[t].kind === kind).map((table) => {
      const items = TABLE_ROWS[table].items;
      const fields = columns[table].map((col) => (col.from === 'item' || (col.from === 'extra' && col.of === 'item') ? csvExpr(col) : share(csvExpr(col))));
      const line = `\`\${[${fields.join(', ')}].join(',')}\\n\``;
      return `${JSON.stringify(table)}: ${items ? `${read('r', items)}.map((x) => ${line})` : `[${line}]`}`;
    });
    const decls = [...shared].map(([expr, name]) => `const ${name} = ${expr};`).join('\n    ');
    return `{\n    const b = r.block;\n    ${decls}\n    return { day, lines: { ${tables.join(', ')} } };\n  }`;
  };
  const body = `const day = utcDay(r.block.timestamp);\n  if (r.kind === 'retraction') ${branch('retraction')}\n  ${branch('block')}`;
  return new Function('utcDay', 'quote', 'qs', 'qd', 'qj', `return function recordCsv(r, partition, offset) {\n  ${body}\n};`)(utcDay, quote, qs, qd, qj);
}

export type RowMapper = {
  /** Rows of one record for every raw table, all in the UTC day of the block timestamp. */
  recordToRows: (r: ChainRecord, partition: number, offset: number) => RecordRows;
  /** Append one CSV line per row (column order) to `out`; returns the longest line in UTF-16 units. */
  rowsToCsv: (table: RawTable, rows: RawRow[], out: string[]) => number;
  /**
   * recordToRows + rowsToCsv in one step, the compactor's hot path: no row arrays, the fields
   * shared by a record's rows encoded once, and one array join per line (flat strings;
   * template-literal concatenation builds ropes that cost more in GC and in the final join).
   * rows.test.ts checks it against rowsToCsv(recordToRows(…)).
   */
  recordCsv: (r: ChainRecord, partition: number, offset: number) => RecordLines;
};

/** The row mapper of a column table: RAW_COLUMNS in production, a copy with a new column in tests. */
export function createRowMapper(columns: RawColumns): RowMapper {
  // Per record kind, the tables it has rows in and what each row stands for.
  const plans = (kind: ChainRecord['kind']) => RAW_TABLES.filter((table) => TABLE_ROWS[table].kind === kind).map((table) => ({ table, columns: columns[table], items: TABLE_ROWS[table].items }));
  const byKind = { block: plans('block'), retraction: plans('retraction') };

  function recordToRows(r: ChainRecord, partition: number, offset: number): RecordRows {
    const rows: RecordRows['rows'] = {};
    for (const plan of byKind[r.kind]) {
      const items = plan.items === undefined ? [undefined] : (r as unknown as Record<string, unknown[]>)[plan.items]!;
      rows[plan.table] = items.map((item) =>
        plan.columns.map((col) => {
          const v = columnValue(col, r, item, partition, offset);
          return col.kind === 'dec38' ? dec38(col.field, v as string | null) : v;
        }),
      );
    }
    return { day: utcDay(r.block.timestamp), rows };
  }

  function rowsToCsv(table: RawTable, rows: RawRow[], out: string[]): number {
    const cols = columns[table];
    const n = cols.length;
    let maxLine = 0;
    for (const row of rows) {
      // One array joined per row: much faster than growing a string field by field.
      const fields: string[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = row[i];
        fields[i] = v === null || v === undefined ? '' : typeof v === 'string' && !bare(cols[i]!) ? quote(v) : String(v);
      }
      const line = `${fields.join(',')}\n`;
      if (line.length > maxLine) maxLine = line.length;
      out.push(line);
    }
    return maxLine;
  }

  return { recordToRows, rowsToCsv, recordCsv: compileRecordCsv(columns) };
}

export const { recordToRows, rowsToCsv, recordCsv } = createRowMapper(RAW_COLUMNS);

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
