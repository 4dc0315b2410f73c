// `chainlake ingest` and `chainlake backfill` as a user runs them: endpoints, clean SIGTERM,
// and a backfill that publishes its range without moving the follower's checkpoint.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCassandra } from '../../storage/cassandra.js';
import { createIngestStateStore } from '../../storage/ingest-state.js';
import { createKafka } from '../../storage/kafka.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { freePort, startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { assertDuplicatesIdentical, covers, readTopic, rpc } from './support.js';
import { waitFor } from '../../core/wait.js';

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
  await rpc(anvil.url, 'anvil_mine', ['0x14']); // 20 blocks
});
afterAll(async () => {
  await anvil?.stop();
});

test('ingest serves /metrics /health /ready, exits 0 on SIGTERM; backfill leaves its checkpoint alone', async () => {
  const port = await freePort();
  const config = testConfig({ ETH_RPC_URLS: anvil.url });
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ETH_RPC_URLS: anvil.url,
    RPC_DEFAULT_RPS: '1000',
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    CASSANDRA_CONTACT_POINTS: config.CASSANDRA_CONTACT_POINTS.join(','),
    CASSANDRA_KEYSPACE: config.CASSANDRA_KEYSPACE,
    KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
    INGEST_METRICS_PORT: String(port),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'ingest'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const get = async (path: string) => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: await r.text() };
    } catch {
      return { status: 0, body: '' };
    }
  };
  await waitFor(`/ready (stderr: ${stderr})`, async () => (await get('/ready')).status === 200, 60_000, { everyMs: 50 });
  expect((await get('/health')).status).toBe(200);
  await waitFor('all 21 blocks counted', async () => /chainlake_ingest_blocks_total\{[^}]*\} 21$/m.test((await get('/metrics')).body), 20_000, { everyMs: 50 });
  const metrics = (await get('/metrics')).body;
  for (const name of ['chainlake_ingest_txs_total', 'chainlake_ingest_head_lag_blocks', 'chainlake_ingest_head_lag_seconds', 'chainlake_ingest_reorgs_total', 'chainlake_ingest_reorg_depth_bucket', 'chainlake_ingest_backfill_progress', 'chainlake_dlq_records_total'])
    expect(metrics, name).toContain(name);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  const cass = await createCassandra(config, testLogger(), { migrations: ingestMigrations });
  const state = createIngestStateStore(cass);
  const before = await state.load(31337);
  expect(before.checkpoint?.number).toBe(20);

  await rpc(anvil.url, 'anvil_mine', ['0x0a']); // blocks 21..30, beyond the follower's checkpoint
  const backfill = spawnSync(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'backfill', '--from', '15', '--to', '30'], { env, encoding: 'utf8' });
  expect(backfill.status, backfill.stderr).toBe(0);
  const summary = JSON.parse(backfill.stdout.trim().split('\n').pop() ?? '{}');
  expect(summary).toMatchObject({ chainId: 31337, from: 15, to: 30, blocks: 16 });
  expect((await state.load(31337)).checkpoint).toEqual(before.checkpoint);
  await cass.shutdown();
  const entries = await readTopic(createKafka(config, testLogger(), 'test'), `${config.KAFKA_TOPIC_PREFIX}.31337.blocks.v1`, covers(0, 30));
  expect(Math.max(...entries.map((e) => e.record.block.number))).toBe(30);
  // Blocks 15..20 were published by both; the backfill's copies are the follower's, apart from publishedAt.
  assertDuplicatesIdentical(entries);
  expect(entries.filter((e) => e.record.block.number === 17)).toHaveLength(2);

  const above = spawnSync(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'backfill', '--from', '1', '--to', '999'], { env, encoding: 'utf8' });
  expect(above.status).toBe(2);
  expect(above.stderr).toMatch(/--to 999 is above the chain head 30/);
}, 120_000);
