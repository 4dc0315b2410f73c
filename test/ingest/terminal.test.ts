// Ingest on terminal RPC answers, with real Kafka/Cassandra and a stub provider in front of
// anvil: every key refused ends createIngest at once (it used to wait on the chain id
// forever); a block whose receipts stay invalid stops the backfill with a FatalError naming
// block, endpoint and field, or with INGEST_ON_INVALID=dlq lands in the DLQ topic with the
// provider's original answer while every other block is published.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FatalError } from '../../core/errors.js';
import { createCommon } from '../../core/runtime.js';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { RpcEndpointsDisabledError } from '../../speed/rpc/index.js';
import { createKafka } from '../../storage/kafka.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';
import { type ProviderStub, requestBlock, startProviderStub } from '../rpc/provider-stub.js';
import { covers, readRaw, readTopic } from './support.js';

let anvil: TestAnvil;
let stub: ProviderStub;
beforeAll(async () => {
  anvil = await startAnvil();
  await prefillChain({ rpcUrl: anvil.url, blocks: 8, txsPerBlock: 2, logger: testLogger() });
  stub = await startProviderStub(anvil.url);
});
afterAll(async () => {
  await stub?.close();
  await anvil?.stop();
});

const BAD = 4;
const badReceipts = () =>
  stub.handle((r) =>
    r.method === 'eth_getBlockReceipts' && requestBlock(r) === BAD ? { patchResult: (res) => (res as Record<string, unknown>[]).map((x) => ({ ...x, gasUsed: 'lots', extra: 'original' })) } : undefined,
  );

test('every key refused: createIngest fails at once with a sentence', async () => {
  stub.handle(() => ({ status: 401 }));
  const common = createCommon('terminal-auth', { config: testConfig({ ETH_RPC_URLS: `${stub.url}/v2/key0123456789abcdef` }), installSignalHandlers: false });
  const t0 = Date.now();
  const err = await createIngest(common, { mode: { kind: 'backfill', from: 1, to: 2 } }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RpcEndpointsDisabledError);
  expect(Date.now() - t0).toBeLessThan(15_000);
  await common.shutdown.run('test done');
}, 30_000);

test('invalid receipts on every attempt stop a backfill with a FatalError naming block, endpoint and field', async () => {
  badReceipts();
  const common = createCommon('terminal-fail', { config: testConfig({ ETH_RPC_URLS: stub.url, RPC_DEFAULT_RPS: '2000' }), installSignalHandlers: false });
  const ingest = await createIngest(common, { mode: { kind: 'backfill', from: 1, to: 8 } });
  const err = await ingest.run().catch((e: unknown) => e);
  await common.shutdown.run('test done');
  expect(err).toBeInstanceOf(FatalError);
  expect((err as Error).message).toMatch(new RegExp(`^block ${BAD}: eth_getBlockReceipts \\d+\\.gasUsed is invalid on 127\\.0\\.0\\.1#[0-9a-f]{8}`));
}, 60_000);

test('INGEST_ON_INVALID=dlq: the original answer goes to the DLQ and the backfill goes on', async () => {
  badReceipts();
  const config = testConfig({ ETH_RPC_URLS: stub.url, RPC_DEFAULT_RPS: '2000', INGEST_ON_INVALID: 'dlq' });
  const common = createCommon('terminal-dlq', { config, installSignalHandlers: false });
  const ingest = await createIngest(common, { mode: { kind: 'backfill', from: 1, to: 8 } });
  await ingest.run();
  await common.shutdown.run('test done');
  const kafka = createKafka(config, testLogger(), 'test');
  const [dlq] = await readRaw(kafka, ingest.topics.dlq, 1);
  const entry = JSON.parse(dlq?.value ?? '{}');
  expect(entry.blockNumber).toBe(BAD);
  expect(entry.reason).toMatch(/^invalid_answer: .*gasUsed/);
  expect(entry.raw.answer[0].extra).toBe('original');
  expect(entry.raw.answer[0].gasUsed).toBe('lots');
  const entries = await readTopic(kafka, ingest.topics.blocks, covers(1, 8, [BAD]));
  const numbers = new Set(entries.map((e) => e.record.block.number));
  for (let n = 1; n <= 8; n++) expect(numbers.has(n), `block ${n}`).toBe(n !== BAD);
}, 60_000);
