// Proof of correctness under faults (short form): the whole stack as child processes on a
// private anvil with ~20 tx/s of traffic; ≥ 12 seeded faults (kill -9 + restart of ingest,
// views, schedule and serve; the RPC answering 429 or hanging; a reorg); then zero drift
// between the chain, the speed views and the batch layer below the horizon.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { services, startAnvil, type TestAnvil } from '../helpers.js';
import { CHAIN_ID, type FaultLog, catchUpAndReconcile, createTrafficControl, injectFaults, startChildren, stopScenario, type TrafficControl } from './scenario.js';
import { type RpcProxy, type Stack, createStack, startRpcProxy } from './stack.js';
import { formatDrifts } from '../../ops/reconcile/compare.js';

const SEED = Number(process.env.FAULTS_SEED ?? 20261125);
const FAULTS = 12;

let anvil: TestAnvil;
let proxy: RpcProxy;
let stack: Stack;
let traffic: TrafficControl;

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  proxy = await startRpcProxy(anvil.url);
  const s = services();
  stack = await createStack({ kafkaBrokers: s.kafkaBrokers, cassandraContactPoints: s.cassandraContactPoints, rpcUrl: proxy.url, chainId: CHAIN_ID, finalityDepth: 4 });
  traffic = createTrafficControl(anvil.url, 20, SEED);
  await traffic.start();
  await startChildren(stack);
});

afterAll(async () => {
  await stopScenario({ traffic, stack, proxy, anvil }, failed);
  // On a failure the lake and the process logs stay for the post-mortem.
  if (failed) process.stderr.write(`[faults] kept the work dir (lake, logs): ${stack?.dir}\n`);
});

let failed = false;
test('after 12 seeded faults under traffic, chain, speed views and batch agree on every block and whole minute below the horizon', { timeout: 220_000 }, async ({ onTestFailed }) => {
  onTestFailed(() => {
    failed = true;
  });
  const faults: FaultLog[] = await injectFaults({ stack, proxy, anvilUrl: anvil.url, traffic }, { count: FAULTS, seed: SEED });
  const result = await catchUpAndReconcile({ stack, proxy, anvilUrl: anvil.url, traffic }, 90_000);
  const reorgs = faults.filter((f) => f.kind === 'reorg');
  const summary = {
    seed: SEED,
    faults: faults.length,
    byKind: Object.fromEntries([...new Set(faults.map((f) => f.kind))].map((k) => [k, faults.filter((f) => f.kind === k).length])),
    reorgs: reorgs.map((r) => r.detail),
    blocksChecked: result.blocksChecked,
    txsChecked: result.txsChecked,
    minutesChecked: result.minutesChecked,
    range: `${result.from}..${result.to}`,
    head: result.head,
    retractionsInLake: result.retractionsInLake,
    orphansSeen: faults.flatMap((f) => f.orphans ?? []).length,
    catchUpMs: result.catchUpMs,
    txsSent: traffic.sent(),
    proxy: proxy.counts,
    unexpectedExits: stack.crashes,
    drifts: result.drifts.length,
  };
  process.stdout.write(`[faults] ${JSON.stringify(summary)}\n`);
  if (result.drifts.length > 0) process.stdout.write(formatDrifts(result.drifts.slice(0, 40)));

  expect(faults.length).toBeGreaterThanOrEqual(10);
  for (const kind of ['kill-ingest', 'kill-views', 'kill-schedule', 'kill-serve', 'rpc-429', 'rpc-hang', 'reorg']) expect(summary.byKind[kind], kind).toBeGreaterThan(0);
  // The proxy really failed requests while a fault was on.
  expect(proxy.counts['429']).toBeGreaterThan(0);
  expect(proxy.counts.hang).toBeGreaterThan(0);
  // Every orphan the views had seen before the revert reached the lake as a retraction.
  const orphans = faults.flatMap((f) => f.orphans ?? []);
  expect(orphans.length).toBeGreaterThan(0);
  expect(orphans.filter((h) => !result.retractedHashes.has(h)), 'orphans without a retraction in the lake').toEqual([]);
  expect(result.blocksChecked).toBeGreaterThan(30);
  expect(result.txsChecked).toBeGreaterThan(200);
  expect(result.drifts, formatDrifts(result.drifts.slice(0, 40))).toEqual([]);
  expect(stack.crashes, 'processes exited without being killed').toEqual([]);
  // serve (killed and restarted too) answers from the same views.
  const chainBlock = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [`0x${result.to.toString(16)}`, false] }),
  }).then(async (r) => ((await r.json()) as { result: { hash: string } }).result.hash);
  expect(result.serveBlockHash).toBe(chainBlock);
});
