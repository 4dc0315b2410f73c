// Typed readers of the CURRENT batch version, for serving and the reconciler. Amounts come back
// as decimal strings.
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlString } from './duck.js';
import type { LakePaths } from './paths.js';
import { type BatchView, readCurrentVersion, viewFile } from './versions.js';

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
  failed: number;
  /** Status 1; with failed and unknown, every tx. 0 in views written before the column. */
  succeeded: number;
  /** Receipt without status (pre-Byzantium). 0 in views written before the column. */
  unknown: number;
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
    failed: num(r.failed_txs),
    // Versions computed before these columns existed: every tx was then either failed or succeeded.
    succeeded: r.succeeded_txs === undefined ? num(r.txs) - num(r.failed_txs) : num(r.succeeded_txs),
    unknown: r.unknown_txs === undefined ? 0 : num(r.unknown_txs),
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

export type LakeBlockRow = { number: number; hash: string; timestamp: number; txCount: number; gasUsed: string; gasLimit: string; baseFeePerGas: string | null; fees: string };
/** Per-block series of CURRENT for from ≤ number ≤ to. */
export async function readBlockSeries(ctx: LakeReadContext, q: { from: number; to: number; limit?: number }): Promise<LakeBlockRow[]> {
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
