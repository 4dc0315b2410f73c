// Real anvil + traffic generator → ingest → real Kafka; every tx in the topic is compared
// with what anvil itself reports (read with viem, independently of speed/decode).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPublicClient, http, type Hash } from 'viem';
import { createCommon } from '../../core/runtime.js';
import { createKafka } from '../../storage/kafka.js';
import { createCassandra } from '../../storage/cassandra.js';
import { createIngestStateStore } from '../../storage/ingest-state.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { startTraffic } from '../../ops/traffic/generator.js';
import { createRpcPool, parseRpcEndpoints } from '../../speed/rpc/index.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { assertDuplicatesIdentical, covers, readRaw, readTopic, rebuildChain } from './support.js';
import { waitFor } from '../../core/wait.js';

const TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
});
afterAll(async () => {
  await anvil?.stop();
});

test('traffic → ingest → Kafka: every block and tx in the topic matches anvil', async () => {
  const config = testConfig({ ETH_RPC_URLS: anvil.url, RPC_DEFAULT_RPS: '2000', POLL_INTERVAL_MS: '100', START_BLOCK: '0' });
  const common = createCommon('ingest-test', { config, installSignalHandlers: false });
  const logger = testLogger();
  const traffic = await startTraffic({ rpcUrl: anvil.url, tps: 40, logger, seed: 7 });
  const ingest = await createIngest(common);
  const running = ingest.run();
  await new Promise((r) => setTimeout(r, 4_000));
  await traffic.stop();
  const client = createPublicClient({ transport: http(anvil.url) });
  // Two more blocks so every sent tx is mined, then wait for ingest to reach the head.
  const target = Number(await client.getBlockNumber()) + 2;
  await waitFor('anvil to mine', async () => Number(await client.getBlockNumber()) >= target, 10_000, { everyMs: 50 });
  await waitFor('ingest to reach the head', () => (ingest.tip()?.number ?? -1) >= target, 20_000, { everyMs: 50 });
  await common.shutdown.run('test done');
  await running;

  const kafka = createKafka(config, logger, 'test');
  const entries = await readTopic(kafka, ingest.topics.blocks, covers(0, target));
  assertDuplicatesIdentical(entries);
  const chain = rebuildChain(entries);
  let txsCompared = 0;
  let transfersCompared = 0;
  for (let n = 0; n <= target; n++) {
    const want = await client.getBlock({ blockNumber: BigInt(n), includeTransactions: true });
    const got = chain.get(n);
    expect(got, `block ${n} in the topic`).toBeDefined();
    if (!got) continue;
    expect(got.block.hash).toBe(want.hash);
    expect(got.block.parentHash).toBe(want.parentHash);
    expect(got.block.timestamp).toBe(Number(want.timestamp));
    expect(got.block.gasUsed).toBe(want.gasUsed.toString());
    expect(got.transactions.length).toBe(want.transactions.length);
    const receipts = await Promise.all(want.transactions.map((t) => client.getTransactionReceipt({ hash: t.hash as Hash })));
    want.transactions.forEach((t, i) => {
      const tx = got.transactions[i];
      const receipt = receipts[i];
      expect(tx?.hash).toBe(t.hash);
      expect(tx?.from).toBe(t.from.toLowerCase());
      expect(tx?.to).toBe(t.to ? t.to.toLowerCase() : null);
      expect(tx?.value).toBe(t.value.toString());
      expect(tx?.nonce).toBe(t.nonce);
      expect(tx?.gas).toBe(t.gas.toString());
      expect(tx?.status).toBe(receipt?.status === 'success' ? 1 : 0);
      expect(tx?.gasUsed).toBe(receipt?.gasUsed.toString());
      expect(tx?.fee).toBe(((receipt?.gasUsed ?? 0n) * (receipt?.effectiveGasPrice ?? 0n)).toString());
      expect(tx?.contractAddress).toBe(receipt?.contractAddress ? receipt.contractAddress.toLowerCase() : null);
      expect(tx?.logCount).toBe(receipt?.logs.length);
      txsCompared++;
    });
    const transfers = receipts.flatMap((r) => r.logs.filter((l) => l.topics[0] === TRANSFER && l.topics.length === 3));
    expect(got.tokenTransfers.map((t) => `${t.txHash}:${t.logIndex}`)).toEqual(transfers.map((l) => `${l.transactionHash}:${l.logIndex}`));
    transfersCompared += transfers.length;
  }
  expect(txsCompared).toBeGreaterThan(traffic.stats().sent * 0.9);
  expect(transfersCompared).toBeGreaterThan(0);

  // The follower's checkpoint is in Cassandra, at a block whose hash is the chain's.
  const cass = await createCassandra(config, logger, { migrations: ingestMigrations });
  const state = await createIngestStateStore(cass).load(ingest.chainId);
  await cass.shutdown();
  expect(state.checkpoint?.number).toBeGreaterThanOrEqual(target);
  expect(state.checkpoint?.hash).toBe((await client.getBlock({ blockNumber: BigInt(state.checkpoint?.number ?? 0) })).hash);
  expect(state.window.length).toBe(Math.min(config.REORG_WINDOW, (state.checkpoint?.number ?? 0) + 1));
});

