// In-memory chain, sink and state store for the orchestration unit tests of ingest.
import { createHash } from 'node:crypto';
import type { BlockRecord, ChainRecord } from '../../core/chain.js';
import { RECORD_SCHEMA } from '../../core/chain.js';
import { FatalError } from '../../core/errors.js';
import type { BlockRef, FetchedBlock, IngestState, IngestStateStore, Publication, RecordSink, BlockSource } from './types.js';

const hashOf = (s: string) => `0x${createHash('sha256').update(s).digest('hex')}`;

export type MemChain = {
  blocks: BlockRef[];
  /** Replace everything above `ancestor` with `length` new blocks on fork `tag`. */
  fork: (ancestor: number, length: number, tag: string) => void;
  extend: (count: number, tag?: string) => void;
  source: (opts?: { dlqAt?: Set<number>; failEvery?: number; onFetch?: (n: number) => void }) => BlockSource;
};

export function memChain(length: number, chainId = 1): MemChain {
  const blocks: BlockRef[] = [];
  const add = (tag: string) => {
    const n = blocks.length;
    const parentHash = n === 0 ? `0x${'0'.repeat(64)}` : (blocks[n - 1] as BlockRef).hash;
    blocks.push({ number: n, hash: hashOf(`${tag}:${n}:${parentHash}`), parentHash, timestamp: 1_700_000_000 + n * 12 });
  };
  for (let i = 0; i < length; i++) add('main');
  let fetches = 0;
  const chain: MemChain = {
    blocks,
    fork(ancestor, count, tag) {
      blocks.length = ancestor + 1;
      for (let i = 0; i < count; i++) add(tag);
    },
    extend(count, tag = 'main') {
      for (let i = 0; i < count; i++) add(tag);
    },
    source(opts = {}) {
      return {
        head: async () => blocks.length - 1,
        fetch: async (n) => {
          opts.onFetch?.(n);
          fetches++;
          if (opts.failEvery && fetches % opts.failEvery === 0) throw Object.assign(new Error('ECONNRESET simulated'), {});
          await new Promise((r) => setTimeout(r, (n * 7) % 3));
          const b = blocks[n];
          if (!b) throw new Error(`ECONNRESET: no block ${n}`);
          if (opts.dlqAt?.has(n)) return { ...b, kind: 'dlq', reason: 'bad receipt', raw: { number: n } } satisfies FetchedBlock;
          return { ...b, kind: 'record', record: memRecord(chainId, b) } satisfies FetchedBlock;
        },
      };
    },
  };
  return chain;
}

export function memRecord(chainId: number, b: BlockRef): BlockRecord {
  return {
    schema: RECORD_SCHEMA,
    kind: 'block',
    chainId,
    block: {
      number: b.number,
      hash: b.hash,
      parentHash: b.parentHash,
      timestamp: b.timestamp,
      miner: `0x${'1'.repeat(40)}`,
      gasUsed: '0',
      gasLimit: '30000000',
      baseFeePerGas: '7',
      txCount: 0,
    },
    transactions: [],
    tokenTransfers: [],
    publishedAt: Date.now(),
  };
}

/** A FatalError so the run loop stops as a killed process would. */
export class SimulatedCrash extends FatalError {}

/** A topic log. `crashAt(k, 'before'|'after')` makes the k-th publish throw before or after it lands. */
export function memSink(): RecordSink & { log: Publication[]; calls: number; crashAt: (k: number | null, when?: 'before' | 'after') => void } {
  let crash: { k: number; when: 'before' | 'after' } | null = null;
  const sink = {
    log: [] as Publication[],
    calls: 0,
    crashAt(k: number | null, when: 'before' | 'after' = 'before') {
      crash = k === null ? null : { k, when };
    },
    async publish(pubs: Publication[]) {
      const call = sink.calls++;
      if (crash?.k === call && crash.when === 'before') throw new SimulatedCrash(`crash before publish #${call}`);
      sink.log.push(...structuredClone(pubs));
      if (crash?.k === call && crash.when === 'after') throw new SimulatedCrash(`crash after publish #${call}`);
    },
  };
  return sink;
}

export function memState(): IngestStateStore & { state: Map<number, IngestState>; crashOnCommit: number | null; commits: number; failStage: boolean } {
  const empty = (): IngestState => ({ checkpoint: null, window: [], inflight: [] });
  const store = {
    state: new Map<number, IngestState>(),
    crashOnCommit: null as number | null,
    commits: 0,
    /** Every stage() throws a retryable error (the store is down). */
    failStage: false,
    async load(chainId: number) {
      const s = structuredClone(store.state.get(chainId) ?? empty());
      const above = (b: BlockRef) => s.checkpoint === null || b.number > s.checkpoint.number;
      // Like Cassandra: the window is read up to the checkpoint only, in-flight rows above it.
      return {
        checkpoint: s.checkpoint,
        window: s.window.filter((b) => s.checkpoint !== null && b.number <= s.checkpoint.number),
        inflight: s.inflight.filter(above).sort((a, b) => a.number - b.number),
      };
    },
    async stage(chainId: number, blocks: BlockRef[]) {
      if (store.failStage) throw new Error('ECONNREFUSED: state store down (simulated)');
      const cur = store.state.get(chainId) ?? empty();
      const have = new Set(cur.inflight.map((b) => b.hash));
      store.state.set(chainId, { ...cur, inflight: cur.inflight.concat(blocks.filter((b) => !have.has(b.hash)).map((b) => ({ ...b }))) });
    },
    async commit(chainId: number, published: BlockRef[], windowSize: number) {
      const k = store.commits++;
      if (store.crashOnCommit === k) throw new SimulatedCrash(`crash on commit #${k}`);
      const tip = published[published.length - 1];
      if (!tip) return;
      const cur = store.state.get(chainId) ?? empty();
      const byNumber = new Map(cur.window.map((b) => [b.number, b]));
      for (const b of published) byNumber.set(b.number, { ...b });
      const window = [...byNumber.values()].filter((b) => b.number > tip.number - windowSize).sort((a, b) => a.number - b.number);
      store.state.set(chainId, { checkpoint: { number: tip.number, hash: tip.hash }, window, inflight: cur.inflight.filter((b) => b.number > tip.number) });
    },
  };
  return store;
}

/** Replay a topic log: the canonical chain a consumer rebuilds (retractions remove, blocks set). */
export function canonicalFromLog(log: readonly Publication[]): Map<number, string> {
  const chain = new Map<number, string>();
  for (const p of log) {
    if (p.kind === 'dlq') chain.set(p.entry.blockNumber, p.entry.blockHash);
    else if (p.record.kind === 'block') chain.set(p.record.block.number, p.record.block.hash);
    else if (chain.get(p.record.block.number) === p.record.block.hash) chain.delete(p.record.block.number);
  }
  return chain;
}

export const withoutPublishedAt = (r: ChainRecord | Publication): unknown => {
  const { publishedAt: _drop, ...rest } = ('kind' in r && (r.kind === 'record' || r.kind === 'dlq') ? (r.kind === 'record' ? r.record : r.entry) : r) as { publishedAt: number };
  return rest;
};
