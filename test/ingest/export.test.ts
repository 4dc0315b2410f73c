// `chainlake export` (RPC → files, same decode code) equals the Kafka path's rows for the
// same range, for NDJSON and for Parquet read back with DuckDB; Parquet keeps exact types.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCommon } from '../../core/runtime.js';
import { createKafka } from '../../storage/kafka.js';
import { createDuck, queryRows } from '../../storage/lake/duck.js';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { EXPORT_COLUMNS, EXPORT_TABLES, type ExportRow, type ExportTable, recordRows } from '../../speed/ingest/rows.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { covers, readTopic, rebuildChain } from './support.js';

let anvil: TestAnvil;
let out: string;
const FROM = 3;
const TO = 22;
beforeAll(async () => {
  anvil = await startAnvil();
  await prefillChain({ rpcUrl: anvil.url, blocks: 25, txsPerBlock: 12, logger: testLogger() });
  out = mkdtempSync(join(tmpdir(), 'chainlake-export-'));
});
afterAll(async () => {
  await anvil?.stop();
  rmSync(out, { recursive: true, force: true });
});

/** Rows as comparable strings (DuckDB returns BIGINT/DECIMAL as strings, NDJSON as numbers). */
const norm = (table: ExportTable, rows: ExportRow[] | Record<string, unknown>[]) =>
  rows
    .map((r) => JSON.stringify(EXPORT_COLUMNS[table].map((c) => (r[c.name] === null || r[c.name] === undefined ? null : String(r[c.name])))))
    .sort();

test('export to NDJSON and Parquet equals the Kafka path rows for the same range', async () => {
  // Kafka path: backfill the range through the topic, read it back.
  const config = testConfig({ ETH_RPC_URLS: anvil.url, RPC_DEFAULT_RPS: '2000' });
  const common = createCommon('export-test', { config, installSignalHandlers: false });
  const ingest = await createIngest(common, { mode: { kind: 'backfill', from: FROM, to: TO } });
  await ingest.run();
  await common.shutdown.run('done');
  const entries = await readTopic(createKafka(config, testLogger(), 'test'), ingest.topics.blocks, covers(FROM, TO));
  const kafkaRows: Record<ExportTable, ExportRow[]> = { blocks: [], transactions: [], token_transfers: [] };
  for (const record of rebuildChain(entries).values()) {
    const rows = recordRows(record);
    for (const t of EXPORT_TABLES) kafkaRows[t].push(...rows[t]);
  }
  expect(kafkaRows.blocks).toHaveLength(TO - FROM + 1);
  expect(kafkaRows.transactions.length).toBe(12 * (TO - FROM + 1));
  expect(kafkaRows.token_transfers.length).toBeGreaterThan(0);

  // The CLI, as a user runs it.
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'export', ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
  const nd = cli(['--rpc', anvil.url, '--from', String(FROM), '--to', String(TO), '--format', 'ndjson', '--out', join(out, 'nd')]);
  expect(nd.status, nd.stderr).toBe(0);
  const pq = cli(['--rpc', anvil.url, '--from', String(FROM), '--to', String(TO), '--format', 'parquet', '--out', join(out, 'pq')]);
  expect(pq.status, pq.stderr).toBe(0);
  expect(JSON.parse(pq.stdout).txs).toBe(kafkaRows.transactions.length);

  const duck = await createDuck();
  const conn = await duck.connect();
  try {
    for (const t of EXPORT_TABLES) {
      const ndRows = readFileSync(join(out, 'nd', `${t}.ndjson`), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(norm(t, ndRows), `${t}.ndjson`).toEqual(norm(t, kafkaRows[t]));
      const pqRows = await queryRows(conn, `SELECT * FROM '${join(out, 'pq', `${t}.parquet`)}'`);
      expect(norm(t, pqRows), `${t}.parquet`).toEqual(norm(t, kafkaRows[t]));
      const types = await queryRows(conn, `DESCRIBE SELECT * FROM '${join(out, 'pq', `${t}.parquet`)}'`);
      const typeOf = new Map(types.map((r) => [r.column_name, r.column_type]));
      for (const c of EXPORT_COLUMNS[t]) expect(typeOf.get(c.name), `${t}.${c.name}`).toBe({ int: 'INTEGER', bigint: 'BIGINT', varchar: 'VARCHAR', dec38: 'DECIMAL(38,0)', boolean: 'BOOLEAN' }[c.kind]);
    }
  } finally {
    conn.closeSync();
    duck.close();
  }
  // --blocks picks exactly the listed blocks.
  const some = cli(['--rpc', anvil.url, '--blocks', `${TO},${FROM}`, '--format', 'ndjson', '--out', join(out, 'some')]);
  expect(some.status, some.stderr).toBe(0);
  const picked = readFileSync(join(out, 'some', 'blocks.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).number);
  expect(picked).toEqual([FROM, TO]);
});

test('export rejects bad flags with one sentence and exit code 2', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'export', ...args], { encoding: 'utf8' });
  const both = run(['--rpc', 'http://127.0.0.1:1', '--from', '1', '--to', '2', '--blocks', '3', '--out', '/tmp/x']);
  expect(both.status).toBe(2);
  expect(both.stderr).toMatch(/either --from A --to B or --blocks/);
  const fmt = run(['--rpc', 'http://127.0.0.1:1', '--blocks', '1', '--format', 'csv', '--out', '/tmp/x']);
  expect(fmt.status).toBe(2);
  expect(fmt.stderr).toMatch(/--format must be parquet or ndjson/);
});
