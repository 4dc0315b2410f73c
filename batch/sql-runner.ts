// The lake SQL runner behind `chainlake sql`: one read-only SELECT over the lake with DuckDB
// (raw tables, canonical views and the batch views of CURRENT), printed as a table, CSV or JSON,
// or copied to a Parquet file outside the lake.
import { StatementType } from '@duckdb/node-api';
import { writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Common } from '../core/common.js';
import { loadConfig } from '../core/config.js';
import { errorMessage, ValidationError } from '../core/errors.js';
import { createCommon } from '../core/runtime.js';
import { createDuck, sqlString } from '../storage/lake/duck.js';
import { lakePaths } from '../storage/lake/paths.js';
import { registerLakeViews } from '../storage/lake/canonical.js';

/** Format rows as an aligned text table. */
export function formatTable(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

export function formatCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** First line of a DuckDB error, as one sentence. */
const oneSentence = (e: unknown): string => {
  const first = errorMessage(e).split('\n')[0]!.trim();
  return /[.!?]$/.test(first) ? first : `${first}.`;
};

export type SqlFormat = 'table' | 'csv' | 'json' | 'parquet';

/** Run one read-only SELECT over the lake. Returns the text to print (empty when written to a file). */
export async function runLakeSql(common: Common, sql: string, opts: { format: SqlFormat; out?: string; chainId?: number }): Promise<string> {
  const paths = lakePaths(common.config.LAKE_DIR);
  const query = sql.trim().replace(/;\s*$/, '');
  if (opts.format === 'parquet' && !opts.out) throw new ValidationError('--format parquet needs --out FILE.');
  if (opts.out && (resolve(opts.out) + sep).startsWith(paths.root + sep)) throw new ValidationError('--out must be outside the lake directory.');
  const duck = await createDuck({ memoryLimit: common.config.DUCKDB_MEMORY_LIMIT, threads: common.config.DUCKDB_THREADS });
  const conn = await duck.connect();
  try {
    await registerLakeViews(conn, paths, opts.chainId === undefined ? {} : { chainId: opts.chainId });
    let extracted;
    try {
      extracted = await conn.extractStatements(query);
      if (extracted.count !== 1) throw new ValidationError(`expected exactly one SQL statement, got ${extracted.count}.`);
      const prepared = await extracted.prepare(0);
      if (prepared.statementType !== StatementType.SELECT) throw new ValidationError('only SELECT queries are allowed; the lake is read-only here.');
      if (opts.format === 'parquet') {
        await conn.run(`COPY (${query}) TO ${sqlString(resolve(opts.out!))} (FORMAT parquet, COMPRESSION zstd)`);
        return '';
      }
      const reader = await prepared.runAndReadAll();
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      const columns = reader.columnNames();
      const text = opts.format === 'json' ? `${JSON.stringify(rows)}\n` : opts.format === 'csv' ? formatCsv(rows, columns) : formatTable(rows, columns);
      if (opts.out) {
        await writeFile(opts.out, text);
        return '';
      }
      return text;
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      throw new ValidationError(`SQL error: ${oneSentence(e)}`, undefined, { cause: e });
    }
  } finally {
    conn.closeSync();
    duck.close();
  }
}

/** `chainlake sql`: quiet logs (warn unless LOG_LEVEL asks for more), the result on stdout. */
export async function printLakeSql(query: string, opts: { format: SqlFormat; out?: string; chainId?: number }): Promise<void> {
  const config = loadConfig();
  const common = createCommon('sql', { config: { ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, installSignalHandlers: false });
  const text = await runLakeSql(common, query, opts);
  if (text) process.stdout.write(text);
}
