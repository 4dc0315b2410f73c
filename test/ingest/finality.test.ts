// Finality from the node, end to end: a stub JSON-RPC server in front of anvil answers
// eth_getBlockByNumber("finalized") with a chosen block (anvil itself is FINALITY_SOURCE=auto's
// exception); backfill → Kafka shows the records carrying it, and compact + recompute on the real
// Kafka and DuckDB place the batch horizon at it instead of FINALITY_DEPTH behind the lake.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCompactor } from '../../batch/compact/compactor.js';
import { recompute } from '../../batch/recompute/recompute.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createCommon } from '../../core/runtime.js';
import { createShutdown } from '../../core/shutdown.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { createKafka } from '../../storage/kafka.js';
import { createDuck } from '../../storage/lake/duck.js';
import { readLakeFinality } from '../../storage/lake/finality.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { covers, readTopic } from './support.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEAD = 30;
const FINALIZED = 20;
const DEPTH = 4;
let anvil: TestAnvil;
let stub: Server;
let stubUrl: string;
let lakeDir: string;
/** What the stub answers for "finalized": a block number, or a JSON-RPC error. */
let finalizedAnswer: number | 'method not found' = FINALIZED;

type Req = { id: unknown; method: string; params?: unknown[] };
const rpc = async (url: string, body: unknown): Promise<unknown> => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();

async function answer(req: Req): Promise<unknown> {
  if (req.method === 'eth_getBlockByNumber' && req.params?.[0] === 'finalized') {
    if (finalizedAnswer === 'method not found') return { jsonrpc: '2.0', id: req.id, error: { code: -32601, message: 'the method eth_getBlockByNumber("finalized") does not exist' } };
    return rpc(anvil.url, { ...req, params: [`0x${finalizedAnswer.toString(16)}`, false] });
  }
  return rpc(anvil.url, req);
}

beforeAll(async () => {
  anvil = await startAnvil();
  await rpc(anvil.url, { jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: [`0x${HEAD.toString(16)}`] });
  stub = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as Req | Req[];
      void (Array.isArray(parsed) ? Promise.all(parsed.map(answer)) : answer(parsed)).then((out) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  lakeDir = await mkdtemp(join(tmpdir(), 'chainlake-finality-'));
});
afterAll(async () => {
  await new Promise((r) => stub?.close(r));
  await anvil?.stop();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

test('the node finalized block reaches the records, the lake and the batch horizon; FINALITY_SOURCE=depth ignores it', async () => {
  const config = testConfig({ ETH_RPC_URLS: stubUrl, RPC_DEFAULT_RPS: '2000', FINALITY_SOURCE: 'node', FINALITY_POLL_MS: '50', FINALITY_DEPTH: String(DEPTH), LAKE_DIR: lakeDir, COMPACT_ROLL_MS: '200' });
  const common = createCommon('finality-test', { config, installSignalHandlers: false });
  const ingest = await createIngest(common, { mode: { kind: 'backfill', from: 0, to: HEAD } });
  await ingest.run();
  await common.shutdown.run('test done');

  const logger = testLogger();
  const kafka = createKafka(config, logger, 'finality-test');
  const entries = await readTopic(kafka, ingest.topics.blocks, covers(0, HEAD));
  for (const { record } of entries) if (record.kind === 'block') expect(record.finalized, `block ${record.block.number}`).toBe(Math.min(FINALIZED, record.block.number));
  // The lake is complete up to the least advanced partition's newest block.
  const partitionMax = new Map<number, number>();
  for (const e of entries) partitionMax.set(e.partition, Math.max(partitionMax.get(e.partition) ?? -1, e.record.block.number));
  const complete = Math.min(...partitionMax.values());
  expect(complete).toBeGreaterThan(FINALIZED);
  expect(await common.metrics.getSingleMetricAsString('chainlake_ingest_finalized_block')).toMatch(new RegExp(`chainlake_ingest_finalized_block(\\{[^}]*\\})? ${FINALIZED}\\b`));

  const batchCommon = (overrides: Record<string, string>) => ({ config: { ...config, ...testConfig({ ...overrides, LAKE_DIR: lakeDir, FINALITY_DEPTH: String(DEPTH) }), KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX }, logger, metrics: createMetricsRegistry({ process: 'test' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) });
  const duck = await createDuck({ threads: 2, memoryLimit: '1GB' });
  try {
    const node = batchCommon({ FINALITY_SOURCE: 'node' });
    await createCompactor(node, { kafka, duck }, { chainId: ingest.chainId, mode: 'drain' }).run();
    expect(await readLakeFinality(lakePaths(lakeDir), ingest.chainId)).toBe(FINALIZED);
    const followed = await recompute(node, { duck }, { chainId: ingest.chainId, full: true });
    expect(followed.horizon).toBe(FINALIZED);
    expect(followed.finalized).toBe(FINALIZED);
    // anvil's own chain id under auto, or depth: the fixed depth behind the complete lake.
    for (const source of ['depth', 'auto']) {
      const fixed = await recompute(batchCommon({ FINALITY_SOURCE: source }), { duck }, { chainId: ingest.chainId, full: true });
      expect(fixed.horizon, source).toBe(complete - DEPTH);
      expect(fixed.finalized).toBeNull();
    }
  } finally {
    duck.close();
  }
});

test('a node that answers "finalized" with -32601: ingest goes on, records without finalized (so the horizon keeps FINALITY_DEPTH), no gauge', async () => {
  finalizedAnswer = 'method not found';
  const config = testConfig({ ETH_RPC_URLS: stubUrl, RPC_DEFAULT_RPS: '2000', FINALITY_SOURCE: 'node', FINALITY_POLL_MS: '50' });
  const common = createCommon('finality-test', { config, installSignalHandlers: false });
  const ingest = await createIngest(common, { mode: { kind: 'backfill', from: 0, to: 10 } });
  await ingest.run();
  await common.shutdown.run('test done');
  const entries = await readTopic(createKafka(config, testLogger(), 'finality-test'), ingest.topics.blocks, covers(0, 10));
  expect(entries.filter((e) => e.record.kind === 'block' && e.record.finalized !== undefined)).toEqual([]);
  expect(common.metrics.getSingleMetric('chainlake_ingest_finalized_block')).toBeUndefined();
  finalizedAnswer = FINALIZED;
});
