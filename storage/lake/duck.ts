// DuckDB (@duckdb/node-api) for the lake: an instance factory, a query returning JSON-safe rows,
// and SQL string quoting.
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export type DuckOptions = {
  memoryLimit?: string;
  threads?: number;
  /** Path of a DuckDB database file; in-memory when absent. */
  path?: string;
};

export type Duck = {
  instance: DuckDBInstance;
  connect: () => Promise<DuckDBConnection>;
  close: () => void;
};

export async function createDuck(opts: DuckOptions = {}): Promise<Duck> {
  const options: Record<string, string> = {};
  if (opts.memoryLimit) options.memory_limit = opts.memoryLimit;
  if (opts.threads) options.threads = String(opts.threads);
  const instance = await DuckDBInstance.create(opts.path ?? ':memory:', options);
  return { instance, connect: () => instance.connect(), close: () => instance.closeSync() };
}

/** Run a query and return JSON-safe row objects (bigints and decimals as strings). */
export async function queryRows(conn: DuckDBConnection, sql: string, params?: Record<string, string | number | boolean | null>): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

export { sqlString } from './schema.js';
