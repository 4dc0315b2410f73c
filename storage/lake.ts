// The Parquet lake on disk and DuckDB (@duckdb/node-api). Layout:
//   <LAKE_DIR>/raw/<table>/chain=<id>/date=<YYYY-MM-DD>/<file>.parquet   compacted from Kafka
//   <LAKE_DIR>/views/<version>/<view>.parquet                              batch views
//   <LAKE_DIR>/views/CURRENT                                               name of the visible version
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const RAW_TABLES = ['blocks', 'transactions', 'token_transfers', 'retractions'] as const;
export type RawTable = (typeof RAW_TABLES)[number];

export type LakePaths = ReturnType<typeof lakePaths>;

export function lakePaths(root: string) {
  const abs = resolve(root);
  return {
    root: abs,
    raw: join(abs, 'raw'),
    rawTable: (table: RawTable) => join(abs, 'raw', table),
    rawPartition: (table: RawTable, chainId: number, day: string) => join(abs, 'raw', table, `chain=${chainId}`, `date=${day}`),
    /** Glob over every Parquet file of a raw table (hive partitioned). */
    rawGlob: (table: RawTable) => join(abs, 'raw', table, '*', '*', '*.parquet'),
    views: join(abs, 'views'),
    viewVersion: (version: string) => join(abs, 'views', version),
    currentPointer: join(abs, 'views', 'CURRENT'),
    tmp: join(abs, '_tmp'),
  };
}

/** The visible batch version, or null on a fresh lake. */
export async function readCurrentVersion(paths: LakePaths): Promise<string | null> {
  try {
    const v = (await readFile(paths.currentPointer, 'utf8')).trim();
    return v.length > 0 ? v : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Atomically switch the visible version: write a temp pointer, then rename over CURRENT. */
export async function switchCurrentVersion(paths: LakePaths, version: string): Promise<void> {
  await mkdir(paths.views, { recursive: true });
  const tmp = `${paths.currentPointer}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${version}\n`);
  await rename(tmp, paths.currentPointer);
}

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

/** SQL string literal. */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
