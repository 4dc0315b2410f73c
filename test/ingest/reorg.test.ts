// A real reorg on anvil (evm_snapshot / evm_revert, then different blocks): ingest publishes
// retractions for the orphaned blocks, newest first, then the new canonical blocks; the
// chain rebuilt from the topic equals anvil's chain.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCommon } from '../../core/runtime.js';
import { createKafka } from '../../storage/kafka.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { assertDuplicatesIdentical, readTopic, rebuildChain, rpc } from './support.js';
import { waitFor } from '../../core/wait.js';

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

const head = async () => Number.parseInt(await rpc<string>(anvil.url, 'eth_blockNumber'), 16);
/**
 * One automined block with a transfer whose value tags the fork. Waits for its receipt: anvil
 * may answer eth_sendTransaction before the block is sealed (seen under load), and a snapshot
 * taken then would not hold the block.
 */
async function mineTransfer(value: number) {
  const [from, to] = await rpc<string[]>(anvil.url, 'eth_accounts');
  const hash = await rpc<string>(anvil.url, 'eth_sendTransaction', [{ from, to, value: `0x${value.toString(16)}` }]);
  await waitFor(`the receipt of ${hash}`, async () => (await rpc<unknown>(anvil.url, 'eth_getTransactionReceipt', [hash])) !== null, 10_000, { everyMs: 20 });
}

test('a reorg publishes retractions newest first, then the new blocks, and the topic rebuilds anvil\'s chain', async () => {
  for (let i = 1; i <= 8; i++) await mineTransfer(i);
  const snapshot = await rpc<string>(anvil.url, 'evm_snapshot');
  for (let i = 1; i <= 4; i++) await mineTransfer(1000 + i); // blocks 9..12, to be orphaned
  expect(await head()).toBe(12);
  const orphaned = await Promise.all([9, 10, 11, 12].map((n) => rpc<{ hash: string }>(anvil.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])));

  const config = testConfig({ ETH_RPC_URLS: anvil.url, RPC_DEFAULT_RPS: '2000', POLL_INTERVAL_MS: '50', START_BLOCK: '0' });
  const common = createCommon('ingest-reorg-test', { config, installSignalHandlers: false });
  const ingest = await createIngest(common);
  const running = ingest.run();
  await waitFor('ingest to publish block 12', () => ingest.tip()?.number === 12, 15_000, { everyMs: 50 });

  expect(await rpc(anvil.url, 'evm_revert', [snapshot])).toBe(true);
  expect(await head()).toBe(8);
  for (let i = 1; i <= 6; i++) await mineTransfer(2000 + i); // blocks 9..14 of the new fork
  await waitFor('ingest to follow the new fork', () => ingest.tip()?.number === 14, 15_000, { everyMs: 50 });
  const reorgMetric = await common.metrics.getSingleMetricAsString('chainlake_ingest_reorgs_total');
  const depthMetric = await common.metrics.getSingleMetricAsString('chainlake_ingest_reorg_depth');
  await common.shutdown.run('test done');
  await running;
  expect(reorgMetric).toMatch(/chainlake_ingest_reorgs_total\{[^}]*\} 1$/m);
  expect(depthMetric).toMatch(/chainlake_ingest_reorg_depth_sum\{[^}]*\} 4$/m);

  const kafka = createKafka(config, testLogger(), 'test');
  const entries = await readTopic(kafka, ingest.topics.blocks, (es) => es.length >= 13 + 4 + 6) // blocks 0..12, 4 retractions, new 9..14;
  assertDuplicatesIdentical(entries);
  const retractions = entries.filter((e) => e.record.kind === 'retraction');
  expect(retractions.map((e) => e.record.block.hash).sort()).toEqual(orphaned.map((b) => b.hash).sort());
  for (const r of retractions) {
    const replacement = await rpc<{ hash: string }>(anvil.url, 'eth_getBlockByNumber', [`0x${r.record.block.number.toString(16)}`, false]);
    expect(r.record.kind === 'retraction' && r.record.replacedBy).toBe(replacement.hash);
  }
  // Per partition (all records of a height share one): retractions newest first, each before the new block at its height.
  for (const partition of new Set(entries.map((e) => e.partition))) {
    const inPartition = entries.filter((e) => e.partition === partition);
    const retracted = inPartition.filter((e) => e.record.kind === 'retraction').map((e) => e.record.block.number);
    expect(retracted).toEqual([...retracted].sort((a, b) => b - a));
    for (const r of inPartition.filter((e) => e.record.kind === 'retraction')) {
      const replacement = inPartition.find((e) => e.record.kind === 'block' && e.record.block.number === r.record.block.number && e.record.block.hash !== r.record.block.hash);
      expect(replacement && replacement.offset > r.offset, `new block ${r.record.block.number} after its retraction`).toBe(true);
    }
  }
  const chain = rebuildChain(entries);
  for (let n = 0; n <= 14; n++) {
    const want = await rpc<{ hash: string }>(anvil.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
    expect(chain.get(n)?.block.hash, `block ${n}`).toBe(want.hash);
  }
  expect(Math.max(...chain.keys())).toBe(14);
});