test('an undecodable block goes to the DLQ topic with its raw payload, and ingest continues past it', async () => {
  const config = testConfig({ ETH_RPC_URLS: anvil.url, RPC_DEFAULT_RPS: '2000', POLL_INTERVAL_MS: '100', START_BLOCK: '0' });
  const common = createCommon('ingest-dlq-test', { config, installSignalHandlers: false });
  const client = createPublicClient({ transport: http(anvil.url) });
  const head = Number(await client.getBlockNumber());
  // Find a block with transactions (the first test's traffic) and make its receipts disagree with it.
  let bad = -1;
  for (let n = head; n > 0 && bad < 0; n--) if ((await client.getBlockTransactionCount({ blockNumber: BigInt(n) })) > 0) bad = n;
  expect(bad).toBeGreaterThan(0);
  const real = createRpcPool({ endpoints: parseRpcEndpoints(config), logger: common.logger, metrics: common.metrics });
  const pool = {
    ...real,
    getBlockBundle: async (n: bigint | number, o?: { signal?: AbortSignal }) => {
      const bundle = await real.getBlockBundle(n, o);
      return Number(n) === bad ? { ...bundle, receipts: bundle.receipts.slice(1) } : bundle;
    },
  };
  const ingest = await createIngest(common, { pool });
  const running = ingest.run();
  // The tip moves when Kafka acks, the metrics after the state store commits: wait for both.
  const dlqCount = async () => Number(/chainlake_dlq_records_total\{[^}]*\} (\d+)$/m.exec(await common.metrics.getSingleMetricAsString('chainlake_dlq_records_total'))?.[1] ?? 0);
  await waitFor('ingest to reach the head and count the DLQ block', async () => (ingest.tip()?.number ?? -1) >= head && (await dlqCount()) > 0, 20_000, { everyMs: 50 });
  const metrics = await common.metrics.getSingleMetricAsString('chainlake_dlq_records_total');
  await common.shutdown.run('test done');
  await running;
  await real.close();
  expect(metrics).toMatch(/chainlake_dlq_records_total\{[^}]*\} 1$/m);

  const kafka = createKafka(config, testLogger(), 'test');
  const [dlq] = await readRaw(kafka, ingest.topics.dlq, 1);
  const entry = JSON.parse(dlq?.value ?? '{}');
  expect(entry.blockNumber).toBe(bad);
  expect(entry.reason).toMatch(/receipt_count/);
  expect(entry.raw.block.hash).toBe((await client.getBlock({ blockNumber: BigInt(bad) })).hash);
  const entries = await readTopic(kafka, ingest.topics.blocks, covers(0, head, [bad]));
  const numbers = new Set(entries.map((e) => e.record.block.number));
  expect(numbers.has(bad)).toBe(false);
  for (let n = 0; n <= head; n++) if (n !== bad) expect(numbers.has(n), `block ${n}`).toBe(true);
});
