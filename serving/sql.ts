// The read-only SQL sandbox behind POST /api/v1/sql. One DuckDB instance per server:
// lake views are registered first, then external access is disabled (only the lake
// directory stays readable, through the views) and the configuration is locked, so a query
// can neither read other files, change limits, attach databases nor load extensions.
// Each query: text rules (sql-guard.ts) → DuckDB statement splitter → exactly one statement
// of type SELECT → run with a timeout (connection.interrupt()) and a row limit.
import type { DuckDBConnection } from '@duckdb/node-api';
import { StatementType } from '@duckdb/node-api';
import { resolve } from 'node:path';
import { BaseError } from '../core/errors.js';
import { createDuck, type Duck } from '../storage/lake/duck.js';
import { createDuckPool } from './duck-pool.js';
import { SqlRejectedError, checkSqlText } from './sql-guard.js';

export { SqlRejectedError } from './sql-guard.js';

export class QueryTimeoutError extends BaseError {
  override readonly status: number = 504;
  override readonly code: string = 'query_timeout';
}

export class RowLimitError extends BaseError {
  override readonly status: number = 400;
  override readonly code: string = 'row_limit_exceeded';
}

export class QueryFailedError extends BaseError {
  override readonly status: number = 400;
  override readonly code: string = 'query_failed';
}

export type SqlColumn = { name: string; type: string };
export type SqlResult = { columns: SqlColumn[]; rows: Record<string, unknown>[]; rowCount: number; elapsedMs: number };

export type SqlSandboxOptions = {
  lakeDir: string;
  memoryLimit: string;
  timeoutMs: number;
  rowLimit: number;
  threads?: number;
  /** Concurrent queries; further queries wait for a free connection. */
  connections?: number;
  /** Creates the lake views on a connection (called at start and after a batch version switch). */
  registerViews: (conn: DuckDBConnection) => Promise<void>;
  /** Identifies the visible batch version; views are re-registered when it changes. */
  currentVersion?: () => Promise<string | null>;
  /** Re-register views at least this often (new raw files); default 10 s. */
  refreshMs?: number;
  /** Replace the DuckDB instance this often (releases its per-file native caches); 0 = never. Default 2 min. */
  recycleMs?: number;
  onRecycleError?: (e: unknown) => void;
  onRecycle?: (generation: number) => void;
};

export type SqlSandbox = {
  query: (sql: string) => Promise<SqlResult>;
  /** Names of the registered views (for docs and errors). */
  views: () => Promise<string[]>;
  generation: () => number;
  /** Open a fresh locked-down instance now and retire the current one once its queries finish. */
  recycle: () => Promise<void>;
  close: () => void;
};

export async function createSqlSandbox(opts: SqlSandboxOptions): Promise<SqlSandbox> {
  const lakeRoot = `${resolve(opts.lakeDir)}/`;
  /** A locked-down instance: it can only read the lake directory, and the lock cannot be undone. */
  const open = async (): Promise<Duck> => {
    const duck = await createDuck({ memoryLimit: opts.memoryLimit, threads: opts.threads ?? 2 });
    try {
      const admin = await duck.connect();
      try {
        await admin.run(`SET allowed_directories = ['${lakeRoot.replaceAll("'", "''")}']`);
        await admin.run('SET enable_external_access = false');
        await admin.run('SET autoinstall_known_extensions = false');
        await admin.run('SET autoload_known_extensions = false');
        await admin.run('SET lock_configuration = true');
      } finally {
        admin.closeSync();
      }
      return duck;
    } catch (e) {
      duck.close();
      throw e;
    }
  };
  // Views are (re-)registered per connection after the lock: they can only read the lake directory.
  const pool = await createDuckPool({
    open,
    size: opts.connections ?? 2,
    setup: opts.registerViews,
    ...(opts.currentVersion ? { version: opts.currentVersion } : {}),
    ...(opts.refreshMs !== undefined ? { refreshMs: opts.refreshMs } : {}),
    ...(opts.recycleMs !== undefined ? { recycleMs: opts.recycleMs } : {}),
    ...(opts.onRecycleError ? { onRecycleError: opts.onRecycleError } : {}),
    ...(opts.onRecycle ? { onRecycle: opts.onRecycle } : {}),
  });

  async function query(sql: string): Promise<SqlResult> {
    checkSqlText(sql);
    return pool.use(async (conn) => {
      const started = Date.now();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        conn.interrupt();
      }, opts.timeoutMs);
      try {
        let extracted;
        try {
          extracted = await conn.extractStatements(sql);
        } catch (e) {
          throw new SqlRejectedError(`could not parse the query: ${firstLine(e)}`);
        }
        if (extracted.count !== 1) throw new SqlRejectedError(`exactly one statement is allowed, got ${extracted.count}`);
        let prepared;
        try {
          prepared = await extracted.prepare(0);
        } catch (e) {
          throw new QueryFailedError(firstLine(e));
        }
        if (prepared.statementType !== StatementType.SELECT)
          throw new SqlRejectedError(`only SELECT statements are allowed, got ${StatementType[prepared.statementType] ?? prepared.statementType}`);
        try {
          const reader = await prepared.streamAndReadUntil(opts.rowLimit + 1);
          if (reader.currentRowCount > opts.rowLimit)
            throw new RowLimitError(`the query returns more than ${opts.rowLimit} rows (SQL_ROW_LIMIT); add a LIMIT or aggregate`);
          const names = reader.columnNames();
          const types = reader.columnTypes();
          return {
            columns: names.map((name, i) => ({ name, type: String(types[i]) })),
            rows: reader.getRowObjectsJson() as Record<string, unknown>[],
            rowCount: reader.currentRowCount,
            elapsedMs: Date.now() - started,
          };
        } finally {
          // Free the native statement (and its pending result) now: left to the JS garbage
          // collector, which does not see native memory, they grew RSS by gigabytes under load.
          prepared.destroySync();
        }
      } catch (e) {
        if (timedOut || /INTERRUPT/i.test(String((e as Error)?.message)))
          throw new QueryTimeoutError(`the query ran longer than ${opts.timeoutMs} ms (SQL_TIMEOUT_MS) and was cancelled`);
        if (e instanceof SqlRejectedError || e instanceof RowLimitError || e instanceof QueryFailedError) throw e;
        const msg = firstLine(e);
        if (/Permission Error|disabled by configuration|locked/i.test(msg)) throw new SqlRejectedError(msg);
        if (/Out of Memory/i.test(msg)) throw new QueryFailedError(`the query needs more memory than SQL_MEMORY_LIMIT allows: ${msg}`);
        throw new QueryFailedError(msg);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  return {
    query,
    views: () =>
      pool.use(async (conn) => {
        const r = await conn.runAndReadAll('SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name');
        return r.getRowObjectsJson().map((x) => String(x.view_name));
      }),
    /** Instances opened so far (1 + recycles). */
    generation: () => pool.generation(),
    recycle: () => pool.recycle(),
    close: () => pool.close(),
  };
}

const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 500);
