// The local chain traffic generator: deploys three ERC-20 tokens and a Counter, then
// sends a seeded, realistic mix at a target rate. Each account is a lane that sends in
// nonce order with local nonces (fire-and-forget: the node accepting the tx is enough),
// so throughput is bounded by RPC latency × accounts, not by block time.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Address } from 'viem';
import { z } from 'zod';
import { type Config, loadConfig } from '../../core/config.js';
import { FatalError, ValidationError, errorMessage, sleep } from '../../core/errors.js';
import { counter, gauge } from '../../core/metrics.js';
import { trafficBytecode } from './artifacts.js';
import { type SignedTx, type TrafficChain, createTrafficChain } from './chain.js';
import { DEFAULT_MIX, type PlannedTx, type TrafficWorld, type TxKind, createPlanner, planSetup } from './mix.js';

export type TrafficStats = {
  /** Txs the node accepted (setup txs included, under setup_* kinds). */
  sent: number;
  /** Sends the node rejected or that failed on the wire. */
  failedToSend: number;
  /** Planned txs skipped because an account's queue was full (the node is slower than the target rate). */
  dropped: number;
  byKind: Record<string, number>;
};

export type TrafficHandle = {
  /** Stops planning, drops queued txs, waits for in-flight sends. Idempotent. */
  stop(): Promise<void>;
  stats(): TrafficStats;
  /** The three long-lived ERC-20 tokens (checksummed addresses). */
  tokens: string[];
  counter: string;
  /** Block number the setup deploys were mined in. */
  setupBlock: bigint;
};

export type TrafficOptions = {
  rpcUrl: string;
  /** Target tx/s; default config TRAFFIC_TPS. */
  tps?: number;
  logger: Logger;
  signal?: AbortSignal;
  seed?: number;
  /** How many of the mnemonic's dev accounts send (1..20, default 10; anvil funds 10 unless started with --accounts). */
  accounts?: number;
  metrics?: Registry;
  config?: Pick<Config, 'TRAFFIC_TPS'>;
  mix?: Readonly<Record<TxKind, number>>;
  /** Planned txs an account may have waiting before new ones are dropped (default max(16, tps)). */
  maxQueuePerAccount?: number;
  /**
   * Concurrent eth_sendRawTransaction calls per account (default 1: txs reach the node in
   * nonce order). 4 lifts a loaded 2-core box from ~150 to 200+ tx/s, but lets nonces arrive
   * out of order, which anvil's pool occasionally failed to promote in our runs.
   */
  maxInFlightPerAccount?: number;
};

const optionsSchema = z.object({
  rpcUrl: z.string().url(),
  tps: z.number().finite().nonnegative().max(10_000),
  seed: z.number().int(),
  accounts: z.number().int().min(1).max(20),
});

export const SETUP_RECEIPT_TIMEOUT_MS = 60_000;

/** Builds the world (addresses the setup deploys will get) from account 0's current nonce. */
export function trafficWorld(chain: TrafficChain): TrafficWorld {
  const [t0, t1, t2, counter] = chain.nextContractAddresses(0, 4) as [Address, Address, Address, Address];
  return { accounts: chain.addresses, tokens: [t0, t1, t2], counter, bytecode: trafficBytecode() };
}

export function trafficMetrics(registry: Registry) {
  return {
    sent: counter(registry, { name: 'chainlake_traffic_txs_sent_total', help: 'Txs accepted by the node, by kind', labelNames: ['kind'] }),
    failed: counter(registry, { name: 'chainlake_traffic_send_errors_total', help: 'Tx sends that failed' }),
    dropped: counter(registry, { name: 'chainlake_traffic_txs_dropped_total', help: 'Planned txs dropped because an account queue was full' }),
    targetTps: gauge(registry, { name: 'chainlake_traffic_target_tps', help: 'Target tx/s of the traffic generator' }),
  };
}

