// The seams of ingest (squid-style): where blocks come from (BlockSource), where records go
// (RecordSink), where progress is kept (IngestStateStore, storage/ingest-state.ts).
// Pure types: no driver is imported here.
import type { BlockRecord, ChainRecord } from '../../core/chain.js';
import type { BlockRef } from '../../storage/ingest-state.js';

export type { BlockRef, IngestState, IngestStateStore } from '../../storage/ingest-state.js';

/** A block fetched at a height: decoded into a record, or bound for the dead-letter topic. */
export type FetchedBlock = BlockRef &
  ({ kind: 'record'; record: BlockRecord } | { kind: 'dlq'; reason: string; raw: unknown });

export type BlockSource = {
  /** Current head number. */
  head: (signal?: AbortSignal) => Promise<number>;
  /** The canonical block at a height now (retries transient failures itself). */
  fetch: (n: number, signal?: AbortSignal) => Promise<FetchedBlock>;
};

/** A dead-letter entry: an undecodable block, kept with its raw payload. */
export type DlqEntry = { chainId: number; blockNumber: number; blockHash: string; reason: string; raw: unknown; publishedAt: number };

export type Publication = { kind: 'record'; record: ChainRecord } | { kind: 'dlq'; entry: DlqEntry };

export type RecordSink = {
  /** Resolves only once every publication is acknowledged by all in-sync replicas; order is kept per key. */
  publish: (publications: Publication[]) => Promise<void>;
};

/** Hooks for metrics and progress bars; all optional. */
export type IngestObserver = {
  published?: (p: { blocks: number; txs: number; dlq: number; tip: BlockRef; head: number }) => void;
  reorg?: (p: { depth: number; ancestor: number; newTip: number }) => void;
  range?: (p: { from: number; to: number }) => void;
  /** Every head poll. */
  head?: (p: { head: number; tip: BlockRef | null }) => void;
};
