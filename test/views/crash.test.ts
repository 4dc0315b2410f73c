// kill -9 the views consumer (a child process) at random points, at least five times, while
// new records keep arriving; after catch-up every query equals the clean recomputation.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createViewsQueries } from '../../storage/views/queries.js';
import { testConfig, testLogger } from '../helpers.js';
import { generateStream } from './fixtures.js';
import { caughtUp, expectedSnapshot, produceStream, snapshotViews } from './harness.js';
import { waitFor, waitForValue } from '../../core/wait.js';

const CHAIN = 31_338;
const PARTITIONS = 3;
const KILLS = 5;
// Small batches and few writes in flight keep each round busy long enough for kills to land mid-stream.
const cfg = testConfig({ VIEWS_CONCURRENCY: '4', VIEWS_BATCH_STATEMENTS: '4' });
const logger = testLogger();
const now = Math.floor(Date.now() / 1000);
const stream = generateStream({
  chainId: CHAIN,
  seed: 2024,
  blocks: 420,
  maxTxs: 14,
  startTime: now - 2 * 86_400,
  dayGapsAfter: [200],
  reorgAfter: 300,
  reorgDepth: 4,
  duplicates: 10,
});
const groupId = `${cfg.KAFKA_TOPIC_PREFIX}.${CHAIN}.views`;
const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));

let cassandra: CassandraClient;
let kafka: Kafka;
let admin: Admin;
let topic = '';
const children = new Set<ChildProcess>();

function startChild(): ChildProcess {
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_BROKERS: cfg.KAFKA_BROKERS.join(','),
    CASSANDRA_CONTACT_POINTS: cfg.CASSANDRA_CONTACT_POINTS.join(','),
    CASSANDRA_KEYSPACE: cfg.CASSANDRA_KEYSPACE,
    KAFKA_TOPIC_PREFIX: cfg.KAFKA_TOPIC_PREFIX,
    KAFKA_PARTITIONS: String(PARTITIONS),
    VIEWS_CONCURRENCY: String(cfg.VIEWS_CONCURRENCY),
    VIEWS_BATCH_STATEMENTS: String(cfg.VIEWS_BATCH_STATEMENTS),
    VIEWS_METRICS_PORT: '0',
  };
  // node --import tsx: one process, so SIGKILL hits the consumer itself (no wrapper in between).
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, String(CHAIN), '32768'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

/** Offsets the group committed, summed; asked again while the group coordinator is still loading (a fresh broker). */
function committedTotal(): Promise<bigint> {
  return waitForValue(
    'the committed offsets',
    async () => {
      const res = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (res[0]?.partitions ?? []).reduce((s, p) => s + (BigInt(p.offset) > 0n ? BigInt(p.offset) : 0n), 0n);
    },
    30_000,
    { everyMs: 100 },
  );
}

beforeAll(async () => {
  cassandra = await createCassandra(cfg, logger);
  kafka = createKafka(cfg, logger, 'views-crash-test');
  admin = kafka.admin();
  await admin.connect();
  topic = (await ensureChainTopics(admin, cfg, CHAIN)).blocks;
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await admin?.disconnect();
  await cassandra?.shutdown();
});

test(`views after ${KILLS} kill -9 at random points equal a clean run`, { timeout: 240_000 }, async () => {
  const chunks = KILLS + 1;
  const size = Math.ceil(stream.records.length / chunks);
  const killedAt: { delayMs: number; produced: number; committedAfter: bigint }[] = [];
  for (let round = 0; round < KILLS; round++) {
    await produceStream(kafka, topic, stream.records.slice(round * size, (round + 1) * size), PARTITIONS);
    const before = await committedTotal();
    const child = startChild();
    // Kill once the child is demonstrably working (it committed something), after a random delay.
    await waitFor('the child to commit progress', async () => (await committedTotal()) > before, 60_000, { everyMs: 50 });
    const delayMs = Math.floor(Math.random() * 400);
    await new Promise((r) => setTimeout(r, delayMs));
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    killedAt.push({ delayMs, produced: Math.min(stream.records.length, (round + 1) * size), committedAfter: await committedTotal() });
  }
  await produceStream(kafka, topic, stream.records.slice(KILLS * size), PARTITIONS);
  const last = startChild();
  await waitFor('the last child to catch up', () => caughtUp(admin, groupId, topic), 120_000, { everyMs: 200 });
  last.kill('SIGTERM');
  await exited(last);
  expect(killedAt).toHaveLength(KILLS);
  // Kills landed mid-stream, not only after a child had drained its round.
  expect(killedAt.filter((k) => k.committedAfter < BigInt(k.produced)).length).toBeGreaterThanOrEqual(2);
  const queries = createViewsQueries(cassandra, { chainId: CHAIN, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
  const actual = await snapshotViews(queries, stream);
  const expected = expectedSnapshot(stream, PARTITIONS);
  expect(actual).toEqual(expected);
  logger.info({ msg: 'kill points', killedAt: killedAt.map((k) => ({ ...k, committedAfter: k.committedAfter.toString() })) });
});
