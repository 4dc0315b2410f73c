// Read side of the Parquet lake, shared by the batch layer, `chainlake sql` and serving:
// raw table schemas, raw file naming (partition + offset range + file count of the range),
// listing only complete ranges, the canonical-block rule, registering the lake as DuckDB
// views, and typed readers of the CURRENT batch version. No batch code is imported here.
import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type LakePaths, queryRows, RAW_TABLES, type RawTable, readCurrentVersion, sqlString } from './lake.js';

/** How a column is staged (appender type) and written to Parquet. */
export type ColumnKind = 'int' | 'bigint' | 'varchar' | 'dec38';
export type Column = { name: string; kind: ColumnKind };
const c = (name: string, kind: ColumnKind): Column => ({ name, kind });
const provenance = [c('kind', 'varchar'), c('kafka_partition', 'int'), c('kafka_offset', 'bigint')];

/** Columns of every raw table, in file order. dec38 = DECIMAL(38,0); value/amount stay VARCHAR (uint256). */
export const RAW_COLUMNS: Record<RawTable, Column[]> = {
  blocks: [
    c('chain_id', 'int'),
    c('number', 'bigint'),
    c('hash', 'varchar'),
    c('parent_hash', 'varchar'),
    c('timestamp', 'bigint'),
    c('miner', 'varchar'),
    c('gas_used', 'dec38'),
    c('gas_limit', 'dec38'),
    c('base_fee_per_gas', 'dec38'),
    c('tx_count', 'int'),
    c('published_at', 'bigint'),
    ...provenance,
  ],
  transactions: [
    c('chain_id', 'int'),
    c('block_number', 'bigint'),
    c('block_hash', 'varchar'),
    c('block_timestamp', 'bigint'),
    c('hash', 'varchar'),
    c('transaction_index', 'int'),
    c('from_address', 'varchar'),
    c('to_address', 'varchar'),
    c('value', 'varchar'),
    c('nonce', 'bigint'),
    c('type', 'int'),
    c('gas', 'dec38'),
    c('gas_price', 'dec38'),
    c('max_fee_per_gas', 'dec38'),
    c('max_priority_fee_per_gas', 'dec38'),
    c('tx_class', 'varchar'),
    c('selector', 'varchar'),
    c('method', 'varchar'),
    c('args', 'varchar'),
    c('input_size', 'int'),
    c('status', 'int'),
    c('gas_used', 'dec38'),
    c('effective_gas_price', 'dec38'),
    c('fee', 'dec38'),
    c('contract_address', 'varchar'),
    c('log_count', 'int'),
    ...provenance,
  ],
  token_transfers: [
    c('chain_id', 'int'),
    c('block_number', 'bigint'),
    c('block_hash', 'varchar'),
    c('block_timestamp', 'bigint'),
    c('tx_hash', 'varchar'),
    c('log_index', 'int'),
    c('token', 'varchar'),
    c('from_address', 'varchar'),
    c('to_address', 'varchar'),
    c('amount', 'varchar'),
    ...provenance,
  ],
  retractions: [
    c('chain_id', 'int'),
    c('number', 'bigint'),
    c('hash', 'varchar'),
    c('parent_hash', 'varchar'),
    c('timestamp', 'bigint'),
    c('replaced_by', 'varchar'),
    c('published_at', 'bigint'),
    ...provenance,
  ],
};

export const duckType = (k: ColumnKind): string => ({ int: 'INTEGER', bigint: 'BIGINT', varchar: 'VARCHAR', dec38: 'DECIMAL(38,0)' })[k];

// ---------------------------------------------------------------------------------------------
// Raw file names: p{partition}-o{first}-{last}-n{files}.parquet. `files` is how many files
// (over all tables and days) the compactor wrote for this partition's offset range, so a
// reader can tell a complete range from one whose files are still being moved into place.

export type RawFileName = { partition: number; first: number; last: number; files: number };
const FILE_RE = /^p(\d+)-o(\d+)-(\d+)-n(\d+)\.parquet$/;

export const rawFileName = (f: RawFileName): string => `p${f.partition}-o${f.first}-${f.last}-n${f.files}.parquet`;

export function parseRawFileName(name: string): RawFileName | null {
  const m = FILE_RE.exec(name);
  if (!m) return null;
  return { partition: Number(m[1]), first: Number(m[2]), last: Number(m[3]), files: Number(m[4]) };
}

// Merged files (the compactor merges the files of a closed day, batch/compact/merge.ts):
// m-p{partition}-o{first}-{last}[_p…].parquet, one offset span per partition: the file holds every
// row of its (table, chain, day) directory from records in those spans. A merged file supersedes
// the other files of its directory whose spans it covers (they are deleted a little later), and a
// range it covers counts as complete even though some of its files were merged away.
export type OffsetSpan = { partition: number; first: number; last: number };
const MERGED_RE = /^m-(p\d+-o\d+-\d+(?:_p\d+-o\d+-\d+)*)\.parquet$/;

