// Proof of correctness under faults (long form): like test/faults/faults.test.ts, with ≥ 100
// seeded faults and restarts of Kafka and Cassandra too. Those run privately here (started
// with ops/stack.ts startInfra on free ports in a temp DATA_DIR), never the shared ones.
// Children that exit on their own while a store is down are restarted after 1 s, as the
// production restart policy does (stack.prod.yml); such exits are printed, not hidden.
// Run: npx vitest run --config test/faults/long/vitest.config.ts   (~15–25 min)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseConfig, type Config } from '../../../core/config.js';
import { formatDrifts } from '../../../ops/reconcile/compare.js';
import { stopProc } from '../../../ops/procs.js';
import { startInfra, stopAll } from '../../../ops/stack.js';
import { startAnvil, type TestAnvil } from '../../helpers.js';
import { freePortPlain as freePort } from '../../ports.js';
import { CHAIN_ID, type FaultLog, catchUpAndReconcile, createTrafficControl, injectFaults, startChildren, stopScenario, type TrafficControl } from '../scenario.js';
import { type RpcProxy, type Stack, createStack, rpc, startRpcProxy } from '../stack.js';

const SEED = Number(process.env.FAULTS_SEED ?? 7_000_001);
const FAULTS = Number(process.env.FAULTS_COUNT ?? 100);
const say = (m: string) => process.stderr.write(`[faults-long] ${m}\n`);

let infraDir: string;
let infra: Config;
let anvil: TestAnvil;
let proxy: RpcProxy;
let stack: Stack;
let traffic: TrafficControl;

beforeAll(async () => {
  infraDir = mkdtempSync(join(tmpdir(), 'chainlake-faults-infra-'));
  infra = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: infraDir,
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_HEAP: '384m',
    CASSANDRA_PORT: String(await freePort()),
    CASSANDRA_STORAGE_PORT: String(await freePort()),
    CASSANDRA_JMX_PORT: String(await freePort()),
    CASSANDRA_HEAP: '768m',
  });
  await startInfra(infra, say);
  anvil = await startAnvil({ blockTime: 1 });
  proxy = await startRpcProxy(anvil.url);
  stack = await createStack({
    kafkaBrokers: `127.0.0.1:${infra.KAFKA_PORT}`,
    cassandraContactPoints: `127.0.0.1:${infra.CASSANDRA_PORT}`,
    rpcUrl: proxy.url,
    chainId: CHAIN_ID,
    finalityDepth: 4,
    supervise: true,
  });
  traffic = createTrafficControl(anvil.url, 20, SEED);
  await traffic.start();
  await startChildren(stack);
});

afterAll(async () => {
  await stopScenario({ traffic, stack, proxy, anvil });
  if (infraDir) {
    await stopAll(infraDir, say);
    rmSync(infraDir, { recursive: true, force: true });
  }
});

/** Stop one private store (SIGTERM, then SIGKILL after 30 s), keep it down a few seconds, start it again. */
const restart = (name: 'kafka' | 'cassandra') => async () => {
  const t0 = Date.now();
  await stopProc(infra.DATA_DIR, name, 30_000);
  await new Promise((r) => setTimeout(r, 3_000));
  await startInfra(infra, () => {});
  return `down+up in ${Date.now() - t0} ms`;
};

test(`after ${FAULTS} seeded faults including Kafka and Cassandra restarts, chain, speed views and batch agree below the horizon`, async () => {
  const deps = { stack, proxy, anvilUrl: anvil.url, traffic, extra: { 'restart-kafka': restart('kafka'), 'restart-cassandra': restart('cassandra') } };
  const faults: FaultLog[] = await injectFaults(deps, {
    count: FAULTS,
    seed: SEED,
    extraShare: 0.06,
    onFault: (f) => say(`${f.kind}${f.detail ? ` (${f.detail})` : ''}`),
  });
  const result = await catchUpAndReconcile(deps, 300_000);
  const byKind = Object.fromEntries([...new Set(faults.map((f) => f.kind))].map((k) => [k, faults.filter((f) => f.kind === k).length]));
  const summary = {
    seed: SEED,
    faults: faults.length,
    byKind,
    blocksChecked: result.blocksChecked,
    txsChecked: result.txsChecked,
    minutesChecked: result.minutesChecked,
    range: `${result.from}..${result.to}`,
    retractionsInLake: result.retractionsInLake,
    orphansSeen: faults.flatMap((f) => f.orphans ?? []).length,
    catchUpMs: result.catchUpMs,
    txsSent: traffic.sent(),
    proxy: proxy.counts,
    exitsRestartedBySupervisor: stack.crashes.map((c) => ({ kind: c.kind, code: c.code, signal: c.signal })),
    drifts: result.drifts.length,
  };
  process.stdout.write(`[faults-long] ${JSON.stringify(summary)}\n`);
  if (result.drifts.length > 0) process.stdout.write(formatDrifts(result.drifts.slice(0, 60)));

  expect(faults.length).toBeGreaterThanOrEqual(100);
  for (const kind of ['kill-ingest', 'kill-views', 'kill-schedule', 'kill-serve', 'rpc-429', 'rpc-hang', 'reorg', 'restart-kafka', 'restart-cassandra'])
    expect(byKind[kind], kind).toBeGreaterThan(0);
  expect(result.blocksChecked).toBeGreaterThan(300);
  const orphans = faults.flatMap((f) => f.orphans ?? []);
  const missing = orphans.filter((h) => !result.retractedHashes.has(h));
  if (missing.length > 0) {
    // Where each one got lost: never retracted in Kafka (ingest) or retracted but not in the lake (compaction).
    let ingestLog = '';
    try {
      ingestLog = readFileSync(join(stack.dir, 'ingest.log'), 'utf8');
    } catch {}
    for (const h of missing)
      say(
        `orphan ${h}: on the chain now ${(await rpc<unknown>(anvil.url, 'eth_getBlockByHash', [h, false]).catch(() => null)) !== null}, block in topic ${result.topic.blocks.has(h)}, retraction in topic ${result.topic.retracted.has(h)}; ingest log: ${
          ingestLog
            .split('\n')
            .filter((l) => l.includes(h))
            .map((l) => l.slice(0, 300))
            .join(' | ') || 'no line'
        }`,
      );
  }
  expect(orphans.filter((h) => !result.retractedHashes.has(h)), 'orphans without a retraction in the lake').toEqual([]);
  expect(result.drifts, formatDrifts(result.drifts.slice(0, 60))).toEqual([]);
});
