// One fault run: a private anvil with traffic, the RPC fault proxy, every chainlake process as
// a child; a seeded schedule of faults; then catch-up and a three-way reconcile (chain, speed
// views, batch). Shared by the short and the long fault tests. No vitest imports.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../core/logger.js';
import { topicNames } from '../../core/config.js';
import { createCommon } from '../../core/runtime.js';
import { type ReconcileResult, runReconcile } from '../../ops/reconcile/reconcile.js';
import { startTraffic, type TrafficHandle } from '../../ops/traffic/generator.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { readBatchVersion } from '../../storage/lake/versions.js';
import { createDuck, queryRows } from '../../storage/lake/duck.js';
import { createKafka } from '../../storage/kafka.js';
import { createViewsQueries } from '../../storage/views/queries.js';
import { readTopic } from '../batch/kafka-helpers.js';
import { CHILD_KINDS, type ChildKind, type RpcProxy, type Stack, chainHead, createRng, rpc, sleep, waitUntil } from './stack.js';

export const CHAIN_ID = 31_337;
export const FAULT_KINDS = ['kill-ingest', 'kill-views', 'kill-schedule', 'kill-serve', 'rpc-429', 'rpc-hang', 'reorg'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number] | 'restart-kafka' | 'restart-cassandra';
export type FaultLog = { at: number; kind: FaultKind; detail?: string; orphans?: string[] };

const logger = createLogger({ level: 'warn', pretty: false });

/** Traffic against the anvil directly (not through the proxy); restartable around a reorg. */
export function createTrafficControl(anvilUrl: string, tps: number, seed: number) {
  let handle: TrafficHandle | null = null;
  let sent = 0;
  let restarts = 0;
  return {
    async start() {
      handle = await startTraffic({ rpcUrl: anvilUrl, tps, logger, seed: seed + restarts++ });
    },
    async stop() {
      if (!handle) return;
      await handle.stop();
      sent += handle.stats().sent;
      handle = null;
    },
    sent: () => sent + (handle?.stats().sent ?? 0),
  };
}
export type TrafficControl = ReturnType<typeof createTrafficControl>;

export type ScenarioDeps = {
  stack: Stack;
  proxy: RpcProxy;
  anvilUrl: string;
  traffic: TrafficControl;
  /** Extra fault kinds with their handlers (the long form: Kafka and Cassandra restarts). */
  extra?: Partial<Record<FaultKind, () => Promise<string | void>>>;
};

/** A reorg on anvil: pause mining, snapshot, 2 blocks the views must see, revert, 3 different blocks. */
async function reorg(d: ScenarioDeps, cassandra: CassandraClient, orphans: string[]): Promise<string> {
  await d.traffic.stop();
  await sleep(1_500); // let the pool drain into blocks
  await rpc(d.anvilUrl, 'evm_setIntervalMining', [0]);
  try {
    const base = await chainHead(d.anvilUrl);
    const snapshot = await rpc<string>(d.anvilUrl, 'evm_snapshot');
    await rpc(d.anvilUrl, 'evm_mine');
    await rpc(d.anvilUrl, 'evm_mine');
    const first = await rpc<{ hash: string; timestamp: string }>(d.anvilUrl, 'eth_getBlockByNumber', [`0x${(base + 1).toString(16)}`, false]);
    const orphan = await rpc<{ hash: string }>(d.anvilUrl, 'eth_getBlockByNumber', [`0x${(base + 2).toString(16)}`, false]);
    const views = createViewsQueries(cassandra, { chainId: CHAIN_ID, ttlSeconds: 0 });
    let seen = false;
    const deadline = Date.now() + 10_000;
    while (!seen && Date.now() < deadline) {
      seen = (await views.blockByNumber(base + 2).catch(() => null))?.hash === orphan.hash;
      if (!seen) await sleep(300);
    }
    if (!(await rpc<boolean>(d.anvilUrl, 'evm_revert', [snapshot]))) throw new Error('evm_revert failed');
    // Txs of the reverted blocks can linger in anvil's pool under nonces the restarted traffic
    // generator is about to use ("replacement transaction underpriced" in its setup phase).
    await rpc(d.anvilUrl, 'anvil_dropAllTransactions');
    // Empty blocks on the same parent with the same timestamp would hash the same (no reorg at
    // all): the chain's clock runs ahead of the wall clock after manual mining, so set it.
    await rpc(d.anvilUrl, 'evm_setNextBlockTimestamp', [Number.parseInt(first.timestamp, 16) + 2]);
    for (let i = 0; i < 3; i++) await rpc(d.anvilUrl, 'evm_mine');
    const replaced = await Promise.all([base + 1, base + 2].map((n) => rpc<{ hash: string }>(d.anvilUrl, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])));
    if (replaced[0]?.hash === first.hash || replaced[1]?.hash === orphan.hash) throw new Error(`reorg fault: blocks ${base + 1}..${base + 2} were mined again with the same hashes`);
    // Both orphans were published (in order) once the views hold the second: both must be retracted.
    if (seen) orphans.push(first.hash, orphan.hash);
    return `blocks ${base + 1}..${base + 2} replaced by ${base + 1}..${base + 3}; orphan ${seen ? 'seen by the views before the revert' : 'NOT seen before the revert'}`;
  } finally {
    await rpc(d.anvilUrl, 'evm_setIntervalMining', [1]);
    await d.traffic.start();
  }
}

