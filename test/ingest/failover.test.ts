// End to end through a misbehaving provider: one of two endpoints (a 127.0.0.1 proxy) answers
// HTTP 429 for a while; ingest fails over, skips no block, and RPC usage lands in Cassandra.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCommon } from '../../core/runtime.js';
import { createCassandra } from '../../storage/cassandra.js';
import { createKafka } from '../../storage/kafka.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { createRpcUsageStore } from '../../storage/rpc-usage.js';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { endpointLabel } from '../../speed/rpc/index.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { assertDuplicatesIdentical, covers, readTopic, rebuildChain, rpc } from './support.js';
import { waitFor } from '../../core/wait.js';

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
  await prefillChain({ rpcUrl: anvil.url, blocks: 60, txsPerBlock: 5, logger: testLogger() });
});
afterAll(async () => {
  await anvil?.stop();
});

/** Forwards JSON-RPC to anvil, or answers 429 while `limited` is true. */
async function startProxy(target: string) {
  const stats = { forwarded: 0, limited: 0 };
  let limited = false;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (limited) {
      stats.limited++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      return void res.end('{"error":"too many requests"}');
    }
    stats.forwarded++;
    const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stats,
    setLimited: (v: boolean) => void (limited = v),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('429 from one of two endpoints → failover, no block skipped, usage rows in Cassandra', async () => {
  const flaky = await startProxy(anvil.url);
  const healthy = await startProxy(anvil.url);
  flaky.setLimited(true);
  const head = Number.parseInt(await rpc<string>(anvil.url, 'eth_blockNumber'), 16);
  const config = testConfig({ ETH_RPC_URLS: `${flaky.url},${healthy.url}`, RPC_DEFAULT_RPS: '500', INGEST_CONCURRENCY: '4', START_BLOCK: '0', POLL_INTERVAL_MS: '100' });
  const common = createCommon('ingest-failover-test', { config, installSignalHandlers: false });
  const ingest = await createIngest(common, { processId: 'failover-test' });
  const running = ingest.run();
  await waitFor('half the chain', () => (ingest.tip()?.number ?? -1) >= head / 2, 30_000, { everyMs: 50 });
  flaky.setLimited(false); // the provider recovers; both serve the rest
  await waitFor('ingest to reach the head', () => (ingest.tip()?.number ?? -1) >= head, 30_000, { everyMs: 50 });
  await common.shutdown.run('test done');
  await running;
  await Promise.all([flaky.close(), healthy.close()]);
  expect(flaky.stats.limited).toBeGreaterThan(0);
  expect(healthy.stats.forwarded).toBeGreaterThan(head);

  const entries = await readTopic(createKafka(config, testLogger(), 'test'), ingest.topics.blocks, covers(0, head));
  assertDuplicatesIdentical(entries);
  const chain = rebuildChain(entries);
  for (let n = 0; n <= head; n++) {
    const want = await rpc<{ hash: string }>(anvil.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
    expect(chain.get(n)?.block.hash, `block ${n}`).toBe(want.hash);
  }

  const cass = await createCassandra(config, testLogger(), { migrations: ingestMigrations });
  try {
    const usage = createRpcUsageStore(cass, 'reader');
    const day = new Date().toISOString().slice(0, 10);
    const flakyRows = await usage.rows(endpointLabel(flaky.url), day);
    const healthyRows = await usage.rows(endpointLabel(healthy.url), day);
    await usage.close();
    expect(flakyRows.reduce((s, r) => s + r.rateLimited, 0)).toBeGreaterThan(0);
    expect(healthyRows.reduce((s, r) => s + r.requests, 0)).toBeGreaterThan(head);
    // Every request a proxy saw is counted (rate-limited answers included) by this process's row.
    expect(flakyRows.find((r) => r.processId === 'failover-test')?.requests).toBe(flaky.stats.forwarded + flaky.stats.limited);
  } finally {
    await cass.shutdown();
  }
});
