// Text-level rules of the SQL sandbox (pure, no driver). The real enforcement is layered:
// (1) this check, (2) DuckDB's statement splitter + statement type (serving/sql.ts),
// (3) the DuckDB instance itself: external access disabled and configuration locked.
import { BaseError } from '../core/errors.js';

export class SqlRejectedError extends BaseError {
  override readonly status: number = 400;
  override readonly code: string = 'sql_rejected';
}

/** Table functions that read files or run SQL from strings; only registered views may be read. */
const DENIED_FUNCTIONS =
  /\b(read_\w+|glob|parquet_\w+|sniff_csv|query|query_table|iceberg_\w+|delta_scan|sqlite_\w+|postgres_\w+|mysql_\w+|getenv|load_aws_credentials|ducklake_\w+|csv_scan|json_scan|arrow_scan)\s*\(/i;

/** Statement keywords that must not appear anywhere outside literals. */
const DENIED_KEYWORDS =
  /\b(copy|attach|detach|install|load|pragma|set|reset|call|export|import|checkpoint|vacuum|create|drop|alter|insert|update|delete|merge|truncate|use|begin|commit|rollback|prepare|execute|summarize|describe|show)\b/i;

/** Removes comments and string literals (replaced by an empty literal) so keywords inside them are ignored. */
export function stripLiteralsAndComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += ' ';
    } else if (c === '/' && next === '*') {
      // DuckDB nests block comments (like Postgres): /* a /* b */ c */ is one comment.
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      out += ' ';
    } else if (c === "'") {
      i++;
      while (i < sql.length) {
        if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      out += "''";
    } else if (c === '$') {
      const m = /^\$([A-Za-z_]*)\$/.exec(sql.slice(i));
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        i = end < 0 ? sql.length : end + m[0].length;
        out += "''";
      } else {
        out += c;
        i++;
      }
    } else if (c === '"') {
      // A quoted identifier: keep its text so "read_csv"(...) is still caught.
      const end = sql.indexOf('"', i + 1);
      out += ` ${sql.slice(i + 1, end < 0 ? sql.length : end)} `;
      i = end < 0 ? sql.length : end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Throws SqlRejectedError when the text is not a single plain read query. */
export function checkSqlText(sql: string, maxLength = 20_000): void {
  if (sql.trim().length === 0) throw new SqlRejectedError('empty query');
  if (sql.length > maxLength) throw new SqlRejectedError(`query is longer than ${maxLength} characters`);
  const bare = stripLiteralsAndComments(sql);
  const first = /^[\s(]*([A-Za-z]+)/.exec(bare)?.[1]?.toLowerCase();
  if (first !== 'select' && first !== 'with' && first !== 'from')
    throw new SqlRejectedError(`only SELECT (or WITH … SELECT) queries are allowed, got ${first ? first.toUpperCase() : 'nothing'}`);
  const fn = DENIED_FUNCTIONS.exec(bare);
  if (fn) throw new SqlRejectedError(`function ${fn[1]}() is not allowed: query the registered views instead`);
  const kw = DENIED_KEYWORDS.exec(bare);
  if (kw) throw new SqlRejectedError(`${kw[1]!.toUpperCase()} is not allowed in the SQL endpoint`);
  const withoutTrailing = bare.replace(/;\s*$/, '');
  if (withoutTrailing.includes(';')) throw new SqlRejectedError('exactly one statement is allowed');
}