/**
 * Injects `count` faults chosen by a seeded RNG: first every base kind once (shuffled),
 * then random picks. Between faults the system runs for 1.5–4 s under traffic.
 */
export async function injectFaults(
  d: ScenarioDeps,
  opts: { count: number; seed: number; gapMs?: [number, number]; extraShare?: number; onFault?: (f: FaultLog) => void },
): Promise<FaultLog[]> {
  const rng = createRng(opts.seed);
  const extras = Object.keys(d.extra ?? {}) as FaultKind[];
  const plan: FaultKind[] = rng.shuffle([...FAULT_KINDS, ...extras]);
  // Random picks after the first round; extra (slow) kinds get `extraShare` of them.
  while (plan.length < opts.count) plan.push(extras.length > 0 && rng.next() < (opts.extraShare ?? 0.2) ? rng.pick(extras) : rng.pick(FAULT_KINDS));
  const log: FaultLog[] = [];
  const cassandra = await createCassandra(d.stack.config(), logger, { migrate: false });
  const [gapMin, gapMax] = opts.gapMs ?? [1_500, 4_000];
  try {
    for (const kind of plan) {
      await sleep(rng.int(gapMin, gapMax));
      const at = Date.now();
      let detail: string | void = undefined;
      const orphans: string[] = [];
      if (kind.startsWith('kill-')) {
        const child = kind.slice(5) as ChildKind;
        d.stack.kill9(child);
        await sleep(rng.int(100, 1_500));
        await d.stack.start(child);
      } else if (kind === 'rpc-429' || kind === 'rpc-hang') {
        d.proxy.setMode(kind === 'rpc-429' ? '429' : 'hang');
        const ms = rng.int(2_000, 5_000);
        await sleep(ms);
        d.proxy.setMode('ok');
        detail = `${ms} ms`;
      } else if (kind === 'reorg') {
        detail = await reorg(d, cassandra, orphans);
      } else {
        const handler = d.extra?.[kind];
        if (!handler) throw new Error(`no handler for fault ${kind}`);
        detail = await handler();
      }
      const entry: FaultLog = { at, kind, ...(detail ? { detail } : {}), ...(orphans.length ? { orphans } : {}) };
      log.push(entry);
      opts.onFault?.(entry);
    }
  } finally {
    d.proxy.setMode('ok');
    await cassandra.shutdown();
  }
  return log;
}

export type CheckResult = ReconcileResult & {
  head: number;
  retractionsInLake: number;
  retractedHashes: Set<string>;
  /** Block and retracted hashes of every record in the Kafka topic (to tell an unpublished retraction from an uncompacted one). */
  topic: { blocks: Set<string>; retracted: Set<string> };
  catchUpMs: number;
  serveBlockHash: string | null;
};

/**
 * Stops traffic, waits until the speed views (every partition) and the batch horizon are past
 * head − FINALITY_DEPTH, then reconciles blocks 0..head − FINALITY_DEPTH.
 */
