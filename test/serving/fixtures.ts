// Seeds a real Cassandra keyspace (speed views, ingest checkpoint) and a real Parquet lake
// (raw files + a recomputed batch version) through the project's own storage/batch modules,
// for the serving tests and bench. No vitest imports here (bench/serving uses it too).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRollBuffer, recordToRows } from '../../batch/compact/rows.js';
import { writeRoll } from '../../batch/compact/writer.js';
import { recompute } from '../../batch/recompute/recompute.js';
import { type BlockRecord, type ChainRecord, encodeRecord } from '../../core/chain.js';
import type { Common } from '../../core/common.js';
import type { Config } from '../../core/config.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { blockRows, writeTimestamp } from '../../speed/views/rows.js';
import type { CassandraClient } from '../../storage/cassandra.js';
import { createIngestStateStore } from '../../storage/ingest-state.js';
import { createDuck } from '../../storage/lake/duck.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { createViewsWriter } from '../../storage/views/writer.js';
import { createLogger } from '../../core/logger.js';

export const CHAIN = 31337;

export function makeCommon(config: Config): Common {
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: false });
  return { config, logger, metrics: createMetricsRegistry({ process: 'serving-test' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
}

export const tempLakeDir = () => mkdtemp(join(tmpdir(), 'chainlake-serving-lake-'));

/** Write records into the lake as one roll (partition 0, offsets in order), then recompute a full batch version. */
export async function seedLake(common: Common, records: ChainRecord[]): Promise<{ horizon: number | null; version: string }> {
  const paths = lakePaths(common.config.LAKE_DIR);
  const duck = await createDuck({ threads: 2, memoryLimit: '1GB' });
  try {
    const buffer = createRollBuffer();
    records.forEach((r, offset) => buffer.add(0, offset, recordToRows(r, 0, offset), encodeRecord(r).length));
    const conn = await duck.connect();
    try {
      await writeRoll(conn, paths, CHAIN, buffer);
    } finally {
      conn.closeSync();
    }
    const result = await recompute(common, { duck }, { chainId: CHAIN, full: true });
    return { horizon: result.horizon, version: result.version };
  } finally {
    duck.close();
  }
}

/** Write canonical blocks into the speed views exactly as the views consumer does, plus checkpoints. */
export async function seedSpeed(client: CassandraClient, config: Config, blocks: BlockRecord[]): Promise<void> {
  const writer = createViewsWriter(client, { ttlSeconds: config.VIEWS_TTL_SECONDS });
  let offset = 1000;
  for (const b of blocks) {
    const ts = writeTimestamp(String(offset++));
    await Promise.all(blockRows(b).map((row) => writer.insert(row, ts)));
  }
  const last = blocks[blocks.length - 1]!;
  await writer.writeCheckpoint(
    { chainId: CHAIN, group: 'test', topic: 'test', partition: 0, nextOffset: String(offset), lastBlockNumber: last.block.number, lastBlockHash: last.block.hash, lastBlockTime: last.block.timestamp * 1000 },
    writeTimestamp(String(offset)),
    Date.now(),
  );
  const refs = blocks.slice(-5).map((b) => ({ number: b.block.number, hash: b.block.hash, parentHash: b.block.parentHash, timestamp: b.block.timestamp }));
  await createIngestStateStore(client).commit(CHAIN, refs, 128);
}

export type Totals = { blocks: number; txs: number; byClass: Record<string, number>; failed: number; unknown: number; gasUsed: string; fees: string; nativeValue: string; tokenTransfers: number };

/** Ground truth: stats of canonical blocks aggregated directly from the records. */
export function truthBuckets(blocks: BlockRecord[], from: number, to: number, step: number): (Totals & { bucket: number })[] {
  const out: (Totals & { bucket: number; g: bigint; f: bigint; v: bigint })[] = [];
  for (let b = from - (from % step); b < to; b += step)
    out.push({ bucket: b, blocks: 0, txs: 0, byClass: { contract_creation: 0, native_transfer: 0, contract_call: 0 }, failed: 0, unknown: 0, gasUsed: '0', fees: '0', nativeValue: '0', tokenTransfers: 0, g: 0n, f: 0n, v: 0n });
  for (const r of blocks) {
    const t = out.find((x) => r.block.timestamp >= x.bucket && r.block.timestamp < x.bucket + step);
    if (!t) continue;
    t.blocks += 1;
    t.txs += r.transactions.length;
    for (const tx of r.transactions) {
      t.byClass[tx.txClass] = (t.byClass[tx.txClass] ?? 0) + 1;
      if (tx.status === null) t.unknown += 1;
      if (tx.status === 0) t.failed += 1;
      else t.v += BigInt(tx.value);
      t.f += BigInt(tx.fee);
    }
    t.g += BigInt(r.block.gasUsed);
    t.tokenTransfers += r.tokenTransfers.length;
  }
  return out.map(({ g, f, v, ...t }) => ({ ...t, gasUsed: g.toString(), fees: f.toString(), nativeValue: v.toString() }));
}

export const api = (base: string) => ({
  get: (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers }),
  post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
});
