// Recompute the batch views from the raw lake with DuckDB and publish them as a new version:
// lake/views/<version>/<view>.parquet + manifest.json, then an atomic CURRENT switch.
// Incremental mode recomputes only the days whose raw files or canonical blocks (≤ horizon)
// changed since the previous version, and copies every other day's rows from it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Common } from '../../core/common.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { type Duck, type LakePaths, lakePaths, queryRows, readCurrentVersion, sqlString, switchCurrentVersion } from '../../storage/lake.js';
import {
  BATCH_VIEWS,
  type BatchView,
  canonicalBlocksSql,
  lakeChainIds,
  listRawFiles,
  type RawFile,
  rawRelationSql,
  readVersionManifest,
  type VersionManifest,
  viewFile,
} from '../../storage/lake-views.js';

const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'sql');
const sqlFile = (name: string, vars: Record<string, string | number> = {}): string =>
  readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`batch/sql/${name}.sql: no value for {{${k}}}`);
    return String(vars[k]);
  });

/** SQL that computes each view's rows from the temp tables cb, ctx, ctt. */
export const VIEW_SQL: Record<BatchView, () => string> = {
  stats_minute: () => sqlFile('stats', { seconds: 60 }),
  stats_hour: () => sqlFile('stats', { seconds: 3600 }),
  stats_day: () => sqlFile('stats', { seconds: 86400 }),
  top_senders_day: () => sqlFile('top_senders_day', { top: 100 }),
  top_contracts_day: () => sqlFile('top_contracts_day', { top: 100 }),
  token_volume_day: () => sqlFile('token_volume_day'),
  block_series: () => sqlFile('block_series'),
};

// Only the columns the view SQL reads: Parquet is columnar, so hashes, args etc. are never read.
// (uint256 limbs are computed inside the aggregates: materialising them costs more memory than it saves.)
const TX_COLUMNS = ['chain_id', 'block_timestamp', 'from_address', 'to_address', 'value', 'tx_class', 'status', 'fee', 'gas_used', 'kafka_partition', 'kafka_offset'];
const TT_COLUMNS = ['chain_id', 'block_timestamp', 'token', 'from_address', 'to_address', 'amount', 'kafka_partition', 'kafka_offset'];

export type RecomputeOptions = { chainId?: number; full?: boolean };
export type RecomputeResult = {
  version: string;
  previous: string | null;
  chainId: number;
  horizon: number | null;
  mode: 'full' | 'incremental';
  recomputedDays: string[];
  rowsIn: number;
  rowsOut: number;
  rowCounts: Record<string, number>;
  ms: number;
};

export const newVersionName = (now = new Date()): string => `v${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(2).toString('hex')}`;

async function resolveChainId(paths: LakePaths, chainId?: number): Promise<number> {
  if (chainId !== undefined) return chainId;
  const ids = await lakeChainIds(paths);
  if (ids.length === 0) throw new NotFoundError(`the lake at ${paths.root} has no raw data yet; run \`chainlake compact\` first`);
  if (ids.length > 1) throw new ValidationError(`the lake holds chains ${ids.join(', ')}; pass --chain-id`);
  return ids[0]!;
}

const count = async (conn: DuckDBConnection, rel: string): Promise<number> => Number((await queryRows(conn, `SELECT count(*) AS n FROM ${rel}`))[0]?.n ?? 0);

/** Days whose file lists differ between two manifests' `days` maps. */
export function changedFileDays(prev: Record<string, string[]>, now: Record<string, string[]>): Set<string> {
  const out = new Set<string>();
  for (const day of new Set([...Object.keys(prev), ...Object.keys(now)])) {
    const a = prev[day] ?? [];
    const b = now[day] ?? [];
    if (a.length !== b.length || a.some((f, i) => f !== b[i])) out.add(day);
  }
  return out;
}

