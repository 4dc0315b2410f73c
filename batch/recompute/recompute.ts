// Recompute the batch views from the raw lake with DuckDB and publish them as a new version:
// lake/views/<version>/<view>.parquet + manifest.json, then an atomic CURRENT switch.
// Incremental mode recomputes only the days whose raw files or canonical blocks (≤ horizon)
// changed since the previous version, and copies every other day's rows from it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Common } from '../../core/common.js';
import { nodeFinalityWanted } from '../../core/config.js';
import { repoPath } from '../../core/paths.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { type LakePaths, lakePaths } from '../../storage/lake/paths.js';
import { lakeChainIds, listRawFiles, type RawFile } from '../../storage/lake/files.js';
import { canonicalBlocksSql, rawRelationSql } from '../../storage/lake/canonical.js';
import { readCurrentVersion, switchCurrentVersion, BATCH_VIEWS, type BatchView, readVersionManifest, type VersionManifest, viewFile } from '../../storage/lake/versions.js';
import { type Duck, queryRows, sqlString } from '../../storage/lake/duck.js';
import { readLakeFinality } from '../../storage/lake/finality.js';

// From the repository root, so the compiled code under dist/ reads the same files.
const SQL_DIR = repoPath('batch', 'sql');
const sqlFile = (name: string, vars: Record<string, string | number> = {}): string =>
  readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`batch/sql/${name}.sql: no value for {{${k}}}`);
    return String(vars[k]);
  });

/** SQL that computes each view's rows from the temp tables built by inputs.sql. */
export const VIEW_SQL: Record<BatchView, (chainId: number) => string> = {
  stats_minute: () => sqlFile('stats', { seconds: 60 }),
  stats_hour: () => sqlFile('stats', { seconds: 3600 }),
  stats_day: () => sqlFile('stats', { seconds: 86400 }),
  top_senders_day: (chainId) => sqlFile('top_senders_day', { chain_id: chainId }),
  top_contracts_day: (chainId) => sqlFile('top_contracts_day', { chain_id: chainId }),
  token_volume_day: () => sqlFile('token_volume_day'),
  block_series: () => sqlFile('block_series'),
};

const VIEW_ORDER: Record<BatchView, string> = {
  stats_minute: 'chain_id, bucket_start',
  stats_hour: 'chain_id, bucket_start',
  stats_day: 'chain_id, bucket_start',
  top_senders_day: 'chain_id, day, rank',
  top_contracts_day: 'chain_id, day, rank',
  token_volume_day: 'chain_id, day, token',
  block_series: 'chain_id, number',
};

/**
 * A digest of every batch SQL file: an incremental run copies the previous version's rows for
 * untouched days, so it may only build on a version computed by the same SQL (same views, same
 * columns). A version written by other SQL, or before the digest existed, means a full run.
 */
export function viewsSqlDigest(files: [name: string, text: string][], order: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify([[...files].sort((a, b) => (a[0] < b[0] ? -1 : 1)), order])).digest('hex').slice(0, 16);
}
export const VIEWS_SQL_DIGEST = viewsSqlDigest(
  readdirSync(SQL_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => [f, readFileSync(join(SQL_DIR, f), 'utf8')]),
  VIEW_ORDER,
);

/** Whether an incremental run may build on `prev`: the same chain and the same view SQL. */
export const canBuildOn = (prev: Pick<VersionManifest, 'chainId' | 'sqlDigest'>, chainId: number, digest = VIEWS_SQL_DIGEST): boolean =>
  prev.chainId === chainId && prev.sqlDigest === digest;

const TOP = 100;
/** The temp tables inputs.sql builds (day_* ones hold one chunk's rows), dropped when a run ends. */
const INPUT_TABLES = [...readFileSync(join(SQL_DIR, 'inputs.sql'), 'utf8').matchAll(/CREATE OR REPLACE TEMP TABLE (\w+) AS/g)].map((m) => m[1]!);
/**
 * Transactions Parquet bytes per chunk of target days that inputs.sql computes at once: about
 * 1 M transactions (3 days of the bench lake), whose ~2 M (hour, address) groups fit in a 2 GB
 * DuckDB with room to spare. On the bench lake 1–5 days per chunk cost the same CPU; 10 days cost
 * 13% more, the whole lake at once 40% more (it spills).
 */