/** viem errors carry the request URL in `message`; log only the short message and the node's reply. */
export function safeError(e: unknown): { error: string; details?: string } {
  const err = e as { shortMessage?: string; details?: string };
  return err.shortMessage !== undefined ? { error: err.shortMessage, ...(err.details ? { details: err.details } : {}) } : { error: errorMessage(e).split('\n')[0] ?? 'unknown' };
}

/** Sends setup txs in order and waits until every one is mined successfully. */
export async function runSetupPhase(chain: TrafficChain, txs: PlannedTx[], onSent: (tx: PlannedTx) => void): Promise<bigint> {
  const signed: SignedTx[] = [];
  for (const tx of txs) {
    const s = await chain.sign(tx);
    await chain.send(s);
    onSent(tx);
    signed.push(s);
  }
  const receipts = await Promise.all(
    signed.map((s) => chain.client.waitForTransactionReceipt({ hash: s.hash, pollingInterval: 100, timeout: SETUP_RECEIPT_TIMEOUT_MS })),
  );
  const failed = receipts.find((r) => r.status !== 'success');
  if (failed) throw new FatalError(`traffic setup tx ${failed.transactionHash} reverted`);
  return receipts.reduce((max, r) => (r.blockNumber > max ? r.blockNumber : max), 0n);
}