export async function recompute(common: Common, deps: { duck: Duck }, opts: RecomputeOptions = {}): Promise<RecomputeResult> {
  const t0 = performance.now();
  const { config, logger } = common;
  const paths = lakePaths(config.LAKE_DIR);
  const chainId = await resolveChainId(paths, opts.chainId);
  const log = logger.child({ component: 'recompute', chainId });
  const files = await listRawFiles(paths, chainId);
  const byTable = (t: RawFile['table'], days?: Set<string>) => files.filter((f) => f.table === t && (!days || days.has(f.day))).map((f) => f.path);
  const dayFiles: Record<string, string[]> = {};
  for (const f of files) (dayFiles[f.day] ??= []).push(f.rel);
  for (const list of Object.values(dayFiles)) list.sort();

  const conn = await deps.duck.connect();
  const version = newVersionName();
  const staging = join(paths.tmp, `views-${version}`);
  try {
    for (const stmt of sqlFile('macros').split(/;\s*\n/).filter((s) => s.trim().length > 0)) await conn.run(stmt);
    const allBlocks = rawRelationSql('blocks', byTable('blocks'));
    const allRetractions = rawRelationSql('retractions', byTable('retractions'));
    const maxBlock = (await queryRows(conn, `SELECT max(number) AS m FROM ${allBlocks}`))[0]?.m;
    const horizon = maxBlock === null || maxBlock === undefined ? null : Number(maxBlock) - config.FINALITY_DEPTH;
    // Canonical blocks at or below the horizon, over the whole lake (the canonical rule needs every record of a height).
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE cb_all AS SELECT *, utc_day(timestamp) AS day FROM ${canonicalBlocksSql(allBlocks, allRetractions)} WHERE number <= ${horizon ?? -1}`,
    );

    // Previous version, if usable for an incremental run.
    const previous = await readCurrentVersion(paths);
    let prev: VersionManifest | null = null;
    if (previous && !opts.full) {
      try {
        prev = await readVersionManifest(paths, previous);
        if (prev.chainId !== chainId) prev = null;
      } catch {
        prev = null;
      }
    }
    const allDays = (await queryRows(conn, 'SELECT DISTINCT day FROM cb_all ORDER BY day')).map((r) => String(r.day));
    let target: Set<string>;
    if (!prev) target = new Set(allDays);
    else {
      target = changedFileDays(prev.days, dayFiles);
      const prevSeries = sqlString(viewFile(paths, prev.version, 'block_series'));
      const diff = await queryRows(
        conn,
        `SELECT DISTINCT day FROM (
           (SELECT number, hash, day FROM cb_all EXCEPT SELECT number, hash, day FROM read_parquet(${prevSeries}))
           UNION ALL
           (SELECT number, hash, day FROM read_parquet(${prevSeries}) EXCEPT SELECT number, hash, day FROM cb_all))`,
      );
      for (const r of diff) target.add(String(r.day));
    }
    const mode: 'full' | 'incremental' = prev ? 'incremental' : 'full';
    const targetList = [...target].sort();
    const dayList = `(${targetList.length ? targetList.map(sqlString).join(', ') : "''"})`;

    await conn.run(`CREATE OR REPLACE TEMP TABLE cb AS SELECT * FROM cb_all WHERE day IN ${dayList}`);
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ctx AS SELECT ${TX_COLUMNS.map((c) => `t.${c}`).join(', ')}, utc_day(t.block_timestamp) AS day FROM ${rawRelationSql('transactions', byTable('transactions', target))} t
       SEMI JOIN cb ON t.kafka_partition = cb.kafka_partition AND t.kafka_offset = cb.kafka_offset`,
    );
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ctt AS SELECT ${TT_COLUMNS.map((c) => `t.${c}`).join(', ')}, utc_day(t.block_timestamp) AS day FROM ${rawRelationSql('token_transfers', byTable('token_transfers', target))} t
       SEMI JOIN cb ON t.kafka_partition = cb.kafka_partition AND t.kafka_offset = cb.kafka_offset`,
    );
    const rowsIn = (await count(conn, 'cb')) + (await count(conn, 'ctx')) + (await count(conn, 'ctt'));
    log.debug({ msg: 'Inputs loaded', rowsIn, days: targetList.length, ms: Math.round(performance.now() - t0) });

    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const rowCounts: Record<string, number> = {};
    for (const view of BATCH_VIEWS) {
      const fresh = `(${VIEW_SQL[view]()})`;
      const body = prev
        ? `SELECT * FROM read_parquet(${sqlString(viewFile(paths, prev.version, view))}) WHERE day NOT IN ${dayList} UNION ALL BY NAME SELECT * FROM ${fresh}`
        : `SELECT * FROM ${fresh}`;
      const order = view === 'block_series' ? 'chain_id, number' : view.startsWith('stats_') ? 'chain_id, bucket_start' : view === 'token_volume_day' ? 'chain_id, day, token' : 'chain_id, day, rank';
      const tv = performance.now();
      await conn.run(`COPY (SELECT * FROM (${body}) ORDER BY ${order}) TO ${sqlString(join(staging, `${view}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`);
      log.debug({ msg: 'View written', view, ms: Math.round(performance.now() - tv) });
      rowCounts[view] = await count(conn, `read_parquet(${sqlString(join(staging, `${view}.parquet`))})`);
    }
    const manifest: VersionManifest = {
      version,
      chainId,
      horizon,
      createdAt: new Date().toISOString(),
      mode,
      previous: prev?.version ?? null,
      rowCounts,
      days: dayFiles,
      recomputedDays: targetList,
    };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(paths.views, { recursive: true });
    await rename(staging, paths.viewVersion(version));
    await switchCurrentVersion(paths, version);
    await pruneVersions(paths, config.VIEWS_KEEP_VERSIONS, version);
    const rowsOut = Object.values(rowCounts).reduce((a, b) => a + b, 0);
    const ms = Math.round(performance.now() - t0);
    log.info({ msg: 'Recomputed batch views', version, mode, horizon, days: targetList.length, rowsIn, rowsOut, ms });
    return { version, previous: previous ?? null, chainId, horizon, mode, recomputedDays: targetList, rowsIn, rowsOut, rowCounts, ms };
  } catch (e) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw e;
  } finally {
    conn.closeSync();
  }
}

/** Keep the newest `keep` versions (by name, which sorts by creation time) and always the current one. */
export async function pruneVersions(paths: LakePaths, keep: number, current: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(paths.views, { withFileTypes: true })).filter((d) => d.isDirectory() && /^v\d/.test(d.name)).map((d) => d.name);
  } catch {
    return [];
  }
  names.sort();
  const drop = names.slice(0, Math.max(0, names.length - keep)).filter((n) => n !== current);
  for (const n of drop) await rm(paths.viewVersion(n), { recursive: true, force: true });
  return drop;
}