export async function catchUpAndReconcile(d: ScenarioDeps, timeoutMs: number): Promise<CheckResult> {
  await d.traffic.stop();
  d.proxy.setMode('ok');
  const t0 = Date.now();
  const cfg = d.stack.config({ ETH_RPC_URLS: d.anvilUrl });
  const head = await chainHead(d.anvilUrl);
  const to = head - cfg.FINALITY_DEPTH;
  const cassandra = await createCassandra(cfg, logger, { migrate: false });
  try {
    const views = createViewsQueries(cassandra, { chainId: CHAIN_ID, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
    await waitUntil(
      `speed views past block ${to + 2} on every partition`,
      async () => {
        const f = await views.freshness();
        return f.partitions.length >= cfg.KAFKA_PARTITIONS && Math.min(...f.partitions.map((p) => p.lastBlockNumber)) >= to + 2;
      },
      timeoutMs,
    );
    const paths = lakePaths(cfg.LAKE_DIR);
    await waitUntil(`batch horizon ≥ ${to}`, async () => ((await readBatchVersion(paths))?.horizon ?? -1) >= to, timeoutMs);
    const catchUpMs = Date.now() - t0;
    const common = createCommon('faults-reconcile', { config: cfg, installSignalHandlers: false });
    const result = await runReconcile(common, { from: 0, to, chainId: CHAIN_ID });
    // The serving process answers from the same stores.
    let serveBlockHash: string | null = null;
    try {
      const r = await fetch(`http://127.0.0.1:${d.stack.children.serve.port}/api/v1/blocks/${to}`);
      serveBlockHash = r.ok ? ((await r.json()) as { hash?: string; block?: { hash?: string } }).hash ?? null : null;
    } catch {
      serveBlockHash = null;
    }
    const retractedHashes = await retractedInLake(cfg.LAKE_DIR);
    const kafka = createKafka(cfg, logger, 'faults-check');
    const topic = { blocks: new Set<string>(), retracted: new Set<string>() };
    for (const { record } of await readTopic(kafka, topicNames(cfg, CHAIN_ID).blocks, `faults-check-${Date.now()}`))
      (record.kind === 'block' ? topic.blocks : topic.retracted).add(record.block.hash);
    return { ...result, head, retractionsInLake: retractedHashes.size, retractedHashes, topic, catchUpMs, serveBlockHash };
  } finally {
    await cassandra.shutdown();
  }
}

/** Distinct orphan hashes of every retraction row in the raw lake. */
async function retractedInLake(lakeDir: string): Promise<Set<string>> {
  const dir = join(lakePaths(lakeDir).rawTable('retractions'));
  const files: string[] = [];
  const walk = (p: string) => {
    let entries;
    try {
      entries = readdirSync(p, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) e.isDirectory() ? walk(join(p, e.name)) : e.name.endsWith('.parquet') && files.push(join(p, e.name));
  };
  walk(dir);
  if (files.length === 0) return new Set();
  const duck = await createDuck({ memoryLimit: '256MB', threads: 1 });
  try {
    const conn = await duck.connect();
    const rows = await queryRows(conn, `SELECT DISTINCT hash FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}])`);
    return new Set(rows.map((r) => String(r.hash)));
  } finally {
    duck.close();
  }
}

/** Start every chainlake process; ingest first: it creates the topics and migrates the keyspace the others use. */
export async function startChildren(stack: Stack): Promise<void> {
  await stack.start('ingest');
  await Promise.all([stack.start('views'), stack.start('schedule'), stack.start('serve')]);
}

/** Stop traffic, the processes, the proxy and anvil; remove the work dir unless `keepDir`. */
export async function stopScenario(p: { traffic?: TrafficControl; stack?: Stack; proxy?: RpcProxy; anvil?: { stop: () => Promise<unknown> } }, keepDir = false): Promise<void> {
  await p.traffic?.stop().catch(() => {});
  await p.stack?.stopAll();
  await p.proxy?.close();
  await p.anvil?.stop();
  if (!keepDir) p.stack?.cleanup();
}

export { CHILD_KINDS };