export async function startTraffic(opts: TrafficOptions): Promise<TrafficHandle> {
  const parsed = optionsSchema.safeParse({
    rpcUrl: opts.rpcUrl,
    tps: opts.tps ?? (opts.config ?? loadConfig()).TRAFFIC_TPS,
    seed: opts.seed ?? Date.now() % 2 ** 31,
    accounts: opts.accounts ?? 10,
  });
  if (!parsed.success) throw new ValidationError(`invalid traffic options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { tps, seed } = parsed.data;
  const logger = opts.logger.child({ component: 'traffic' });
  const metrics = opts.metrics ? trafficMetrics(opts.metrics) : undefined;
  metrics?.targetTps.set(tps);

  const chain = await createTrafficChain({ rpcUrl: opts.rpcUrl, accounts: parsed.data.accounts });
  const world = trafficWorld(chain);
  const stats: TrafficStats = { sent: 0, failedToSend: 0, dropped: 0, byKind: {} };
  const countSent = (kind: string) => {
    stats.sent++;
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
    metrics?.sent.inc({ kind });
  };

  const setup = planSetup(world);
  const setupBlock = await runSetupPhase(chain, setup.deploys, (tx) => countSent(tx.kind));
  await runSetupPhase(chain, setup.approvals, (tx) => countSent(tx.kind));
  logger.info({ msg: 'Traffic setup mined', chainId: chain.chainId, tokens: world.tokens, counter: world.counter, setupBlock: Number(setupBlock), accounts: chain.addresses.length, tps, seed });

  const planner = createPlanner(world, { seed, mix: opts.mix ?? DEFAULT_MIX });
  const maxQueue = opts.maxQueuePerAccount ?? Math.max(16, Math.ceil(tps));
  const maxInFlight = opts.maxInFlightPerAccount ?? 1;
  const lanes = chain.addresses.map(() => ({ queue: [] as PlannedTx[], running: undefined as Promise<void> | undefined, resync: false }));
  const stopper = new AbortController();
  let lastErrorLog = 0;

  const onSendError = (lane: (typeof lanes)[number], tx: PlannedTx, from: number, e: unknown) => {
    // The nonce may or may not have been consumed: ask the node before this lane's next tx.
    lane.resync = true;
    stats.failedToSend++;
    metrics?.failed.inc();
    if (Date.now() - lastErrorLog > 5_000) {
      lastErrorLog = Date.now();
      logger.warn({ msg: 'Tx send failed', kind: tx.kind, from, failedToSend: stats.failedToSend, ...safeError(e) });
    }
  };
  /** Signs a lane's txs in nonce order and keeps up to maxInFlight sends open (anvil accepts nonces out of order). */
  const runLane = async (from: number) => {
    const lane = lanes[from] as (typeof lanes)[number];
    const inflight = new Set<Promise<void>>();
    for (let tx = lane.queue.shift(); tx !== undefined; tx = lane.queue.shift()) {
      const planned = tx;
      if (lane.resync) {
        await Promise.all(inflight);
        try {
          await chain.resyncNonce(from);
          lane.resync = false;
        } catch (e) {
          onSendError(lane, planned, from, e);
          continue;
        }
      }
      const signed = await chain.sign(planned);
      const send: Promise<void> = chain
        .send(signed)
        .then(
          (hash) => {
            countSent(planned.kind);
            logger.trace({ msg: 'Tx sent', kind: planned.kind, from, nonce: signed.nonce, hash });
          },
          (e: unknown) => onSendError(lane, planned, from, e),
        )
        .finally(() => inflight.delete(send));
      inflight.add(send);
      if (inflight.size >= maxInFlight) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  };
  const enqueue = (tx: PlannedTx) => {
    const lane = lanes[tx.from] as (typeof lanes)[number];
    if (lane.queue.length >= maxQueue) {
      stats.dropped++;
      metrics?.dropped.inc();
      return;
    }
    lane.queue.push(tx);
    pump(tx.from);
  };
  const pump = (from: number) => {
    const lane = lanes[from] as (typeof lanes)[number];
    if (lane.running) return;
    lane.running = runLane(from).finally(() => {
      lane.running = undefined;
      // A tx enqueued between the loop's last shift and this callback must not wait for the next one.
      if (lane.queue.length > 0 && !stopper.signal.aborted) pump(from);
    });
  };

  const schedule = async () => {
    if (tps === 0) return;
    const tickMs = Math.min(100, Math.max(10, Math.floor(1000 / tps)));
    const started = performance.now();
    let planned = 0;
    let lastReport = Date.now();
    while (!stopper.signal.aborted) {
      const due = Math.floor(((performance.now() - started) / 1000) * tps) - planned;
      // After a stall (GC, suspended laptop) do not burst more than one second of traffic.
      const sendNow = Math.min(due, Math.max(1, Math.ceil(tps)));
      for (let i = 0; i < sendNow; i++) enqueue(planner.next());
      planned += due;
      stats.dropped += due - sendNow;
      if (Date.now() - lastReport >= 10_000) {
        lastReport = Date.now();
        logger.info({ msg: 'Traffic progress', sent: stats.sent, failedToSend: stats.failedToSend, dropped: stats.dropped });
      }
      await sleep(tickMs, stopper.signal).catch(() => undefined);
    }
  };
  const refreshFees = async () => {
    while (!stopper.signal.aborted) {
      await sleep(5_000, stopper.signal).catch(() => undefined);
      if (stopper.signal.aborted) break;
      await chain.refreshFees().catch((e) => logger.warn({ msg: 'Fee refresh failed', ...safeError(e) }));
    }
  };
  const loops = Promise.all([schedule(), refreshFees()]);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopper.abort();
      await loops;
      // Planned but never handed to the node: count them, so planned = sent + failedToSend + dropped.
      for (const lane of lanes) {
        stats.dropped += lane.queue.length;
        metrics?.dropped.inc(lane.queue.length);
        lane.queue.length = 0;
      }
      await Promise.all(lanes.map((l) => l.running));
      logger.info({ msg: 'Traffic stopped', sent: stats.sent, failedToSend: stats.failedToSend, dropped: stats.dropped, byKind: stats.byKind });
    })();
    return stopped;
  };
  if (opts.signal?.aborted) await stop();
  else opts.signal?.addEventListener('abort', () => void stop(), { once: true });

  return {
    stop,
    stats: () => ({ ...stats, byKind: { ...stats.byKind } }),
    tokens: [...world.tokens],
    counter: world.counter,
    setupBlock,
  };
}
