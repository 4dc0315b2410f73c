// Shared set-up of the batch integration tests: a temp lake, a chain's block topic on the real
// Kafka, and a DuckDB instance, created in beforeAll and removed in afterAll of the caller's scope.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import type { Common } from '../../core/common.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { type BatchView, viewFile } from '../../storage/lake/versions.js';
import { createDuck, type Duck, queryRows, sqlString } from '../../storage/lake/duck.js';
import { normaliseRows } from './reference.js';
import { testConfig, testLogger } from '../helpers.js';

/** Integer columns of the batch views (compared as numbers with the JS reference). */
export const NUMERIC_VIEW_COLUMNS = ['chain_id', 'bucket_start', 'blocks', 'first_block', 'last_block', 'txs', 'txs_contract_creation', 'txs_native_transfer', 'txs_contract_call', 'failed_txs', 'succeeded_txs', 'unknown_txs', 'token_transfers', 'active_addresses', 'contracts_created', 'rank', 'calls', 'callers', 'transfers', 'senders', 'receivers', 'number', 'timestamp', 'tx_count'];

export type BatchHarness = { lakeDir: string; common: Common; kafka: Kafka; duck: Duck; topic: string };

/** Fields are filled in beforeAll; read them inside tests and hooks only. */
export function useBatchHarness(opts: { chainId: number; finalityDepth: number; name: string }): BatchHarness {
  const h = {} as BatchHarness;
  beforeAll(async () => {
    h.lakeDir = await mkdtemp(join(tmpdir(), `chainlake-${opts.name}-`));
    const config = testConfig({ LAKE_DIR: h.lakeDir, FINALITY_DEPTH: String(opts.finalityDepth), COMPACT_ROLL_MS: '200', KAFKA_PARTITIONS: '3' });
    const logger = testLogger();
    h.common = { config, logger, metrics: createMetricsRegistry({ process: 'test' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
    h.kafka = createKafka(config, logger, opts.name);
    const admin = h.kafka.admin();
    await admin.connect();
    h.topic = (await ensureChainTopics(admin, config, opts.chainId)).blocks;
    await admin.disconnect();
    h.duck = await createDuck({ threads: 2, memoryLimit: '1GB' });
  });
  afterAll(async () => {
    h.duck?.close();
    if (h.lakeDir) await rm(h.lakeDir, { recursive: true, force: true });
  });
  return h;
}

/** A batch view of `version`, in a stable order, with integer columns as numbers (as the JS reference gives them). */
export async function readViewRows(h: BatchHarness, version: string, view: BatchView) {
  const conn = await h.duck.connect();
  try {
    const order = view === 'block_series' ? 'number' : view.startsWith('stats_') ? 'bucket_start' : view === 'token_volume_day' ? 'day, token' : 'day, rank';
    return normaliseRows(await queryRows(conn, `SELECT * FROM read_parquet(${sqlString(viewFile(lakePaths(h.lakeDir), version, view))}) ORDER BY ${order}`), NUMERIC_VIEW_COLUMNS);
  } finally {
    conn.closeSync();
  }
}
