import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { nodeFinalityWanted } from '../../core/config.js';
import { FatalError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { RpcJsonRpcError, RpcMethodNotFoundError, RpcTimeoutError } from '../rpc/errors.js';
import { createFinalityPoller, finalizedNumber } from './finality.js';
import { createIngestCore } from './pipeline.js';
import { planReorg } from './reorg.js';
import { memChain, memSink, memState } from './testing.js';

const silent = createLogger({ level: 'silent', pretty: false });

/** A logger that keeps warn lines (to count the "no finality" sentence). */
function warnings() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'silent', pretty: false });
  logger.warn = ((o: { msg?: string }) => void lines.push(String(o.msg))) as typeof logger.warn;
  return { logger, lines };
}

const stubPool = (answer: () => unknown) => ({
  calls: 0,
  async request<T>(method: string, params: unknown[]): Promise<T> {
    this.calls++;
    expect(method).toBe('eth_getBlockByNumber');
    expect(params).toEqual(['finalized', false]);
    return answer() as T;
  },
});

describe('finality source', () => {
  test('auto asks the node except on anvil; node always; depth never', () => {
    expect(nodeFinalityWanted({ FINALITY_SOURCE: 'auto' }, 1)).toBe(true);
    expect(nodeFinalityWanted({ FINALITY_SOURCE: 'auto' }, 31337)).toBe(false);
    expect(nodeFinalityWanted({ FINALITY_SOURCE: 'node' }, 31337)).toBe(true);
    expect(nodeFinalityWanted({ FINALITY_SOURCE: 'depth' }, 1)).toBe(false);
  });

  test('finalizedNumber reads the block number and nothing else', () => {
    expect(finalizedNumber({ number: '0x10', hash: '0x' })).toBe(16);
    expect(finalizedNumber(null)).toBeNull();
    expect(finalizedNumber({})).toBeNull();
    expect(finalizedNumber({ number: 16 })).toBeNull();
    expect(finalizedNumber({ number: '0xzz' })).toBeNull();
  });
});

describe('finality poller', () => {
  test('polls at most once per interval, keeps the highest value, sets the gauge only when known', async () => {
    let t = 0;
    let answer: unknown = null;
    const pool = stubPool(() => answer);
    const metrics = new Registry();
    const read = createFinalityPoller({ pool, intervalMs: 1000, logger: silent, metrics, now: () => t });
    expect(await read()).toBeNull();
    expect(metrics.getSingleMetric('chainlake_ingest_finalized_block')).toBeUndefined();
    answer = { number: '0x20' };
    t = 500;
    expect(await read()).toBeNull(); // within the interval: no request
    expect(pool.calls).toBe(1);
    t = 1000;
    expect(await read()).toBe(32);
    answer = { number: '0x1f' }; // a lagging endpoint never moves finality back
    t = 2000;
    expect(await read()).toBe(32);
    expect(pool.calls).toBe(3);
    expect(await metrics.getSingleMetricAsString('chainlake_ingest_finalized_block')).toMatch(/chainlake_ingest_finalized_block 32/);
  });

  test.each([
    ['method not found', () => Promise.reject(new RpcMethodNotFoundError('ep', 'eth_getBlockByNumber'))],
    ['unsupported tag', () => Promise.reject(new RpcJsonRpcError('ep', 'eth_getBlockByNumber', -32602, 'invalid block tag "finalized"'))],
    ['null block', () => null],
  ])('%s: no finality, logged once', async (_, answer) => {
    let t = 0;
    const { logger, lines } = warnings();
    const read = createFinalityPoller({ pool: stubPool(answer), intervalMs: 10, logger, now: () => t });
    for (let i = 0; i < 5; i++, t += 10) expect(await read()).toBeNull();
    expect(lines.filter((l) => /no finalized block/.test(l))).toHaveLength(1);
  });

  test('a timeout keeps the last known value, without the "no finality" line', async () => {
    let t = 0;
    let fail = false;
    const { logger, lines } = warnings();
    const read = createFinalityPoller({ pool: stubPool(() => (fail ? Promise.reject(new RpcTimeoutError('ep', 'eth_getBlockByNumber', 10)) : { number: '0x5' })), intervalMs: 10, logger, now: () => t });
    expect(await read()).toBe(5);
    fail = true;
    t = 10;
    expect(await read()).toBe(5);
    expect(lines).toEqual([]);
  });
});

describe('finality in the ingest core', () => {
  test('records carry the finalized block, capped at their own number', async () => {
    const chain = memChain(30);
    const sink = memSink();
    const core = createIngestCore(
      { chainId: 1, startBlock: 0, stopAt: 29, concurrency: 4, reorgWindow: 32, pollIntervalMs: 1, maxBatchBlocks: 5 },
      { source: chain.source(), sink, state: memState(), logger: silent, finality: async () => 20 },
    );
    await core.run(new AbortController().signal);
    const fin = sink.log.map((p) => (p.kind === 'record' && p.record.kind === 'block' ? [p.record.block.number, p.record.finalized] : null));
    expect(fin).toEqual(chain.blocks.map((b) => [b.number, Math.min(20, b.number)]));
  });

  test('without finality from the node, records have no finalized field', async () => {
    const chain = memChain(5);
    const sink = memSink();
    const core = createIngestCore(
      { chainId: 1, startBlock: 0, stopAt: 4, concurrency: 2, reorgWindow: 32, pollIntervalMs: 1 },
      { source: chain.source(), sink, state: memState(), logger: silent, finality: async () => null },
    );
    await core.run(new AbortController().signal);
    expect(sink.log.every((p) => p.kind === 'record' && !('finalized' in p.record))).toBe(true);
  });

  test('a reorg above the finalized block is followed; one at or below it is fatal with a clear sentence', async () => {
    const chain = memChain(20);
    const window = chain.blocks.map((b) => ({ ...b }));
    chain.fork(16, 5, 'fork');
    const src = chain.source();
    const mismatched = await src.fetch(20);
    const plan = await planReorg({ chainId: 1, window, mismatched, fetch: (n) => src.fetch(n), finalized: 16 });
    expect(plan.ancestor).toBe(16);
    const err = await planReorg({ chainId: 1, window, mismatched, fetch: (n) => src.fetch(n), finalized: 17 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toMatch(/REORG BELOW THE FINALIZED BLOCK on chain 1: block 17 .* every block up to 17 is final/);
  });

  test('the follower stops with that FatalError when the chain forks below what the node finalized', async () => {
    const chain = memChain(20);
    const sink = memSink();
    const state = memState();
    const o = { chainId: 1, startBlock: 0 as const, concurrency: 2, reorgWindow: 32, pollIntervalMs: 1 };
    await createIngestCore({ ...o, stopAt: 19 }, { source: chain.source(), sink, state, logger: silent }).run(new AbortController().signal);
    chain.fork(10, 12, 'fork');
    const run = createIngestCore({ ...o, stopAt: 21 }, { source: chain.source(), sink, state, logger: silent, finality: async () => 15 }).run(new AbortController().signal);
    await expect(run).rejects.toThrow(/REORG BELOW THE FINALIZED BLOCK.*block 15/);
  });
});
