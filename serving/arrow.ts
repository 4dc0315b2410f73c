// JSON rows → Arrow IPC stream. Column types follow the JSON values, so an Arrow reader sees
// exactly the rows the JSON answer has: integers (int32 range) → Int32, other numbers →
// Float64, booleans → Bool, everything else (decimal strings of uint256, hashes) → Utf8.
// Nested objects are flattened with "_" (byClass.native_transfer → byClass_native_transfer).
import { Bool, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from 'apache-arrow';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export function flattenRow(row: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenRow(v as Record<string, unknown>, key, out);
    else if (Array.isArray(v)) out[key] = JSON.stringify(v);
    else if (typeof v === 'bigint') out[key] = v.toString();
    else out[key] = v;
  }
  return out;
}

function columnType(values: unknown[]): DataType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return new Bool();
  if (present.length > 0 && present.every((v) => typeof v === 'number')) {
    const ints = present.every((v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31);
    return ints ? new Int32() : new Float64();
  }
  return new Utf8();
}

/** Encode rows as one Arrow IPC stream; `columns` fixes the order (and keeps columns of an empty result). */
export function rowsToArrowIpc(rows: Record<string, unknown>[], columns?: string[]): Uint8Array {
  const flat = rows.map((r) => flattenRow(r));
  const names = columns ?? [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const vectors: Record<string, Vector> = {};
  for (const name of names) {
    const values = flat.map((r) => r[name] ?? null);
    const type = columnType(values);
    const cast = type instanceof Utf8 ? values.map((v) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v))) : values;
    vectors[name] = vectorFromArray(cast, type);
  }
  return tableToIPC(new Table(vectors), 'stream');
}
