// The node's finalized block, as ingest knows it: polled with eth_getBlockByNumber("finalized")
// through the RPC pool (so counted in quotas like every other request) at most every
// FINALITY_POLL_MS. Ingest stamps it on the block records it publishes (record.finalized), which
// carries it through Kafka and the lake to the batch horizon, and its reorg check refuses a fork
// below it. A node without the tag (-32601, "unsupported block tag", a null block) means "no
// finality": logged once, and the batch horizon falls back to FINALITY_DEPTH.
import type { Registry } from 'prom-client';
import { errorMessage, isRetryable } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { gauge } from '../../core/metrics.js';
import type { RpcPool } from '../rpc/index.js';

/** The last known finalized block number (null: the node gave none yet); refreshes when the interval passed. */
export type FinalityReader = (signal?: AbortSignal) => Promise<number | null>;

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/i;

/** The finalized block number in an eth_getBlockByNumber("finalized") answer, or null when it holds none. */
export function finalizedNumber(result: unknown): number | null {
  if (typeof result !== 'object' || result === null) return null;
  const n = (result as { number?: unknown }).number;
  if (typeof n !== 'string' || !QUANTITY.test(n)) return null;
  const v = Number.parseInt(n.slice(2), 16);
  return Number.isSafeInteger(v) ? v : null;
}

export function createFinalityPoller(opts: {
  pool: Pick<RpcPool, 'request'>;
  intervalMs: number;
  logger: Logger;
  metrics?: Registry;
  now?: () => number;
}): FinalityReader {
  const now = opts.now ?? Date.now;
  // Registered at the first value: an unlabelled gauge would otherwise read 0, as if block 0 were final.
  const setGauge = (n: number) => {
    if (opts.metrics) gauge(opts.metrics, { name: 'chainlake_ingest_finalized_block', help: "The node's finalized block number (present only once the node gave one)" }).set(n);
  };
  let finalized: number | null = null;
  let polledAt = Number.NEGATIVE_INFINITY;
  let saidUnsupported = false;
  let polling: Promise<void> | null = null;

  const unsupported = (why: string) => {
    if (saidUnsupported) return;
    saidUnsupported = true;
    opts.logger.warn({ msg: 'The node gives no finalized block; the batch horizon and reorg window keep FINALITY_DEPTH', why });
  };

  const poll = async (signal?: AbortSignal) => {
    try {
      // Two attempts, not the pool's default of waiting for an endpoint forever: finality is an
      // improvement, never a reason to stall ingest.
      const result = await opts.pool.request('eth_getBlockByNumber', ['finalized', false], { maxAttempts: 2, ...(signal ? { signal } : {}) });
      const n = finalizedNumber(result);
      if (n === null) return unsupported(result === null ? 'null block' : 'no block number in the answer');
      // Finality only moves forward; a lagging endpoint of the pool must not move it back.
      if (finalized === null || n > finalized) {
        if (finalized === null) opts.logger.info({ msg: 'The node gives finality; the batch horizon and reorg window follow it', finalized: n });
        finalized = n;
        setGauge(n);
      }
    } catch (e) {
      if (signal?.aborted) return;
      // Timeouts and rate limits: keep the last known value and ask again at the next interval.
      if (isRetryable(e) && !/block tag|finalized|invalid argument|not supported|unsupported/i.test(errorMessage(e)))
        opts.logger.debug({ msg: 'Finalized block poll failed', err: errorMessage(e) });
      else unsupported(errorMessage(e));
    }
  };

  return async (signal) => {
    if (now() - polledAt >= opts.intervalMs) {
      polledAt = now();
      polling ??= poll(signal).finally(() => {
        polling = null;
      });
    }
    await polling;
    return finalized;
  };
}
