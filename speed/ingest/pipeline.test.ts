import { describe, expect, test } from 'vitest';
import { FatalError, RetryableError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { createIngestCore, type IngestCoreOptions } from './pipeline.js';
import { canonicalFromLog, memChain, memSink, memState, SimulatedCrash, withoutPublishedAt, type MemChain } from './testing.js';
import type { Publication } from './types.js';

const logger = createLogger({ level: 'silent', pretty: false });
const opts = (o: Partial<IngestCoreOptions> = {}): IngestCoreOptions => ({
  chainId: 1,
  startBlock: 0,
  concurrency: 4,
  reorgWindow: 32,
  pollIntervalMs: 1,
  maxBatchBlocks: 7,
  ...o,
});

function expectConsistentLog(log: Publication[], chain: MemChain) {
  // Rebuilding the chain from the topic gives exactly the canonical chain: no gap, no orphan left.
  const rebuilt = canonicalFromLog(log);
  expect([...rebuilt.keys()].sort((a, b) => a - b)).toEqual(chain.blocks.map((b) => b.number));
  for (const b of chain.blocks) expect(rebuilt.get(b.number), `block ${b.number}`).toBe(b.hash);
  // Every published block that is not canonical was retracted after it was (last) published:
  // consumers that index by hash (tx by hash, address history) must never keep an orphan.
  const canonical = new Set(chain.blocks.map((b) => b.hash));
  const lastPublished = new Map<string, number>();
  const lastRetracted = new Map<string, number>();
  log.forEach((p, i) => {
    if (p.kind === 'dlq') lastPublished.set(p.entry.blockHash, i);
    else (p.record.kind === 'block' ? lastPublished : lastRetracted).set(p.record.block.hash, i);
  });
  const unretracted = [...lastPublished].filter(([h, i]) => !canonical.has(h) && !((lastRetracted.get(h) ?? -1) > i)).map(([h]) => h);
  expect(unretracted, 'orphans without a later retraction').toEqual([]);
  // Anything published twice is the same record apart from publishedAt.
  const seen = new Map<string, string>();
  for (const p of log) {
    const id = p.kind === 'dlq' ? `dlq:${p.entry.blockHash}` : `${p.record.kind}:${p.record.block.hash}`;
    const body = JSON.stringify(withoutPublishedAt(p));
    const prev = seen.get(id);
    if (prev !== undefined) expect(body).toBe(prev);
    seen.set(id, body);
  }
}

describe('ingest orchestration on an in-memory chain', () => {
  test('publishes every block once, in order, and checkpoints the tip', async () => {
    const chain = memChain(100);
    const sink = memSink();
    const state = memState();
    const core = createIngestCore(opts({ stopAt: 99 }), { source: chain.source(), sink, state, logger });
    await core.run(new AbortController().signal);
    const numbers = sink.log.map((p) => (p.kind === 'record' ? p.record.block.number : p.entry.blockNumber));
    expect(numbers).toEqual(chain.blocks.map((b) => b.number));
    expect(state.state.get(1)?.checkpoint).toEqual({ number: 99, hash: chain.blocks[99]?.hash });
    expect(state.state.get(1)?.window.length).toBe(32);
  });

  test("START_BLOCK 'latest' without a checkpoint starts at the head; a checkpoint wins over it", async () => {
    const chain = memChain(50);
    const sink = memSink();
    const state = memState();
    await createIngestCore(opts({ startBlock: 'latest', stopAt: 49 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    expect(sink.log.map((p) => (p.kind === 'record' ? p.record.block.number : -1))).toEqual([49]);
    chain.extend(5);
    await createIngestCore(opts({ startBlock: 'latest', stopAt: 54 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    expect(sink.log.map((p) => (p.kind === 'record' ? p.record.block.number : -1))).toEqual([49, 50, 51, 52, 53, 54]);
  });

  test('a reorg during the run publishes retractions newest first, then the new canonical blocks', async () => {
    const chain = memChain(60);
    const sink = memSink();
    const state = memState();
    const c1 = createIngestCore(opts({ stopAt: 59 }), { source: chain.source(), sink, state, logger });
    await c1.run(new AbortController().signal);
    const before = sink.log.length;
    chain.fork(54, 8, 'fork'); // 55..59 orphaned, new head 62
    const reorgs: number[] = [];
    const c2 = createIngestCore(opts({ stopAt: 62 }), { source: chain.source(), sink, state, logger, observer: { reorg: (r) => reorgs.push(r.depth) } });
    await c2.run(new AbortController().signal);
    const tail = sink.log.slice(before).map((p) => (p.kind === 'record' ? `${p.record.kind}:${p.record.block.number}` : 'dlq'));
    expect(tail).toEqual(['retraction:59', 'retraction:58', 'retraction:57', 'retraction:56', 'retraction:55', ...[55, 56, 57, 58, 59, 60, 61, 62].map((n) => `block:${n}`)]);
    expect(reorgs).toEqual([5]);
    expectConsistentLog(sink.log, chain);
  });

  test('blocks acked by Kafka are retracted on a reorg even while saving the checkpoint fails', async () => {
    const chain = memChain(20);
    const sink = memSink();
    const mem = memState();
    let failing = false;
    // Kafka acks, then the state store (Cassandra) is down: commits fail with a retryable error.
    const state = { ...mem, commit: async (...a: Parameters<typeof mem.commit>) => (failing ? Promise.reject(new RetryableError('cassandra unavailable')) : mem.commit(...a)) };
    const published = (n: number, hash?: string) => sink.log.some((p) => p.kind === 'record' && p.record.kind === 'block' && p.record.block.number === n && (hash === undefined || p.record.block.hash === hash));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(cond()).toBe(true);
    };
    const ac = new AbortController();
    const running = createIngestCore(opts(), { source: chain.source(), sink, state, logger }).run(ac.signal);
    await until(() => published(19));
    failing = true;
    chain.extend(2, 'orphan'); // 20, 21: published, never checkpointed
    const orphans = chain.blocks.slice(20).map((b) => b.hash);
    await until(() => published(21, orphans[1]));
    chain.fork(19, 3, 'new'); // 20', 21', 22' replace them
    failing = false;
    await until(() => published(22));
    ac.abort();
    await running.catch(() => {});
    const retracted = sink.log.filter((p) => p.kind === 'record' && p.record.kind === 'retraction').map((p) => (p as { record: { block: { hash: string } } }).record.block.hash);
    expect(retracted).toEqual([orphans[1], orphans[0]]);
    expectConsistentLog(sink.log, chain);
  });

  const publishedHashes = (log: Publication[]) => new Set(log.flatMap((p) => (p.kind === 'record' && p.record.kind === 'block' ? [p.record.block.hash] : [])));
  const retractedHashes = (log: Publication[]) => log.flatMap((p) => (p.kind === 'record' && p.record.kind === 'retraction' ? [p.record.block.hash] : []));

  test('blocks a crashed run published but never checkpointed are retracted after the restart when the chain replaced them', async () => {
    const chain = memChain(20);
    const sink = memSink();
    const state = memState();
    await createIngestCore(opts({ stopAt: 19 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    chain.extend(5, 'orphan'); // 20..24
    sink.crashAt(sink.calls, 'after'); // Kafka gets the first batch of 20..24, the process dies before the checkpoint
    const crashed = await createIngestCore(opts({ stopAt: 24, maxBatchBlocks: 5, concurrency: 8 }), { source: chain.source(), sink, state, logger })
      .run(new AbortController().signal)
      .catch((e) => e);
    expect(crashed).toBeInstanceOf(SimulatedCrash);
    expect(state.state.get(1)?.checkpoint?.number).toBe(19);
    const orphanBlocks = chain.blocks.slice(20).filter((b) => publishedHashes(sink.log).has(b.hash));
    const orphans = orphanBlocks.map((b) => b.hash);
    expect(orphans.length).toBeGreaterThan(0);
    sink.crashAt(null);
    chain.fork(19, 3, 'new'); // 20'..22': a shorter chain replaced them while ingest was down
    const before = sink.log.length;
    await createIngestCore(opts({ stopAt: 22 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    const tail = sink.log.slice(before).map((p) => (p.kind === 'record' ? `${p.record.kind}:${p.record.block.number}` : 'dlq'));
    // Those at 20..22 are replaced now (retracted, newest first, before their heights are published again); any above once the new chain gets there.
    const replaced = orphanBlocks.filter((b) => b.number <= 22).map((b) => `retraction:${b.number}`).reverse();
    expect(tail).toEqual([...replaced, 'block:20', 'block:21', 'block:22']);
    chain.extend(4, 'new');
    await createIngestCore(opts({ stopAt: 26 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    expect(retractedHashes(sink.log).sort()).toEqual([...orphans].sort());
    expect(state.state.get(1)?.inflight).toEqual([]);
    expectConsistentLog(sink.log, chain);
  });

  test('a send that fails after reaching the broker, then a reorg: what it may have published is retracted', async () => {
    const chain = memChain(20);
    const inner = memSink();
    let breakNext = false;
    let orphans: string[] = [];
    const sink = {
      async publish(pubs: Publication[]) {
        await inner.publish(pubs);
        if (!breakNext) return;
        breakNext = false;
        orphans = chain.blocks.slice(20).filter((b) => publishedHashes(inner.log).has(b.hash)).map((b) => b.hash);
        chain.fork(19, 6, 'new');
        throw new RetryableError('broker connection lost after the send (simulated)');
      },
    };
    const state = memState();
    await createIngestCore(opts({ stopAt: 19 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    chain.extend(4, 'orphan'); // 20..23
    breakNext = true;
    await createIngestCore(opts({ stopAt: 25 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    expect(orphans.length).toBeGreaterThan(0);
    expect(retractedHashes(inner.log)).toEqual([...orphans].reverse());
    expectConsistentLog(inner.log, chain);
  });

  test('nothing is published while blocks cannot be staged in the state store', async () => {
    const chain = memChain(10);
    const sink = memSink();
    const state = memState();
    state.failStage = true;
    const ac = new AbortController();
    const running = createIngestCore(opts(), { source: chain.source(), sink, state, logger }).run(ac.signal);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.log).toEqual([]);
    state.failStage = false;
    for (let i = 0; i < 600 && state.state.get(1)?.checkpoint?.number !== 9; i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await running;
    expectConsistentLog(sink.log, chain);
  });

  test('an undecodable block goes to the DLQ and ingest continues past it', async () => {
    const chain = memChain(30);
    const sink = memSink();
    const core = createIngestCore(opts({ stopAt: 29 }), { source: chain.source({ dlqAt: new Set([12]) }), sink, state: memState(), logger });
    await core.run(new AbortController().signal);
    const dlq = sink.log.filter((p) => p.kind === 'dlq');
    expect(dlq.map((p) => (p.kind === 'dlq' ? [p.entry.blockNumber, p.entry.reason] : null))).toEqual([[12, 'bad receipt']]);
    expect(sink.log.some((p) => p.kind === 'record' && p.record.block.number === 12)).toBe(false);
    expect(sink.log.some((p) => p.kind === 'record' && p.record.block.number === 29)).toBe(true);
  });

  test('a reorg deeper than the window stops ingest with a FatalError', async () => {
    const chain = memChain(80);
    const sink = memSink();
    const state = memState();
    await createIngestCore(opts({ stopAt: 79, reorgWindow: 8 }), { source: chain.source(), sink, state, logger }).run(new AbortController().signal);
    chain.fork(60, 25, 'deep');
    const err = await createIngestCore(opts({ reorgWindow: 8 }), { source: chain.source(), sink, state, logger })
      .run(new AbortController().signal)
      .catch((e) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect(state.state.get(1)?.checkpoint?.number).toBe(79);
  });

  test('transient fetch failures are retried without skipping a block', async () => {
    const chain = memChain(50);
    const sink = memSink();
    await createIngestCore(opts({ stopAt: 49 }), { source: chain.source({ failEvery: 9 }), sink, state: memState(), logger }).run(new AbortController().signal);
    expectConsistentLog(sink.log, chain);
  });

  test('follows a growing head and stops on abort', async () => {
    const chain = memChain(10);
    const sink = memSink();
    const ac = new AbortController();
    const core = createIngestCore(opts(), { source: chain.source(), sink, state: memState(), logger });
    const running = core.run(ac.signal);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
      chain.extend(3);
    }
    const deadline = Date.now() + 5_000;
    while (core.tip()?.number !== chain.blocks.length - 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await running;
    expectConsistentLog(sink.log, chain);
  });

  // Crash at every publish (before or after the broker got it) and at every checkpoint
  // commit, with a reorg happening mid-run; restart from the stored checkpoint each time.
  const crashPoints: { name: string; at: number; where: 'before' | 'after' | 'commit' }[] = [];
  for (let k = 0; k < 24; k++) for (const where of ['before', 'after', 'commit'] as const) crashPoints.push({ name: `${where} #${k}`, at: k, where });

  test.each(crashPoints)('crash $name + restart from the checkpoint: no gap, duplicates only identical', async ({ at, where }) => {
    const chain = memChain(90);
    let forked = false;
    const source = chain.source({
      dlqAt: new Set([33]),
      onFetch: (n) => {
        // The chain reorganises under us once block 70 is first requested.
        if (n === 70 && !forked) {
          forked = true;
          chain.fork(62, 40, 'fork');
        }
      },
    });
    const sink = memSink();
    const state = memState();
    if (where === 'commit') state.crashOnCommit = at;
    else sink.crashAt(at, where);
    const first = await createIngestCore(opts({ stopAt: 101 }), { source, sink, state, logger })
      .run(new AbortController().signal)
      .then(() => null, (e) => e);
    if (first !== null) expect(first).toBeInstanceOf(SimulatedCrash);
    sink.crashAt(null);
    state.crashOnCommit = null;
    await createIngestCore(opts({ stopAt: 102 }), { source, sink, state, logger }).run(new AbortController().signal);
    expectConsistentLog(sink.log, chain);
    expect(state.state.get(1)?.checkpoint).toEqual({ number: 102, hash: chain.blocks[102]?.hash });
  });
});
