// The ingest loop without drivers: sync from the checkpoint to the head with ordered
// concurrent fetches, detect reorgs, publish, and advance the checkpoint only after the
// sink acknowledged. Used by the follower (Cassandra state) and by `backfill` (in-memory
// state, so the follower's checkpoint never moves).
import type { Logger } from '../../core/logger.js';
import { errorMessage, FatalError, isRetryable, sleep } from '../../core/errors.js';
import { RECORD_SCHEMA } from '../../core/chain.js';
import { orderedFetch } from './ordered.js';
import { breaksChain, planReorg } from './reorg.js';
import type { BlockRef, BlockSource, FetchedBlock, IngestObserver, IngestStateStore, Publication, RecordSink } from './types.js';

export type IngestCoreOptions = {
  chainId: number;
  /** Used when there is no checkpoint. */
  startBlock: number | 'latest';
  /** Stop once this block is published (backfill); follow forever when absent. */
  stopAt?: number;
  concurrency: number;
  reorgWindow: number;
  pollIntervalMs: number;
  /** Most blocks per producer send / checkpoint commit. */
  maxBatchBlocks?: number;
  /** Most transactions per producer send. */
  maxBatchTxs?: number;
};

export type IngestCoreDeps = {
  source: BlockSource;
  sink: RecordSink;
  state: IngestStateStore;
  logger: Logger;
  observer?: IngestObserver;
  /** Resolves when a new head may exist (websocket newHeads) or after the poll interval. */
  waitForHead?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The node's finalized block (finality.ts); absent or null: no finality from the node (FINALITY_DEPTH applies downstream). */
  finality?: (signal?: AbortSignal) => Promise<number | null>;
  now?: () => number;
};

export type IngestCore = {
  /** Runs until the signal aborts (or stopAt is reached). Throws FatalError on an unrecoverable condition. */
  run: (signal: AbortSignal) => Promise<void>;
  /** Last published block, as known in memory. */
  tip: () => BlockRef | null;
};

export const toRef = (b: BlockRef): BlockRef => ({ number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp });

/**
 * A fetched block as what is published. A record carries the node's finalized block capped at its
 * own number: it vouches only for its own chain (every block up to there is final and on it).
 */
export function toPublication(b: FetchedBlock, chainId: number, now: () => number, finalized: number | null = null): Publication {
  return b.kind === 'record'
    ? { kind: 'record', record: finalized === null ? b.record : { ...b.record, finalized: Math.min(finalized, b.number) } }
    : { kind: 'dlq', entry: { chainId, blockNumber: b.number, blockHash: b.hash, reason: b.reason, raw: b.raw, publishedAt: now() } };
}

const txCount = (b: FetchedBlock) => (b.kind === 'record' ? b.record.transactions.length : 0);

