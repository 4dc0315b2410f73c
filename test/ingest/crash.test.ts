// Ingest as a child process, killed with SIGKILL several times during a backfill and
// restarted: the topic holds every canonical block, no gap, and any block published twice
// is byte-identical apart from publishedAt.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCassandra } from '../../storage/cassandra.js';
import { createIngestStateStore } from '../../storage/ingest-state.js';
import { createKafka } from '../../storage/kafka.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { assertDuplicatesIdentical, covers, readTopic, rebuildChain, rpc } from './support.js';
import { waitFor } from '../../core/wait.js';

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
  await prefillChain({ rpcUrl: anvil.url, blocks: 240, txsPerBlock: 10, logger: testLogger() });
});
afterAll(async () => {
  await anvil?.stop();
});

test('kill -9 during backfill, restart: no gap, duplicates byte-identical apart from publishedAt', async () => {
  const head = Number.parseInt(await rpc<string>(anvil.url, 'eth_blockNumber'), 16);
  const chainId = Number.parseInt(await rpc<string>(anvil.url, 'eth_chainId'), 16);
  // Throttled RPC so the backfill lasts long enough to be killed in the middle of it.
  const overrides = { ETH_RPC_URLS: anvil.url, RPC_DEFAULT_RPS: '60', INGEST_CONCURRENCY: '4', START_BLOCK: '0', POLL_INTERVAL_MS: '100' };
  const config = testConfig(overrides);
  const env = {
    ...process.env,
    ...overrides,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    CASSANDRA_CONTACT_POINTS: config.CASSANDRA_CONTACT_POINTS.join(','),
    CASSANDRA_KEYSPACE: config.CASSANDRA_KEYSPACE,
    KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
    INGEST_METRICS_PORT: '0',
  };
  const cass = await createCassandra(config, testLogger(), { migrations: ingestMigrations });
  const state = createIngestStateStore(cass);
  const checkpoint = async () => (await state.load(chainId)).checkpoint?.number ?? -1;
  const spawnIngest = (): ChildProcess => spawn(process.execPath, ['--import', 'tsx', 'test/ingest/entry.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

  const kills: number[] = [];
  try {
    for (let round = 0; round < 4; round++) {
      const before = await checkpoint();
      const child = spawnIngest();
      await waitFor(`round ${round}: progress past ${before}`, async () => (await checkpoint()) > before, 30_000, { everyMs: 50 });
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
      child.kill('SIGKILL');
      await exited(child);
      kills.push(await checkpoint());
    }
    expect(kills[kills.length - 1]).toBeLessThan(head); // every kill landed during the backfill
    const last = spawnIngest();
    await waitFor('final run to reach the head', async () => (await checkpoint()) >= head, 60_000, { everyMs: 50 });
    last.kill('SIGTERM');
    await exited(last);
  } finally {
    await cass.shutdown();
  }

  const entries = await readTopic(createKafka(config, testLogger(), 'test'), `${config.KAFKA_TOPIC_PREFIX}.${chainId}.blocks.v1`, covers(0, head), 60_000);
  assertDuplicatesIdentical(entries);
  const chain = rebuildChain(entries);
  expect(chain.size).toBe(head + 1);
  for (let n = 0; n <= head; n++) {
    const want = await rpc<{ hash: string; transactions: string[] }>(anvil.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
    expect(chain.get(n)?.block.hash, `block ${n}`).toBe(want.hash);
    expect(chain.get(n)?.transactions.map((t) => t.hash)).toEqual(want.transactions);
  }
  expect(entries.every((e) => e.record.kind === 'block')).toBe(true);
}, 180_000);