export const mergedFileName = (spans: OffsetSpan[]): string => `m-${spans.map((s) => `p${s.partition}-o${s.first}-${s.last}`).join('_')}.parquet`;

export function parseMergedFileName(name: string): OffsetSpan[] | null {
  const m = MERGED_RE.exec(name);
  if (!m) return null;
  return m[1]!.split('_').map((part) => {
    const [, p, f, l] = /^p(\d+)-o(\d+)-(\d+)$/.exec(part)!;
    return { partition: Number(p), first: Number(f), last: Number(l) };
  });
}

/** A raw file; `spans` is set on merged files only (their partition/first/last are -1, files 1). */
export type RawFile = RawFileName & { table: RawTable; chainId: number; day: string; path: string; rel: string; spans?: OffsetSpan[] };

/** Offset spans of a raw file: its own range, or a merged file's spans. */
export const fileSpans = (f: RawFile): OffsetSpan[] => f.spans ?? [{ partition: f.partition, first: f.first, last: f.last }];

const covers = (m: RawFile, s: OffsetSpan): boolean => m.spans!.some((x) => x.partition === s.partition && x.first <= s.first && s.last <= x.last);

/** True when a merged file of the same directory holds every row of `f`. */
export const isSuperseded = (f: RawFile, merged: RawFile[]): boolean =>
  merged.some((m) => m !== f && m.table === f.table && m.chainId === f.chainId && m.day === f.day && fileSpans(f).every((s) => covers(m, s)));

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Every raw file on disk (complete or not), optionally of one chain. Directories are read concurrently. */
export async function listAllRawFiles(paths: LakePaths, chainId?: number): Promise<RawFile[]> {
  const dayDirs: { table: RawTable; chainDir: string; dayDir: string; chain: number; day: string }[] = [];
  await Promise.all(
    RAW_TABLES.map(async (table) => {
      for (const chainDir of await dirs(paths.rawTable(table))) {
        const cm = /^chain=(\d+)$/.exec(chainDir);
        if (!cm || (chainId !== undefined && Number(cm[1]) !== chainId)) continue;
        for (const dayDir of await dirs(join(paths.rawTable(table), chainDir))) {
          const dm = /^date=(\d{4}-\d{2}-\d{2})$/.exec(dayDir);
          if (dm) dayDirs.push({ table, chainDir, dayDir, chain: Number(cm[1]), day: dm[1] as string });
        }
      }
    }),
  );
  const perDir = await Promise.all(
    dayDirs.map(async ({ table, chainDir, dayDir, chain, day }) => {
      const dir = join(paths.rawTable(table), chainDir, dayDir);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const out: RawFile[] = [];
      for (const name of names) {
        const loc = { table, chainId: chain, day, path: join(dir, name), rel: `${table}/${chainDir}/${dayDir}/${name}` };
        const f = parseRawFileName(name);
        if (f) out.push({ ...f, ...loc });
        const spans = f ? null : parseMergedFileName(name);
        if (spans) out.push({ partition: -1, first: -1, last: -1, files: 1, spans, ...loc });
      }
      return out;
    }),
  );
  return perDir.flat();
}

/** Order of raw files: by relative path, code unit by code unit (stable across locales, and cheap). */
const byRel = (a: RawFile, b: RawFile): number => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/**
 * Files of complete offset ranges only: every file the compactor wrote for the range is in place
 * (or the range is covered by a merged file). Files superseded by a merged file are left out.
 */