const CHUNK_TX_BYTES = 64 * 1024 * 1024;

/** Consecutive days grouped into chunks of at most `budget` bytes (a bigger day is a chunk of its own); at least one chunk. */
export function dayChunks(days: string[], bytesOf: (day: string) => number, budget: number): string[][] {
  const chunks: string[][] = [];
  let bytes = 0;
  for (const day of days) {
    const b = bytesOf(day);
    const last = chunks.at(-1);
    if (last && bytes + b <= budget) {
      last.push(day);
      bytes += b;
    } else {
      chunks.push([day]);
      bytes = b;
    }
  }
  return chunks.length ? chunks : [[]];
}

/** The steps a recompute reports through `onStep`, in order (view steps are named after the view). */
export type RecomputeStep = 'canonical blocks' | 'block sums' | 'active addresses' | 'top lists' | 'token volume' | BatchView | 'switch';
export type RecomputeOptions = {
  chainId?: number;
  full?: boolean;
  /** Called when a step finished, with its duration and the time since the start. */
  onStep?: (step: { name: RecomputeStep; ms: number; elapsedMs: number }) => void;
  /** Called when a step starts (for a live progress display). */
  onStepStart?: (name: RecomputeStep) => void;
  /** Transactions Parquet bytes per chunk of days computed at once (default CHUNK_TX_BYTES). */
  chunkTxBytes?: number;
};
export type RecomputeResult = {
  version: string;
  previous: string | null;
  chainId: number;
  horizon: number | null;
  /** The node's finalized block the horizon followed (null: FINALITY_DEPTH placed it). */
  finalized: number | null;
  mode: 'full' | 'incremental';
  recomputedDays: string[];
  rowsIn: number;
  rowsOut: number;
  rowCounts: Record<string, number>;
  /** Duration of each step in ms, in order. */
  steps: { name: RecomputeStep; ms: number }[];
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
/** A SQL list of days (`()` for none). */
const sqlList = (days: Iterable<string>): string => `(${[...days].map(sqlString).join(', ')})`;

/** A SQL list of days; `('')` for none, so `day IN …` stays valid. */
const dayListSql = (days: string[]): string => `(${days.length ? days.map(sqlString).join(', ') : "''"})`;

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

const DAY_MS = 86_400_000;
const shiftDay = (day: string, by: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + by * DAY_MS).toISOString().slice(0, 10);
/** `days` widened by `by` days on each side. */
export function widenDays(days: Iterable<string>, by: number): Set<string> {
  const out = new Set<string>();
  for (const d of days) for (let i = -by; i <= by; i++) out.add(shiftDay(d, i));
  return out;
}

/**
 * Which days an incremental run must evaluate the canonical rule for (`trusted`), and which
 * days' block files that needs (`scope`). Assumption (docs/batch.md): all records of one height
 * lie in files of days at most one day apart (a replacement block's timestamp is within a day
 * of the block it replaces), and block heights above the previous horizon lie on or after the
 * last day of the previous block series. So a day outside `trusted` has the same canonical
 * blocks as in the previous version, and every height of a trusted day has all its records in
 * `scope` = trusted ± 1 day.
 */
export function incrementalScope(changed: Set<string>, lastPrevSeriesDay: string | null, lakeDays: string[]): { trusted: Set<string>; scope: Set<string> } {
  const seeds = new Set(changed);
  for (const d of lakeDays) if (lastPrevSeriesDay === null || d >= lastPrevSeriesDay) seeds.add(d);
  const trusted = widenDays(seeds, 1);
  return { trusted, scope: widenDays(trusted, 1) };
}

type Log = Common['logger'];

/** Step timing: `begin` marks a step's start, `done` records it (duration since begin, or `took`). */
function createStepClock(t0: number, log: Log, opts: RecomputeOptions) {
  const steps: { name: RecomputeStep; ms: number }[] = [];
  let stepStart = performance.now();
  return {
    steps,
    begin(name: RecomputeStep) {
      stepStart = performance.now();
      opts.onStepStart?.(name);
    },
    done(name: RecomputeStep, extra: Record<string, unknown> = {}, took?: number) {
      const now = performance.now();
      const ms = Math.round(took ?? now - stepStart);
      steps.push({ name, ms });
      log.debug({ msg: 'Recompute step', step: name, ms, ...extra });
      opts.onStep?.({ name, ms, elapsedMs: Math.round(now - t0) });
    },
  };
}
type StepClock = ReturnType<typeof createStepClock>;

/** The complete raw files of a chain, and per UTC day the sorted relative paths (the manifest's `days`). */
async function listLake(paths: LakePaths, chainId: number) {
  const files = await listRawFiles(paths, chainId);
  const dayFiles: Record<string, string[]> = {};
  for (const f of files) (dayFiles[f.day] ??= []).push(f.rel);
  for (const list of Object.values(dayFiles)) list.sort();
  /** Paths of a table's files, optionally only of some days. */
  const byTable = (t: RawFile['table'], days?: Set<string>) => files.filter((f) => f.table === t && (!days || days.has(f.day))).map((f) => f.path);
  return { files, dayFiles, byTable };
}
type Lake = Awaited<ReturnType<typeof listLake>>;

async function prepareConnection(conn: DuckDBConnection): Promise<void> {
  for (const stmt of sqlFile('macros').split(/;\s*\n/).filter((s) => s.trim().length > 0)) await conn.run(stmt);
  // Reading Parquet footers once per file, not once per pass.
  await conn.run('SET enable_object_cache = true');
  await conn.run('SET preserve_insertion_order = false');
}

/** The manifest of the previous version, if an incremental run can build on it (same chain, readable). */
async function usablePrevious(paths: LakePaths, previous: string, chainId: number): Promise<VersionManifest | null> {
  try {
    const prev = await readVersionManifest(paths, previous);
    return canBuildOn(prev, chainId) ? prev : null;
  } catch {
    return null;
  }
}

/** What one run works on: its connection, the lake's files, and the previous version it builds on (null: a full run). */
type Run = { conn: DuckDBConnection; paths: LakePaths; chainId: number; lake: Lake; prev: VersionManifest | null; prevSeries: string | null };
/** An incremental run's days: changed files, days to evaluate the canonical rule for, days whose block files that needs. */
type IncrementalPlan = { changed: Set<string>; trusted: Set<string>; scope: Set<string> } | null;

async function planIncremental(run: Run): Promise<IncrementalPlan> {
  if (!run.prev || !run.prevSeries) return null;
  const changed = changedFileDays(run.prev.days, run.lake.dayFiles);
  const last = (await queryRows(run.conn, `SELECT max(day) AS d FROM ${run.prevSeries}`))[0]?.d;
  return { changed, ...incrementalScope(changed, last === null || last === undefined ? null : String(last), Object.keys(run.lake.dayFiles)) };
}

/**
 * Per Kafka partition, the newest block height in the lake's block files. horizon = the min of
 * these − FINALITY_DEPTH, or capped at the node's finalized block (chooseHorizon). Each partition's files hold a prefix of its offsets, but partitions are
 * compacted side by side and one can lag another by a few blocks (a roll cut between two
 * partitions' fetches, a range still hidden while its files are renamed): the lake-wide max
 * would then claim heights the lagging partition has not delivered yet (or whose retraction
 * it has not). A partition's prefix that holds height h holds everything that partition was
 * sent before h, so the lake is complete below every partition's newest block.
 * An incremental run takes the per-partition max over the scope's blocks (raw_blocks): heights
 * above the previous horizon lie on or after the last day of the previous series, which is in
 * scope (incrementalScope), so a scope max above the previous horizon is that partition's max.
 * Otherwise (a partition missing from the scope, or not past the previous horizon there) it
 * reads every block file.
 */
async function partitionMaxima(run: Run, plan: IncrementalPlan): Promise<Record<string, number>> {
  const partitionMaxOf = async (rel: string): Promise<Record<string, number>> => {
    const rows = await queryRows(run.conn, `SELECT kafka_partition AS p, max(number) AS m FROM ${rel} GROUP BY 1`);
    return Object.fromEntries(rows.map((r) => [String(r.p), Number(r.m)]));
  };
  const prev = run.prev;
  if (plan && prev?.horizon != null && prev.partitionMax) {
    const inScope = await partitionMaxOf('raw_blocks');
    const prevHorizon = prev.horizon;
    const known = new Set([...Object.keys(prev.partitionMax), ...Object.keys(inScope)]);
    if ([...known].every((p) => (inScope[p] ?? -1) > prevHorizon)) return inScope;
  }
  return partitionMaxOf(plan ? rawRelationSql('blocks', run.lake.byTable('blocks')) : 'raw_blocks');
}

/**
 * The horizon from the lake's per-partition maxima: the lake is complete up to the least advanced
 * partition's newest block. With the node's finalized block (carried by the records, see
 * storage/lake/finality.ts) the horizon is the lower of the two: no block the lake lacks, none
 * the node has not finalized. Without it, FINALITY_DEPTH blocks behind the complete lake.
 */
export function chooseHorizon(o: { partitionMax: number[]; finalized: number | null; finalityDepth: number }): { horizon: number | null; finality: 'node' | 'depth' } {
  if (o.partitionMax.length === 0) return { horizon: null, finality: o.finalized === null ? 'depth' : 'node' };
  const complete = Math.min(...o.partitionMax);
  const horizon = o.finalized === null ? complete - o.finalityDepth : Math.min(complete, o.finalized);
  // Fewer blocks than FINALITY_DEPTH: no block is final yet, which is no horizon (not block −1).
  return { horizon: horizon < 0 ? null : horizon, finality: o.finalized === null ? 'depth' : 'node' };
}

/**
 * Canonical blocks ≤ the horizon into cb_all (of the trusted days only, in an incremental run).
 * The rule needs every record of a height: a full run reads all block files, an incremental run
 * those of `scope` (see incrementalScope). Blocks are small: they are read once into a temp table.
 */
async function canonicalCandidates(run: Run, plan: IncrementalPlan, finality: { finalized: number | null; finalityDepth: number }): Promise<{ horizon: number | null; partitionMax: Record<string, number> }> {
  const { conn, lake } = run;
  await conn.run(`CREATE OR REPLACE TEMP TABLE raw_blocks AS SELECT * FROM ${rawRelationSql('blocks', lake.byTable('blocks', plan?.scope))}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE raw_retractions AS SELECT number, kafka_partition, kafka_offset FROM ${rawRelationSql('retractions', lake.byTable('retractions', plan?.scope))}`);
  const partitionMax = await partitionMaxima(run, plan);
  const { horizon } = chooseHorizon({ partitionMax: Object.values(partitionMax), ...finality });
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE cb_all AS SELECT * FROM (
       SELECT chain_id, number, hash, timestamp, miner, tx_count, gas_used, gas_limit, base_fee_per_gas, kafka_partition, kafka_offset, utc_day(timestamp) AS day
       FROM ${canonicalBlocksSql('raw_blocks', 'raw_retractions')} WHERE number <= ${horizon ?? -1})
     ${plan ? `WHERE day IN ${sqlList(plan.trusted)}` : ''}`,
  );
  await conn.run('DROP TABLE raw_blocks');
  await conn.run('DROP TABLE raw_retractions');
  return { horizon, partitionMax };
}

/** The days to recompute, sorted: every day of cb_all in a full run; changed days in an incremental one. */
async function targetDays(run: Run, plan: IncrementalPlan): Promise<string[]> {
  const { conn, prevSeries } = run;
  if (!plan || !prevSeries) return [...new Set((await queryRows(conn, 'SELECT DISTINCT day FROM cb_all')).map((r) => String(r.day)))].sort();
  // Days whose canonical blocks (≤ horizon) differ from the previous version's: the horizon
  // advanced, or a reorg changed them. Only trusted days can differ (see incrementalScope).
  const target = new Set(plan.changed);
  const trustedList = sqlList(plan.trusted);
  const diff = await queryRows(
    conn,
    `SELECT DISTINCT day FROM (
       (SELECT number, hash, day FROM cb_all EXCEPT SELECT number, hash, day FROM ${prevSeries} WHERE day IN ${trustedList})
       UNION ALL
       (SELECT number, hash, day FROM ${prevSeries} WHERE day IN ${trustedList} EXCEPT SELECT number, hash, day FROM cb_all))`,
  );
  for (const r of diff) target.add(String(r.day));
  return [...target].sort();
}

const INPUT_STEP: Record<string, RecomputeStep> = { day_cb: 'block sums', day_addr_hour: 'active addresses', top_senders: 'top lists', token_day: 'token volume' };

/**
 * inputs.sql over the target days' children, once per chunk of consecutive days (see dayChunks):
 * a block's transactions and transfers are in its day's files, every table inputs.sql builds
 * groups within a day, so chunks give the same rows, and a chunk's groups fit in memory where
 * the whole lake's (15 M (hour, address) groups) spill to disk. Returns the input rows (txs + transfers).
 */
async function computeInputs(run: Run, targetList: string[], clock: StepClock, opts: RecomputeOptions, log: Log): Promise<number> {
  const { conn, lake } = run;
  const target = new Set(targetList);
  const dayBytes = new Map<string, number>();
  const targetTxFiles = lake.files.filter((f) => f.table === 'transactions' && target.has(f.day));
  const sizes = await Promise.all(targetTxFiles.map(async (f) => (await stat(f.path)).size));
  targetTxFiles.forEach((f, i) => dayBytes.set(f.day, (dayBytes.get(f.day) ?? 0) + sizes[i]!));
  const chunks = dayChunks(targetList, (day) => dayBytes.get(day) ?? 0, opts.chunkTxBytes ?? CHUNK_TX_BYTES);
  const stepMs = new Map<RecomputeStep, number>();
  const statementTimes = new Map<string, { ms: number; cpuMs: number }>();
  for (const [i, chunk] of chunks.entries()) {
    const days = new Set(chunk);
    const inputs = sqlFile('inputs', {
      days: dayListSql(chunk),
      txs: rawRelationSql('transactions', lake.byTable('transactions', days)),
      tts: rawRelationSql('token_transfers', lake.byTable('token_transfers', days)),
      top: TOP,
    });
    let current: RecomputeStep | null = null;
    for (const written of inputs.split(/;\s*\n/).filter((x) => x.replace(/--.*$/gm, '').trim().length > 0)) {
      const table = /CREATE OR REPLACE TEMP TABLE (\w+) AS/.exec(written)?.[1] ?? '';
      // day_* tables are rebuilt per chunk; the others collect every chunk's rows.
      const stmt = i > 0 && !table.startsWith('day_') ? written.replace(/CREATE OR REPLACE TEMP TABLE (\w+) AS/, 'INSERT INTO $1 BY NAME') : written;
      const next = INPUT_STEP[table] ?? null;
      if (next) {
        current = next;
        if (!stepMs.has(next)) opts.onStepStart?.(next);
      }
      const ts = performance.now();
      const cpu = process.cpuUsage();
      await conn.run(stmt);
      const used = process.cpuUsage(cpu);
      const ms = performance.now() - ts;
      if (current) stepMs.set(current, (stepMs.get(current) ?? 0) + ms);
      const t = statementTimes.get(table) ?? { ms: 0, cpuMs: 0 };
      statementTimes.set(table, { ms: t.ms + ms, cpuMs: t.cpuMs + (used.user + used.system) / 1000 });
    }
  }
  for (const t of INPUT_TABLES) if (t.startsWith('day_')) await conn.run(`DROP TABLE IF EXISTS ${t}`);
  for (const [table, t] of statementTimes) log.debug({ msg: 'Recompute statement', table, chunks: chunks.length, ms: Math.round(t.ms), cpuMs: Math.round(t.cpuMs) });
  // The chunks interleave the steps: each is reported once, with its time summed over the chunks.
  for (const name of ['block sums', 'active addresses', 'top lists', 'token volume'] as const) clock.done(name, { chunks: chunks.length }, stepMs.get(name) ?? 0);
  return Number((await queryRows(conn, 'SELECT sum(txs) + sum(token_transfers) AS n FROM blk'))[0]?.n ?? 0);
}

/** Every batch view into staging/<view>.parquet: the target days fresh, the other days copied from the previous version. Returns rows per view. */
async function writeViews(run: Run, staging: string, dayList: string, clock: StepClock): Promise<Record<string, number>> {
  const { conn, paths, prev, chainId } = run;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const rowCounts: Record<string, number> = {};
  for (const view of BATCH_VIEWS) {
    clock.begin(view);
    const fresh = `(${VIEW_SQL[view](chainId)})`;
    const body = prev
      ? `SELECT * FROM read_parquet(${sqlString(viewFile(paths, prev.version, view))}) WHERE day NOT IN ${dayList} UNION ALL BY NAME SELECT * FROM ${fresh}`
      : `SELECT * FROM ${fresh}`;
    const file = join(staging, `${view}.parquet`);
    // COPY reports the rows it wrote: no second read of the file.
    const copied = await conn.run(`COPY (SELECT * FROM (${body}) ORDER BY ${VIEW_ORDER[view]}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    rowCounts[view] = Number(copied.rowsChanged);
    clock.done(view, { rows: rowCounts[view] });
  }
  return rowCounts;
}

/** Manifest into staging, staging renamed into views/, CURRENT switched, old versions pruned. */
async function publishVersion(paths: LakePaths, staging: string, manifest: VersionManifest, keep: number): Promise<void> {
  await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(paths.views, { recursive: true });
  await rename(staging, paths.viewVersion(manifest.version));
  await switchCurrentVersion(paths, manifest.version);
  await pruneVersions(paths, keep, manifest.version);
}

export async function recompute(common: Common, deps: { duck: Duck }, opts: RecomputeOptions = {}): Promise<RecomputeResult> {
  const t0 = performance.now();
  const { config, logger } = common;
  const paths = lakePaths(config.LAKE_DIR);
  const chainId = await resolveChainId(paths, opts.chainId);
  const log = logger.child({ component: 'recompute', chainId });
  const clock = createStepClock(t0, log, opts);

  clock.begin('canonical blocks');
  const lake = await listLake(paths, chainId);
  const conn = await deps.duck.connect();
  const version = newVersionName();
  const staging = join(paths.tmp, `views-${version}`);
  try {
    await prepareConnection(conn);
    const previous = await readCurrentVersion(paths);
    const prev = previous && !opts.full ? await usablePrevious(paths, previous, chainId) : null;
    const prevSeries = prev ? `read_parquet(${sqlString(viewFile(paths, prev.version, 'block_series'))})` : null;
    const run: Run = { conn, paths, chainId, lake, prev, prevSeries };
    const plan = await planIncremental(run);
    const finalized = nodeFinalityWanted(config, chainId) ? await readLakeFinality(paths, chainId) : null;
    const { horizon, partitionMax } = await canonicalCandidates(run, plan, { finalized, finalityDepth: config.FINALITY_DEPTH });
    const targetList = await targetDays(run, plan);
    const mode: 'full' | 'incremental' = prev ? 'incremental' : 'full';
    const dayList = dayListSql(targetList);
    await conn.run(`CREATE OR REPLACE TEMP TABLE cb AS SELECT * FROM cb_all WHERE day IN ${dayList}`);
    await conn.run('DROP TABLE cb_all');
    const blocksIn = await count(conn, 'cb');
    clock.done('canonical blocks', { blocks: blocksIn, days: targetList.length, mode });

    const rowsIn = blocksIn + (await computeInputs(run, targetList, clock, opts, log));
    const rowCounts = await writeViews(run, staging, dayList, clock);

    clock.begin('switch');
    const manifest: VersionManifest = {
      version,
      chainId,
      horizon,
      partitionMax,
      finalized,
      createdAt: new Date().toISOString(),
      mode,
      previous: prev?.version ?? null,
      rowCounts,
      sqlDigest: VIEWS_SQL_DIGEST,
      days: lake.dayFiles,
      recomputedDays: targetList,
    };
    await publishVersion(paths, staging, manifest, config.VIEWS_KEEP_VERSIONS);
    clock.done('switch');
    const rowsOut = Object.values(rowCounts).reduce((a, b) => a + b, 0);
    const ms = Math.round(performance.now() - t0);
    log.info({ msg: 'Recomputed batch views', version, mode, horizon, finalized, days: targetList.length, rowsIn, rowsOut, ms });
    return { version, previous: previous ?? null, chainId, horizon, finalized, mode, recomputedDays: targetList, rowsIn, rowsOut, rowCounts, steps: clock.steps, ms };
  } catch (e) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw e;
  } finally {
    for (const t of ['cb', 'cb_all', 'raw_blocks', 'raw_retractions', ...INPUT_TABLES])
      await conn.run(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
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
