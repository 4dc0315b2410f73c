// Two views consumers in one group: the second joins midway (rebalance), then the first stops
// (rebalance again). The views equal the in-memory recomputation, as after a single clean run.
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCommon } from '../../core/runtime.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createViewsQueries } from '../../storage/views/queries.js';
import { createViewsConsumer, type ViewsConsumer } from '../../speed/views/consumer.js';
import { testConfig, testLogger } from '../helpers.js';
import { generateStream } from './fixtures.js';
import { caughtUp, expectedSnapshot, produceStream, snapshotViews } from './harness.js';
import { waitFor } from '../../core/wait.js';

const CHAIN = 31_339;
const PARTITIONS = 3;
const cfg = testConfig({ VIEWS_CONCURRENCY: '8' });
const logger = testLogger();
const now = Math.floor(Date.now() / 1000);
const stream = generateStream({ chainId: CHAIN, seed: 5150, blocks: 300, maxTxs: 12, startTime: now - 86_400, reorgAfter: 200, reorgDepth: 3, duplicates: 8 });

let cassandra: CassandraClient;
let kafka: Kafka;
let admin: Admin;
let topic = '';
const consumers: ViewsConsumer[] = [];

function startConsumer(name: string): ViewsConsumer {
  const common = createCommon(name, { config: cfg, installSignalHandlers: false });
  const c = createViewsConsumer(common, { cassandra, kafka, chainId: CHAIN, sessionTimeoutMs: 6_000, maxBytesPerPartition: 16_384 });
  consumers.push(c);
  return c;
}

beforeAll(async () => {
  cassandra = await createCassandra(cfg, logger);
  kafka = createKafka(cfg, logger, 'views-rebalance-test');
  admin = kafka.admin();
  await admin.connect();
  topic = (await ensureChainTopics(admin, cfg, CHAIN)).blocks;
});

afterAll(async () => {
  for (const c of consumers) await c.stop().catch(() => {});
  await admin?.disconnect();
  await cassandra?.shutdown();
});

async function committed(groupId: string): Promise<bigint> {
  const res = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (res[0]?.partitions ?? []).reduce((s, p) => s + (BigInt(p.offset) > 0n ? BigInt(p.offset) : 0n), 0n);
}

test('a second consumer joining midway and the first leaving give the same views as a clean run', { timeout: 180_000 }, async () => {
  const half = Math.floor(stream.records.length / 2);
  await produceStream(kafka, topic, stream.records.slice(0, half), PARTITIONS);
  const a = startConsumer('views-a');
  await a.start();
  await waitFor('consumer A to commit progress', async () => (await committed(a.groupId)) > 0n, 60_000, { everyMs: 50 });
  const b = startConsumer('views-b');
  await b.start();
  await waitFor('consumer B to join', async () => b.isReady(), 60_000, { everyMs: 50 });
  await produceStream(kafka, topic, stream.records.slice(half), PARTITIONS);
  const beforeStop = await committed(a.groupId);
  await a.stop();
  expect(beforeStop).toBeLessThan(BigInt(stream.records.length));
  await waitFor('consumer B to catch up', () => caughtUp(admin, b.groupId, topic), 120_000, { everyMs: 200 });
  const queries = createViewsQueries(cassandra, { chainId: CHAIN, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
  expect(await snapshotViews(queries, stream)).toEqual(expectedSnapshot(stream, PARTITIONS));
});
