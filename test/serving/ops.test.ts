// GET /api/v1/ops over real Cassandra (rpc_usage written by the ingest usage store) and real
// Kafka (a block topic with records and committed offsets for the views group).
import { rm } from 'node:fs/promises';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { topicNames } from '../../core/config.js';
import { type ServingHandle, startServing } from '../../serving/server.js';
import { createCassandra, type CassandraClient } from '../../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createRpcUsageStore } from '../../storage/rpc-usage.js';
import { testConfig, testLogger } from '../helpers.js';
import { CHAIN, api, makeCommon, tempLakeDir } from './fixtures.js';

type Ops = {
  rpc: { endpoint: string; day: string; requests: number; errors: number; rateLimited: number; lastUsed: string | null; dailyQuota?: number }[];
  consumers: { group: string; topic: string; partition: number; committedOffset: number; endOffset: number; lag: number }[];
};

const SECRET_URL = 'https://eth-mainnet.example.com/v2/SECRETKEY123';
const PER_PARTITION = [5, 3, 0];
const COMMITTED_VIEWS = [2, 3]; // partition 0 → 2, partition 1 → 3, partition 2 nothing

let lakeDir: string;
let cassandra: CassandraClient;
let serving: ServingHandle;
let kafka: Kafka;
let admin: Admin;
let topic: string;
let prefix: string;
let http: ReturnType<typeof api>;
const nowMs = Date.now();
const today = new Date(nowMs).toISOString().slice(0, 10);
const yesterday = new Date(nowMs - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  lakeDir = await tempLakeDir();
  const config = testConfig({ LAKE_DIR: lakeDir, CACHE_TTL_MS: '0', API_RATE_LIMIT_RPS: '10000', ETH_RPC_URLS: SECRET_URL });
  prefix = config.KAFKA_TOPIC_PREFIX;
  const common = makeCommon(config);
  cassandra = await createCassandra(config, testLogger());

  // Two ingest processes use the same label; a second label; a row of yesterday that must not count.
  const a = createRpcUsageStore(cassandra, 'proc-a', { flushIntervalMs: 60_000 });
  const b = createRpcUsageStore(cassandra, 'proc-b', { flushIntervalMs: 60_000 });
  a.record('eth-mainnet.example.com#0', { requests: 10, errors: 2, rateLimited: 1 }, nowMs - 5_000);
  b.record('eth-mainnet.example.com#0', { requests: 7, rateLimited: 3 }, nowMs - 1_000);
  a.record('rpc.other.example#1', { requests: 4, errors: 1 }, nowMs - 2_000);
  // One endpoint cools down for 10 more minutes (seen by process b), the other's cooldown is over.
  b.record('eth-mainnet.example.com#0', { coolingUntil: nowMs + 600_000 }, nowMs - 1_000);
  a.record('rpc.other.example#1', { coolingUntil: nowMs - 60_000 }, nowMs - 2_000);
  a.record('rpc.other.example#1', { requests: 100, errors: 50 }, nowMs - 86_400_000);
  await Promise.all([a.close(), b.close()]);

  kafka = createKafka(config, testLogger(), 'ops-test');
  admin = kafka.admin();
  await admin.connect();
  topic = (await ensureChainTopics(admin, config, CHAIN)).blocks;
  expect(topic).toBe(topicNames(config, CHAIN).blocks);
  const producer = kafka.producer();
  await producer.connect();
  const messages = PER_PARTITION.flatMap((n, partition) => Array.from({ length: n }, (_, i) => ({ partition, value: `r${partition}-${i}` })));
  await producer.send({ topic, messages });
  await producer.disconnect();
  await admin.setOffsets({
    groupId: `${prefix}.${CHAIN}.views`,
    topic,
    partitions: COMMITTED_VIEWS.map((offset, partition) => ({ partition, offset: String(offset) })),
  });

  serving = await startServing(common, { cassandra, chainId: CHAIN, authLookupCacheMs: 0 });
  http = api(serving.url);
}, 30_000);

afterAll(async () => {
  await serving?.close();
  await admin?.disconnect();
  await cassandra?.shutdown();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

test("reports today's usage per endpoint label summed over processes, never a URL", async () => {
  const r = await http.get('/api/v1/ops');
  expect(r.status).toBe(200);
  const text = await r.text();
  expect(text).not.toContain('SECRETKEY123');
  expect(text).not.toContain('https://');
  const body = JSON.parse(text) as Ops;
  expect(body.rpc).toEqual([
    { endpoint: 'eth-mainnet.example.com#0', day: today, requests: 17, errors: 2, rateLimited: 4, lastUsed: new Date(nowMs - 1_000).toISOString(), coolingUntil: new Date(nowMs + 600_000).toISOString(), coolingDown: true },
    { endpoint: 'rpc.other.example#1', day: today, requests: 4, errors: 1, rateLimited: 0, lastUsed: new Date(nowMs - 2_000).toISOString(), coolingUntil: new Date(nowMs - 60_000).toISOString(), coolingDown: false },
  ]);
  expect(body.rpc.some((u) => u.day === yesterday)).toBe(false);
});

test('reports committed offset, end offset and lag per group and partition', async () => {
  const body = (await (await http.get('/api/v1/ops')).json()) as Ops;
  const views = `${prefix}.${CHAIN}.views`;
  const compact = `${prefix}.${CHAIN}.compact`;
  expect(body.consumers).toEqual([
    { group: views, topic, partition: 0, committedOffset: 2, endOffset: 5, lag: 3 },
    { group: views, topic, partition: 1, committedOffset: 3, endOffset: 3, lag: 0 },
    { group: views, topic, partition: 2, committedOffset: -1, endOffset: 0, lag: 0 },
    { group: compact, topic, partition: 0, committedOffset: -1, endOffset: 5, lag: 5 },
    { group: compact, topic, partition: 1, committedOffset: -1, endOffset: 3, lag: 3 },
    { group: compact, topic, partition: 2, committedOffset: -1, endOffset: 0, lag: 0 },
  ]);
});

test('the OpenAPI document lists /api/v1/ops with its response schema', async () => {
  const spec = (await (await http.get('/openapi.json')).json()) as { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> } }> };
  const op = spec.paths['/api/v1/ops']?.get;
  expect(op).toBeDefined();
  expect(Object.keys(op!.responses['200']!.content!['application/json']!.schema.properties ?? {}).sort()).toEqual(['consumers', 'rpc']);
});
