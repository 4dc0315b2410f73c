// The lake as SQL relations: a raw table over a list of files, the canonical-block rule, and
// registering the whole lake (complete raw ranges, canonical views, CURRENT's batch views) as
// DuckDB views of a connection, as `chainlake sql`, serving and the batch tests see it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from './duck.js';
import { fileSchemaOf, listRawFiles } from './files.js';
import type { LakePaths } from './paths.js';
import { LAKE_FILE_SCHEMA, type LakeFileSchema, RAW_COLUMNS, RAW_TABLES, type RawTable, duckType } from './schema.js';
import { BATCH_VIEWS, readCurrentVersion, viewFile } from './versions.js';

/**
 * A SELECT over the given Parquet files of a table with the current columns (RAW_COLUMNS), or an
 * empty relation with them. Files of one lake file schema (the `.v2` marker in the name,
 * storage/lake/files.ts) have the same columns, so each schema's files are read by the first
 * one's schema: `union_by_name` would read every file's schema each time a query binds the
 * relation, which halved serve's SQL throughput over a few hundred files and made its native
 * memory grow with each new file (BENCHMARKS.md, soak). Older schemas' files get NULL for the
 * columns they predate, and the groups are joined by UNION ALL with one explicit column list.
 */
export function rawRelationSql(table: RawTable, files: string[]): string {
  const columns = RAW_COLUMNS[table];
  if (files.length === 0) return `(SELECT ${columns.map((col) => `CAST(NULL AS ${duckType(col.kind)}) AS ${col.name}`).join(', ')} WHERE false)`;
  const bySchema = new Map<LakeFileSchema, string[]>();
  for (const f of files) {
    const v = fileSchemaOf(f);
    const list = bySchema.get(v);
    if (list) list.push(f);
    else bySchema.set(v, [f]);
  }
  // The common case, a lake of current files only, stays the plain read.
  if (bySchema.size === 1 && bySchema.has(LAKE_FILE_SCHEMA)) return `(SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false))`;
  const selects = [...bySchema].map(([version, list]) => {
    const cols = columns.map((col) => ((col.since ?? 1) <= version ? col.name : `CAST(NULL AS ${duckType(col.kind)}) AS ${col.name}`));
    return `SELECT ${cols.join(', ')} FROM read_parquet([${list.map(sqlString).join(', ')}], hive_partitioning = false)`;
  });
  return `(${selects.join(' UNION ALL ')})`;
}

/**
 * The canonical rule. Per height, the latest record by (kafka_partition, kafka_offset) wins;
 * if that record is a block, it is the canonical block, if it is a retraction the height has
 * no canonical block. Returns the canonical rows of `blocks`.
 */
export function canonicalBlocksSql(blocks: string, retractions: string): string {
  return `(SELECT b.* FROM ${blocks} b JOIN (
    SELECT number, kind, kafka_partition, kafka_offset FROM (
      SELECT number, 'block' AS kind, kafka_partition, kafka_offset FROM ${blocks}
      UNION ALL SELECT number, 'retraction' AS kind, kafka_partition, kafka_offset FROM ${retractions}
    ) QUALIFY row_number() OVER (PARTITION BY number ORDER BY kafka_partition DESC, kafka_offset DESC) = 1
  ) l ON l.kind = 'block' AND b.kafka_partition = l.kafka_partition AND b.kafka_offset = l.kafka_offset)`;
}

/** Rows of `table` (transactions, token_transfers) that came from a canonical block's record. */
export const canonicalChildSql = (child: string, canonicalBlocks: string): string =>
  `(SELECT t.* FROM ${child} t SEMI JOIN ${canonicalBlocks} cb ON t.kafka_partition = cb.kafka_partition AND t.kafka_offset = cb.kafka_offset)`;


/**
 * Register the lake in a DuckDB connection: raw tables (complete ranges only), canonical_blocks,
 * canonical_transactions, canonical_token_transfers, and every batch view of CURRENT.
 * Returns the version the batch views point at (null: none yet).
 */
export async function registerLakeViews(conn: DuckDBConnection, paths: LakePaths, opts: { chainId?: number } = {}): Promise<{ version: string | null; views: string[] }> {
  const files = await listRawFiles(paths, opts.chainId);
  const views: string[] = [];
  for (const table of RAW_TABLES) {
    const list = files.filter((f) => f.table === table).map((f) => f.path);
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${table} AS SELECT * FROM ${rawRelationSql(table, list)}`);
    views.push(table);
  }
  await conn.run(`CREATE OR REPLACE TEMP VIEW canonical_blocks AS SELECT * FROM ${canonicalBlocksSql('blocks', 'retractions')}`);
  await conn.run(`CREATE OR REPLACE TEMP VIEW canonical_transactions AS SELECT * FROM ${canonicalChildSql('transactions', 'canonical_blocks')}`);
  await conn.run(`CREATE OR REPLACE TEMP VIEW canonical_token_transfers AS SELECT * FROM ${canonicalChildSql('token_transfers', 'canonical_blocks')}`);
  views.push('canonical_blocks', 'canonical_transactions', 'canonical_token_transfers');
  const version = await readCurrentVersion(paths);
  if (version !== null) {
    for (const view of BATCH_VIEWS) {
      await conn.run(`CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * FROM read_parquet(${sqlString(viewFile(paths, version, view))})`);
      views.push(view);
    }
  }
  return { version, views };
}