export function createIngestCore(opts: IngestCoreOptions, deps: IngestCoreDeps): IngestCore {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const maxBatchBlocks = opts.maxBatchBlocks ?? 64;
  const maxBatchTxs = opts.maxBatchTxs ?? 20_000;
  const waitForHead = deps.waitForHead ?? ((ms, signal) => sleep(ms, signal));
  let window: BlockRef[] = [];
  let tip: BlockRef | null = null;
  let loaded = false;
  let lastHead = 0;
  /** The node's finalized block as last read (null: unknown, the reorg check then knows no floor). */
  let finalized: number | null = null;
  const readFinality = async (signal: AbortSignal) => {
    if (deps.finality) finalized = (await deps.finality(signal)) ?? finalized;
    return finalized;
  };
  /** Published (Kafka acked) but not yet saved to the state store: carried into the next commit. */
  let uncommitted: BlockRef[] = [];

  const remember = (published: BlockRef[], droppedAbove: number) => {
    window = window.filter((b) => b.number <= droppedAbove).concat(published.map(toRef));
    if (window.length > opts.reorgWindow) window = window.slice(window.length - opts.reorgWindow);
    tip = window[window.length - 1] ?? tip;
  };

  /**
   * Staged (maybe in Kafka) but not committed: loaded after a restart, or left by a send that
   * failed half-way. Whatever the chain replaced among them is retracted before its height is
   * published again.
   */
  let inflight: BlockRef[] = [];

  /** Retractions for in-flight blocks that the blocks about to be published replace, newest first. */
  const staleRetractions = (blocks: FetchedBlock[], alreadyRetracted: Set<string>): Publication[] => {
    if (inflight.length === 0) return [];
    const byHeight = new Map(blocks.map((b) => [b.number, b.hash]));
    const publishedAt = now();
    return inflight
      .filter((p) => byHeight.has(p.number) && byHeight.get(p.number) !== p.hash && !alreadyRetracted.has(p.hash))
      .sort((a, b) => b.number - a.number)
      .map((p) => ({
        kind: 'record',
        record: { schema: RECORD_SCHEMA, kind: 'retraction', chainId: opts.chainId, block: toRef(p), replacedBy: byHeight.get(p.number) ?? null, publishedAt },
      }));
  };

  /** Stage, publish, wait for the acks, then commit state: a crash anywhere repeats work, never skips or orphans it. */
  const publishAndCommit = async (publications: Publication[], blocks: FetchedBlock[], droppedAbove: number) => {
    if (blocks.length === 0) return;
    const refs = blocks.map(toRef);
    const retracted = new Set(publications.flatMap((p) => (p.kind === 'record' && p.record.kind === 'retraction' ? [p.record.block.hash] : [])));
    const stale = staleRetractions(blocks, retracted);
    if (stale.length > 0)
      log.warn({ msg: 'Retracting blocks an interrupted send may have published', chainId: opts.chainId, orphaned: stale.map((p) => (p.kind === 'record' ? p.record.block.hash : '')) });
    await deps.state.stage(opts.chainId, refs);
    const staged = new Set(refs.map((r) => r.hash));
    inflight = inflight.filter((p) => !staged.has(p.hash)).concat(refs);
    await deps.sink.publish([...stale, ...publications]);
    // Kafka has these blocks now: remember them before saving, so a reorg that comes while the
    // state store is failing still retracts them (the saved window catches up on the next commit).
    remember(refs, droppedAbove);
    const done = new Set([...staged, ...stale.map((p) => (p.kind === 'record' ? p.record.block.hash : ''))]);
    inflight = inflight.filter((p) => !done.has(p.hash));
    uncommitted = uncommitted.filter((b) => b.number <= droppedAbove).concat(refs);
    await deps.state.commit(opts.chainId, uncommitted, opts.reorgWindow);
    uncommitted = [];
    const last = refs[refs.length - 1] as BlockRef;
    // The commit cleared the stored in-flight rows up to the new tip.
    inflight = inflight.filter((p) => p.number > last.number);
    deps.observer?.published?.({
      blocks: blocks.length,
      txs: blocks.reduce((s, b) => s + txCount(b), 0),
      dlq: blocks.filter((b) => b.kind === 'dlq').length,
      tip: last,
      head: Math.max(lastHead, last.number),
    });
  };

  const handleReorg = async (mismatched: FetchedBlock, signal: AbortSignal) => {
    const plan = await planReorg({
      chainId: opts.chainId,
      window,
      mismatched,
      fetch: (n) => deps.source.fetch(n, signal),
      finalized: await readFinality(signal),
      now,
    });
    log.warn({ msg: 'Reorg detected', chainId: opts.chainId, depth: plan.depth, ancestor: plan.ancestor, orphaned: plan.retractions.map((r) => r.block.hash) });
    const publications: Publication[] = [
      ...plan.retractions.map((record): Publication => ({ kind: 'record', record })),
      ...plan.newBlocks.map((b) => toPublication(b, opts.chainId, now, finalized)),
    ];
    await publishAndCommit(publications, plan.newBlocks, plan.ancestor);
    deps.observer?.reorg?.({ depth: plan.depth, ancestor: plan.ancestor, newTip: mismatched.number });
  };

  /** Publish from..to in order. Returns early after a reorg (the caller re-reads the head). */
  const syncRange = async (from: number, to: number, signal: AbortSignal) => {
    deps.observer?.range?.({ from, to });
    const fetcher = orderedFetch({ from, to, concurrency: opts.concurrency, buffer: Math.max(opts.concurrency * 4, maxBatchBlocks * 2), fetch: (n) => deps.source.fetch(n, signal) });
    try {
      while (!fetcher.done()) {
        if (signal.aborted) return;
        let txs = 0;
        const batch = await fetcher.take(maxBatchBlocks, (b) => {
          txs += txCount(b);
          return txs <= maxBatchTxs;
        });
        const good: FetchedBlock[] = [];
        let expected: { number: number; hash: string } | null = tip;
        let broken: FetchedBlock | null = null;
        for (const b of batch) {
          if (breaksChain(expected, b)) {
            broken = b;
            break;
          }
          good.push(b);
          expected = b;
        }
        const fin = await readFinality(signal);
        await publishAndCommit(
          good.map((b) => toPublication(b, opts.chainId, now, fin)),
          good,
          Number.POSITIVE_INFINITY,
        );
        if (broken) {
          await handleReorg(broken, signal);
          return;
        }
      }
    } finally {
      fetcher.close();
    }
  };

  const load = async () => {
    if (loaded) return;
    const state = await deps.state.load(opts.chainId);
    window = state.window.slice(-opts.reorgWindow);
    tip = state.checkpoint ? (window.find((b) => b.number === state.checkpoint?.number) ?? { ...state.checkpoint, parentHash: '', timestamp: 0 }) : null;
    inflight = state.inflight.filter((b) => tip === null || b.number > tip.number);
    loaded = true;
    log.info({ msg: 'Ingest state loaded', chainId: opts.chainId, checkpoint: tip?.number ?? null, window: window.length, inflight: inflight.length });
  };

  const run = async (signal: AbortSignal) => {
    let startBlock: number | null = null;
    let failures = 0;
    let failedAt: number | null = null;
    while (!signal.aborted) {
      try {
        await load();
        const head = await deps.source.head(signal);
        lastHead = head;
        deps.observer?.head?.({ head, tip });
        if (tip === null && startBlock === null) startBlock = opts.startBlock === 'latest' ? head : opts.startBlock;
        const next = tip ? tip.number + 1 : (startBlock as number);
        if (opts.stopAt !== undefined && next > opts.stopAt) return;
        const to = opts.stopAt !== undefined ? Math.min(head, opts.stopAt) : head;
        if (to < next) {
          await waitForHead(opts.pollIntervalMs, signal);
          continue;
        }
        await syncRange(next, to, signal);
        failures = 0;
      } catch (e) {
        if (signal.aborted) return;
        if (tip !== null && tip.number !== failedAt) failures = 0;
        failedAt = tip?.number ?? null;
        if (e instanceof FatalError) throw e;
        failures++;
        // Anything but a FatalError is retried from the checkpoint: repeating work is safe, skipping is not.
        log[isRetryable(e) ? 'warn' : 'error']({ msg: 'Ingest step failed, retrying from the checkpoint', err: errorMessage(e), failures });
        await sleep(Math.min(10_000, 100 * 2 ** Math.min(failures - 1, 7)), signal).catch(() => {});
      }
    }
  };

  return { run, tip: () => tip };
}