export function completeRanges(files: RawFile[]): RawFile[] {
  const merged = files.filter((f) => f.spans);
  if (merged.length > 0) {
    const small = files.filter((f) => !f.spans);
    const complete = new Set(completeRanges(small));
    const dirKey = (f: RawFile) => `${f.chainId}/${f.table}/${f.day}`;
    const mergedByDir = new Map<string, RawFile[]>();
    for (const m of merged) mergedByDir.set(dirKey(m), [...(mergedByDir.get(dirKey(m)) ?? []), m]);
    const visible = (f: RawFile) =>
      !isSuperseded(f, mergedByDir.get(dirKey(f)) ?? []) &&
      (f.spans !== undefined || complete.has(f) || merged.some((m) => m.chainId === f.chainId && covers(m, fileSpans(f)[0]!)));
    return files.filter(visible).sort(byRel);
  }
  const groups = new Map<string, RawFile[]>();
  for (const f of files) {
    const k = `${f.chainId}:${f.partition}:${f.first}:${f.last}`;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  const out: RawFile[] = [];
  for (const g of groups.values()) if (g.length === g[0]!.files) out.push(...g);
  return out.sort(byRel);
}

export const listRawFiles = async (paths: LakePaths, chainId?: number): Promise<RawFile[]> => completeRanges(await listAllRawFiles(paths, chainId));

/** Chain ids present in the raw lake. */
export async function lakeChainIds(paths: LakePaths): Promise<number[]> {
  const ids = new Set<number>();
  for (const t of RAW_TABLES) for (const d of await dirs(paths.rawTable(t))) if (/^chain=\d+$/.test(d)) ids.add(Number(d.slice(6)));
  return [...ids].sort((a, b) => a - b);
}

/**
 * A SELECT over the given Parquet files of a table, or an empty relation with the table's schema.
 * Every raw file has the same columns (the compactor and the merge write RAW_COLUMNS in order,
 * typed), so the files are read by the first one's schema: `union_by_name` would read every
 * file's schema each time a query binds the relation, which halved serve's SQL throughput over a
 * few hundred files and made its native memory grow with each new file (BENCHMARKS.md, soak).
 */
export function rawRelationSql(table: RawTable, files: string[]): string {
  if (files.length === 0)
    return `(SELECT ${RAW_COLUMNS[table].map((col) => `CAST(NULL AS ${duckType(col.kind)}) AS ${col.name}`).join(', ')} WHERE false)`;
  return `(SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false))`;
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

export const BATCH_VIEWS = [
  'stats_minute',
  'stats_hour',
  'stats_day',
  'top_senders_day',
  'top_contracts_day',
  'token_volume_day',
  'block_series',
] as const;
export type BatchView = (typeof BATCH_VIEWS)[number];

export const versionManifestSchema = z.object({
  version: z.string(),
  chainId: z.number().int().nullable(),
  horizon: z.number().int().nullable(),
  /** Per Kafka partition, the newest block height in the lake's block files (the horizon is min − FINALITY_DEPTH). Absent in versions written before it existed. */
  partitionMax: z.record(z.string(), z.number().int()).optional(),
  createdAt: z.string(),
  mode: z.enum(['full', 'incremental']),
  previous: z.string().nullable(),
  rowCounts: z.record(z.string(), z.number().int().nonnegative()),
  /** Per UTC day: the raw files (relative paths) the day's rows were computed from. */
  days: z.record(z.string(), z.array(z.string())),
  recomputedDays: z.array(z.string()),
});
export type VersionManifest = z.infer<typeof versionManifestSchema>;

export const viewFile = (paths: LakePaths, version: string, view: BatchView): string => join(paths.viewVersion(version), `${view}.parquet`);

export async function readVersionManifest(paths: LakePaths, version: string): Promise<VersionManifest> {
  return versionManifestSchema.parse(JSON.parse(await readFile(join(paths.viewVersion(version), 'manifest.json'), 'utf8')));
}

/** The visible batch version with its horizon, or null on a lake without views. */
export async function readBatchVersion(paths: LakePaths): Promise<{ version: string; horizon: number | null; createdAt: string } | null> {
  for (let attempt = 0; ; attempt++) {
    const version = await readCurrentVersion(paths);
    if (version === null) return null;
    try {
      const m = await readVersionManifest(paths, version);
      return { version, horizon: m.horizon, createdAt: m.createdAt };
    } catch (e) {
      // The version was pruned between reading CURRENT and its manifest: read CURRENT again.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
    }
  }
}

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

// ---------------------------------------------------------------------------------------------
// Typed readers of the CURRENT version for serving. Amounts come back as decimal strings.

export type LakeReadContext = { paths: LakePaths; conn: DuckDBConnection };

/** Run a query against a view file of CURRENT, re-reading CURRENT if the version was pruned meanwhile. */
async function readCurrent(ctx: LakeReadContext, view: BatchView, build: (file: string) => string, params?: Record<string, string | number>): Promise<{ version: string | null; rows: Record<string, unknown>[] }> {
  for (let attempt = 0; ; attempt++) {
    const version = await readCurrentVersion(ctx.paths);
    if (version === null) return { version: null, rows: [] };
    try {
      return { version, rows: await queryRows(ctx.conn, build(sqlString(viewFile(ctx.paths, version, view))), params) };
    } catch (e) {
      if (attempt >= 3 || !/No files found|does not exist|No such file/i.test(String((e as Error).message))) throw e;
    }
  }
}

const num = (v: unknown): number => Number(v);
const str = (v: unknown): string => (v === null || v === undefined ? '0' : String(v));

export type StatsRow = {
  bucketStart: number;
  day: string;
  blocks: number;
  txs: number;
  txsByClass: { contract_creation: number; native_transfer: number; contract_call: number };
  failedTxs: number;
  gasUsed: string;
  fees: string;
  nativeValue: string;
  tokenTransfers: number;
  activeAddresses: number;
  contractsCreated: number;
};

/** Stats buckets of CURRENT with from ≤ bucket_start < to (unix seconds). */
export async function readStats(ctx: LakeReadContext, q: { granularity: 'minute' | 'hour' | 'day'; from: number; to: number }): Promise<StatsRow[]> {
  const view = `stats_${q.granularity}` as const;
  const { rows } = await readCurrent(
    ctx,
    view,
    (file) => `SELECT * FROM read_parquet(${file}) WHERE bucket_start >= $from AND bucket_start < $to ORDER BY bucket_start`,
    { from: q.from, to: q.to },
  );
  return rows.map((r) => ({
    bucketStart: num(r.bucket_start),
    day: String(r.day),
    blocks: num(r.blocks),
    txs: num(r.txs),
    txsByClass: { contract_creation: num(r.txs_contract_creation), native_transfer: num(r.txs_native_transfer), contract_call: num(r.txs_contract_call) },
    failedTxs: num(r.failed_txs),
    gasUsed: str(r.gas_used),
    fees: str(r.fees),
    nativeValue: str(r.native_value),
    tokenTransfers: num(r.token_transfers),
    activeAddresses: num(r.active_addresses),
    contractsCreated: num(r.contracts_created),
  }));
}

export type TopSenderRow = { rank: number; address: string; txs: number; fees: string; value: string };
export async function readTopSenders(ctx: LakeReadContext, day: string, limit = 100): Promise<TopSenderRow[]> {
  const { rows } = await readCurrent(ctx, 'top_senders_day', (f) => `SELECT * FROM read_parquet(${f}) WHERE day = $day AND rank <= $limit ORDER BY rank`, { day, limit });
  return rows.map((r) => ({ rank: num(r.rank), address: String(r.address), txs: num(r.txs), fees: str(r.fees), value: str(r.value) }));
}

export type TopContractRow = { rank: number; address: string; calls: number; callers: number; gasUsed: string };
export async function readTopContracts(ctx: LakeReadContext, day: string, limit = 100): Promise<TopContractRow[]> {
  const { rows } = await readCurrent(ctx, 'top_contracts_day', (f) => `SELECT * FROM read_parquet(${f}) WHERE day = $day AND rank <= $limit ORDER BY rank`, { day, limit });
  return rows.map((r) => ({ rank: num(r.rank), address: String(r.address), calls: num(r.calls), callers: num(r.callers), gasUsed: str(r.gas_used) }));
}

export type TokenVolumeRow = { day: string; token: string; transfers: number; amount: string; senders: number; receivers: number };
/** Token volume per day for from ≤ day ≤ to (YYYY-MM-DD), optionally of one token. */
export async function readTokenVolume(ctx: LakeReadContext, q: { from: string; to: string; token?: string; limit?: number }): Promise<TokenVolumeRow[]> {
  const { rows } = await readCurrent(
    ctx,
    'token_volume_day',
    (f) =>
      `SELECT * FROM read_parquet(${f}) WHERE day BETWEEN $from AND $to ${q.token ? 'AND token = $token' : ''} ORDER BY day, transfers DESC, token LIMIT $limit`,
    { from: q.from, to: q.to, limit: q.limit ?? 1000, ...(q.token ? { token: q.token.toLowerCase() } : {}) },
  );
  return rows.map((r) => ({ day: String(r.day), token: String(r.token), transfers: num(r.transfers), amount: str(r.amount), senders: num(r.senders), receivers: num(r.receivers) }));
}

export type BlockSeriesRow = { number: number; hash: string; timestamp: number; txCount: number; gasUsed: string; gasLimit: string; baseFeePerGas: string | null; fees: string };
/** Per-block series of CURRENT for from ≤ number ≤ to. */
export async function readBlockSeries(ctx: LakeReadContext, q: { from: number; to: number; limit?: number }): Promise<BlockSeriesRow[]> {
  const { rows } = await readCurrent(ctx, 'block_series', (f) => `SELECT * FROM read_parquet(${f}) WHERE number BETWEEN $from AND $to ORDER BY number LIMIT $limit`, {
    from: q.from,
    to: q.to,
    limit: q.limit ?? 10_000,
  });
  return rows.map((r) => ({
    number: num(r.number),
    hash: String(r.hash),
    timestamp: num(r.timestamp),
    txCount: num(r.tx_count),
    gasUsed: str(r.gas_used),
    gasLimit: str(r.gas_limit),
    baseFeePerGas: r.base_fee_per_gas === null ? null : String(r.base_fee_per_gas),
    fees: str(r.fees),
  }));
}
